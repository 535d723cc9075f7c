// Runs the `unstuck` CLI as a user would, under the runtime running the test: Node runs the
// compiled copy (.build/node, what `npx unstuck` runs from dist/), Deno `deno run -A
// src/cli/main.ts`, Bun `bun src/cli/main.ts`. Every wait is bounded and every process started
// here is killed with its whole process group when the test is done.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { StringDecoder } from "node:string_decoder";
import { projectPath, ROOT } from "./paths.ts";

/** The runtime running this test. */
export const RUNTIME: "node" | "deno" | "bun" = process.versions.deno
  ? "deno"
  : process.versions.bun
  ? "bun"
  : "node";

/** The program and leading arguments that start the CLI in this runtime. */
export function cliCommand(): [string, string[]] {
  switch (RUNTIME) {
    case "deno":
      return [process.execPath, ["run", "-A", projectPath("src/cli/main.ts")]];
    case "bun":
      return [process.execPath, [projectPath("src/cli/main.ts")]];
    default:
      return [process.execPath, [projectPath(".build/node/src/cli/main.js")]];
  }
}

/** How a finished process ended, with everything it printed. */
export interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Stdout as the bytes it wrote. */
  stdoutBytes: Buffer;
}

/** Extra environment for a child; `undefined` removes a variable we have. */
export type Env = Record<string, string | undefined>;

function childEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: "1", ...env })) {
    if (v !== undefined) out[k] = v;
  }
  return out;
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Kills every process these helpers started and that is still running. */
export function killAll(): void {
  for (const child of live) killGroup(child);
  live.clear();
}

/** A running process, with its output collected as it comes. */
export class Running implements AsyncDisposable {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<Finished>;
  #stdoutChunks: Buffer[] = [];
  #waiters: (() => void)[] = [];

  constructor(cmd: string, args: string[], env: Env = {}) {
    this.child = spawn(cmd, args, {
      cwd: ROOT,
      env: childEnv(env),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    live.add(this.child);
    const text = new StringDecoder("utf8");
    this.child.stdout!.on("data", (d: Buffer) => {
      this.#stdoutChunks.push(d);
      this.stdout += text.write(d);
      this.#wake();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      this.stderr += d;
      this.#wake();
    });
    this.child.stdin!.on("error", () => {}); // a child that exits early closes its stdin
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        live.delete(this.child);
        this.stdout += text.end();
        this.#wake();
        resolve({
          code,
          signal,
          stdout: this.stdout,
          stderr: this.stderr,
          stdoutBytes: this.stdoutBytes,
        });
      });
    });
  }

  /** Stdout so far, as bytes. */
  get stdoutBytes(): Buffer {
    return Buffer.concat(this.#stdoutChunks);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Waits until `test(stdout, stderr)` holds; fails after `timeoutMs` with what was printed. */
  async until(
    test: (stdout: string, stderr: string) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this.stdout, this.stderr)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null || this.child.signalCode !== null) {
        if (test(this.stdout, this.stderr)) return;
        throw new Error(
          `gave up waiting for ${what}\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, Math.min(left, 200));
      });
      clearTimeout(timer);
    }
  }

  /** Waits for a stdout line matching `re`. */
  untilLine(re: RegExp, timeoutMs?: number): Promise<void> {
    return this.until((out) => out.split("\n").some((l) => re.test(l)), `a line ${re}`, timeoutMs);
  }

  /** Writes to its stdin. */
  write(text: string | Uint8Array): void {
    this.child.stdin!.write(text);
  }

  /** Closes its stdin (EOF). */
  endInput(): void {
    this.child.stdin!.end();
  }

  /**
   * Sends a signal to the process only (not its group). Through `process.kill`, not
   * `child.kill`: after `child.kill(sig)` Deno's node:child_process reports the child as killed by
   * `sig` even when it caught the signal and exited 0 (Deno 2.9).
   */
  signal(signal: NodeJS.Signals): void {
    if (this.child.pid !== undefined) process.kill(this.child.pid, signal);
  }

  /** Waits for it to exit, killing its group after `timeoutMs`. */
  async wait(timeoutMs = 10_000): Promise<Finished> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((
      r,
    ) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === "timeout") {
      killGroup(this.child);
      const finished = await this.exited;
      throw new Error(
        `process did not exit within ${timeoutMs} ms\n--- stdout:\n${finished.stdout}\n` +
          `--- stderr:\n${finished.stderr}`,
      );
    }
    return result;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    killGroup(this.child);
    await this.exited;
  }
}

/** Starts the CLI with these arguments. */
export function startCli(args: string[], env?: Env): Running {
  const [cmd, pre] = cliCommand();
  return new Running(cmd, [...pre, ...args], env);
}

/** Runs the CLI to completion, with `input` on stdin (closed at once when absent). */
export async function runCli(
  args: string[],
  options: { input?: string | Uint8Array; timeoutMs?: number; env?: Env } = {},
): Promise<Finished> {
  const proc = startCli(args, options.env);
  if (options.input !== undefined) proc.write(options.input);
  proc.endInput();
  return await proc.wait(options.timeoutMs ?? 20_000);
}

/** A server started from the CLI, with the port read from its `listening on` line. */
export interface StartedServer {
  proc: Running;
  port: number;
  url: string;
}

const LISTENING = /^listening on (tcp|tls|udp):\/\/127\.0\.0\.1:(\d+)$/;

/**
 * Starts a server command with `--port 0` added and waits for its first stdout line, which must
 * be exactly `listening on <scheme>://127.0.0.1:<port>`.
 */
export async function startServer(args: string[], proc?: Running): Promise<StartedServer> {
  proc ??= startCli([...args, "--port", "0"]);
  await proc.until((out) => out.includes("\n"), "the 'listening on' line", 15_000);
  const first = proc.stdout.split("\n")[0];
  const m = LISTENING.exec(first);
  if (!m) throw new Error(`first stdout line is not 'listening on …': ${JSON.stringify(first)}`);
  return { proc, port: Number(m[2]), url: first.slice("listening on ".length) };
}

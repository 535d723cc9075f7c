// Runs the `unstuck` CLI as a user would, with the runtime running the tests: Node runs the
// compiled copy in .build/node, Deno and Bun run the TypeScript source.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { projectPath } from "../_helpers/paths.ts";
import { within } from "../runtime/helpers.ts";

function cliArgv(): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return [process.execPath, "run", "-A", projectPath("src/cli/main.ts")];
  if (g.Bun !== undefined) return [process.execPath, projectPath("src/cli/main.ts")];
  return [process.execPath, projectPath(".build/node/src/cli/main.js")];
}

/** A CLI process with its output collected as it arrives. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  #stdout: Buffer[] = [];
  #stderr: Buffer[] = [];

  constructor(args: readonly string[], env: Record<string, string | undefined> = {}) {
    const [cmd, ...pre] = cliArgv();
    const fullEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: "1", ...env })) {
      if (v !== undefined) fullEnv[k] = v;
    }
    // Its own process group, so that a failing test can kill it with everything it started.
    this.child = spawn(cmd, [...pre, ...args], {
      env: fullEnv,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    this.child.stdout!.on("data", (b: Buffer) => this.#stdout.push(b));
    this.child.stderr!.on("data", (b: Buffer) => this.#stderr.push(b));
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => resolve({ code, signal }));
    });
  }

  get stdout(): Buffer {
    return Buffer.concat(this.#stdout);
  }

  get stdoutText(): string {
    return this.stdout.toString("utf8");
  }

  get stderrText(): string {
    return Buffer.concat(this.#stderr).toString("utf8");
  }

  /** Waits until stdout holds a line matching `pattern`; returns the match. */
  async waitForStdout(pattern: RegExp, ms = 15_000): Promise<RegExpMatchArray> {
    return await within(
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = (): void => {
          const m = this.stdoutText.match(pattern);
          if (m) {
            this.child.stdout!.off("data", check);
            resolve(m);
          }
        };
        this.child.stdout!.on("data", check);
        this.exited.then(() => reject(new Error(`exited first; stderr: ${this.stderrText}`)));
        check();
      }),
      ms,
      `CLI output ${pattern}; stderr so far: ${this.stderrText}`,
    );
  }

  /** Waits until stderr matches `pattern`. */
  async waitForStderr(pattern: RegExp, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pattern.test(this.stderrText)) {
      if (Date.now() > end) throw new Error(`no ${pattern} on stderr: ${this.stderrText}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The exit code, bounded by `ms` (then the whole group is killed and this rejects). */
  async code(ms = 20_000): Promise<number | null> {
    try {
      return (await within(this.exited, ms, "the CLI to exit")).code;
    } catch (err) {
      this.kill();
      throw err;
    }
  }

  /** Sends `signal` to the CLI's whole process group; nothing if it is gone. */
  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch { /* already gone */ }
  }
}

/** Runs the CLI to its end with optional stdin; returns exit code and output. */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; stdin?: Uint8Array; ms?: number } = {},
): Promise<{ code: number | null; stdout: Buffer; out: string; err: string }> {
  const proc = new CliProcess(args, options.env);
  if (options.stdin) proc.child.stdin!.end(options.stdin);
  else proc.child.stdin!.end();
  const code = await proc.code(options.ms);
  return { code, stdout: proc.stdout, out: proc.stdoutText, err: proc.stderrText };
}

// What the exec benchmarks share: `unstuck exec serve` started as a process of its own, of the
// runtime running the benchmark, as a user runs it (plaintext, or with --tls-cert/--tls-key), and
// the running runtime's version line.
import { spawn as spawnChild } from "node:child_process";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { detectRuntime } from "../mod.ts";

const runtime = detectRuntime();
const here = fileURLToPath(new URL(".", import.meta.url));
// From bench/ (Deno, Bun) or .build/bench/bench/ (Node, compiled): the project root has deno.json.
const root = runtime === "node" ? resolve(here, "../../..") : resolve(here, "..");

function cliArgv(): string[] {
  if (runtime === "deno") return [process.execPath, "run", "-A", join(root, "src/cli/main.ts")];
  if (runtime === "bun") return [process.execPath, join(root, "src/cli/main.ts")];
  return [process.execPath, join(root, ".build/bench/src/cli/main.js")];
}

/** A running `unstuck exec serve`. */
export interface ExecServerProcess {
  port: number;
  stop(): void;
}

/**
 * Starts `unstuck exec serve --port 0 --token-file TOKENFILE ARGS…`; resolves with its port (from
 * its `listening on tcp://` or `tls://` line) and a stop function (SIGTERM to its group).
 */
export function startExecServer(tokenFile: string, args: string[]): Promise<ExecServerProcess> {
  const [cmd, ...pre] = cliArgv();
  const child = spawnChild(cmd, [
    ...pre,
    ...["exec", "serve", "--port", "0", "--token-file", tokenFile],
    ...args,
  ], { stdio: ["ignore", "pipe", "ignore"], detached: true });
  const stop = (): void => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch { /* gone */ }
  };
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Uint8Array) => {
      out += new TextDecoder().decode(b);
      const m = /listening on (?:tcp|tls):\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), stop });
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** The running runtime and its version, e.g. `deno 2.9.6`. */
export function runtimeVersion(): string {
  if (runtime === "node") return `node ${process.version}`;
  if (runtime === "deno") {
    return `deno ${
      (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno
    }`;
  }
  return `bun ${process.versions.bun}`;
}

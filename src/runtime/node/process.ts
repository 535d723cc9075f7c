/**
 * Subprocesses over `node:child_process`. The child runs detached (`setsid`), so it leads its own
 * process group and `kill(-pid)` reaches its descendants too.
 *
 * @module
 */
import { spawn as spawnChild } from "node:child_process";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import process from "node:process";
import type { Readable, Writable } from "node:stream";
import type { Buffer } from "node:buffer";
import type { SpawnOptions, Subprocess } from "../types.ts";
import { PipeClosedError, SpawnError } from "../errors.ts";
import { PushQueue } from "../shared/push_queue.ts";
import { killProcessGroup } from "../shared/process_group.ts";
import {
  type ChunkSink,
  type ChunkSource,
  commandLine,
  ManagedSubprocess,
  OUTPUT_HIGH_WATER_MARK,
  type RawExit,
} from "../shared/subprocess.ts";

function readableSource(stream: Readable): ChunkSource {
  const queue = new PushQueue<Uint8Array>({
    highWaterMark: OUTPUT_HIGH_WATER_MARK,
    sizeOf: (c) => c.length,
    pause: () => stream.pause(),
    resume: () => stream.resume(),
  });
  stream.on("data", (b: Buffer) => queue.push(new Uint8Array(b.buffer, b.byteOffset, b.length)));
  stream.on("end", () => queue.end());
  stream.on("error", (e) => queue.fail(e));
  stream.on("close", () => queue.end());
  return {
    read: async () => {
      const r = await queue.next();
      return r.done ? null : r.value;
    },
    cancel: () => {
      queue.clear();
      queue.end();
      stream.destroy();
    },
  };
}

function writableSink(stream: Writable): ChunkSink {
  let error: unknown;
  stream.on("error", (e) => (error = e));
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        if (stream.destroyed || stream.writableEnded) {
          reject(new PipeClosedError(undefined, { cause: error }));
          return;
        }
        const onClose = (): void => reject(new PipeClosedError(undefined, { cause: error }));
        const ok = stream.write(bytes, (e) => {
          if (e) {
            stream.off("close", onClose);
            reject(new PipeClosedError(undefined, { cause: e }));
          }
        });
        if (ok) resolve();
        else {
          stream.once("close", onClose);
          stream.once("drain", () => {
            stream.off("close", onClose);
            resolve();
          });
        }
      }),
    close: () =>
      new Promise((resolve) => {
        if (stream.destroyed || stream.writableFinished) resolve();
        else stream.end(() => resolve());
      }),
  };
}

/** Why Node could not start `file`: it only says so asynchronously, so look for the reason. */
function spawnFailure(file: string, options: SpawnOptions): SpawnError {
  const cwd = options.cwd ?? process.cwd();
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    return new SpawnError(`cannot start ${file}: no such working directory ${cwd}`, {
      code: "ENOENT",
    });
  }
  const path = options.env ? options.env.PATH : process.env.PATH;
  const candidates = file.includes("/")
    ? [isAbsolute(file) ? file : resolve(cwd, file)]
    : (path ?? "").split(delimiter).filter(Boolean).map((dir) => join(resolve(cwd, dir), file));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    return new SpawnError(`cannot start ${file}: not found`, { code: "ENOENT" });
  }
  try {
    accessSync(found, constants.X_OK);
  } catch {
    return new SpawnError(`cannot start ${file}: permission denied`, { code: "EACCES" });
  }
  return new SpawnError(`cannot start ${file}`);
}

/**
 * Starts a subprocess with `node:child_process`, in its own process group.
 *
 * @example
 * ```ts
 * import { spawnNode } from "./process.ts";
 * const proc = spawnNode({ argv: ["echo", "hi"] });
 * console.log(await new Response(proc.stdout).text(), await proc.status);
 * ```
 */
export function spawnNode(options: SpawnOptions): Subprocess {
  const [file, ...args] = commandLine(options);
  const child = spawnChild(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    detached: true,
  });
  child.on("error", () => {/* reported below, or through the status */});
  const pid = child.pid;
  if (pid === undefined) {
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
    throw spawnFailure(file, options);
  }
  const exit = new Promise<RawExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return new ManagedSubprocess({
    pid,
    stdout: readableSource(child.stdout!),
    stderr: readableSource(child.stderr!),
    stdin: child.stdin ? writableSink(child.stdin) : null,
    exit,
    killGroup: (signal) => killProcessGroup(pid, signal),
  }, options);
}

/**
 * Subprocesses over `node:child_process`. The child runs detached (`setsid`), so it leads its own
 * process group and `kill(-pid)` reaches its descendants too.
 *
 * @module
 */
import { spawn as spawnChild } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { Buffer } from "node:buffer";
import type { SpawnOptions, Subprocess } from "../types.ts";
import { PipeClosedError, SpawnError } from "../errors.ts";
import { PushQueue } from "../shared/push_queue.ts";
import { killProcessGroup } from "../shared/process_group.ts";
import {
  type ChildHandle,
  type ChunkSink,
  type ChunkSource,
  OUTPUT_HIGH_WATER_MARK,
  type RawExit,
} from "../shared/subprocess.ts";
import { spawnManaged } from "../shared/contain.ts";
import { programProblem } from "../shared/program.ts";

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

/**
 * Starts a subprocess with `node:child_process`, in its own process group (`dieWithParent` and
 * `cgroup` included).
 *
 * @example
 * ```ts
 * import { spawnNode } from "./process.ts";
 * const proc = spawnNode({ argv: ["echo", "hi"] });
 * console.log(await new Response(proc.stdout).text(), await proc.status);
 * ```
 */
export function spawnNode(options: SpawnOptions): Subprocess {
  return spawnManaged(startNode, options);
}

/**
 * Starts `argv` with `node:child_process`, detached, and hands it over as a
 * {@linkcode ChildHandle}. Node reports a failed start only asynchronously, so the reason is
 * worked out here.
 */
function startNode([file, ...args]: [string, ...string[]], options: SpawnOptions): ChildHandle {
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
    throw programProblem(file, options) ?? new SpawnError(`cannot start ${file}`);
  }
  const exit = new Promise<RawExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    pid,
    stdout: readableSource(child.stdout!),
    stderr: readableSource(child.stderr!),
    stdin: child.stdin ? writableSink(child.stdin) : null,
    exit,
    killGroup: (signal) => killProcessGroup(pid, signal),
  };
}

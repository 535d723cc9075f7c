/**
 * Subprocesses over `Bun.spawn`, detached (`setsid`) so the child leads its own process group;
 * the group is signalled with `process.kill(-pid)`. Bun reports 143 from `exited` for a SIGTERM'd
 * child; the status is built from `exitCode` and `signalCode` instead.
 *
 * @module
 */
import type { SpawnOptions, Subprocess } from "../types.ts";
import { PipeClosedError, SpawnError } from "../errors.ts";
import { type ChildHandle, webStreamSource } from "../shared/subprocess.ts";
import { spawnManaged } from "../shared/contain.ts";
import { killProcessGroup } from "../shared/process_group.ts";
import { bunApi, type BunFileSink, type BunSubprocess } from "./api.ts";

async function settle(result: number | Promise<number>): Promise<void> {
  if (typeof result !== "number") await result;
}

function sink(stdin: BunFileSink): { write(b: Uint8Array): Promise<void>; close(): Promise<void> } {
  return {
    write: async (bytes) => {
      try {
        await settle(stdin.write(bytes));
        await settle(stdin.flush()); // FileSink buffers: wait until the pipe took the bytes
      } catch (e) {
        throw new PipeClosedError(undefined, { cause: e });
      }
    },
    close: () => settle(stdin.end()),
  };
}

/**
 * Starts a subprocess with `Bun.spawn`, in its own process group (`dieWithParent` and `cgroup`
 * included).
 *
 * @example
 * ```ts
 * import { spawnBun } from "./process.ts";
 * const proc = spawnBun({ argv: ["echo", "hi"] });
 * console.log(await new Response(proc.stdout).text(), await proc.status);
 * ```
 */
export function spawnBun(options: SpawnOptions): Subprocess {
  return spawnManaged(startBun, options);
}

/** Starts `cmd` with `Bun.spawn`, detached, and hands it over as a {@linkcode ChildHandle}. */
function startBun(cmd: [string, ...string[]], options: SpawnOptions): ChildHandle {
  const bun = bunApi();
  let child: BunSubprocess;
  try {
    child = bun.spawn({
      cmd,
      cwd: options.cwd,
      env: options.env,
      stdin: options.stdin ? "pipe" : "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new SpawnError(`cannot start ${cmd[0]}: ${reason}`, { cause: e });
  }
  const pid = child.pid;
  return {
    pid,
    stdout: webStreamSource(child.stdout),
    stderr: webStreamSource(child.stderr),
    stdin: child.stdin ? sink(child.stdin) : null,
    exit: child.exited.then(() => ({
      code: child.exitCode,
      signal: child.signalCode === null ? null : String(child.signalCode),
    })),
    killGroup: (signal) => killProcessGroup(pid, signal),
  };
}

/**
 * Subprocesses over `Deno.Command`, detached (`setsid`) so the child leads its own process group
 * and `Deno.kill(-pid)` reaches its descendants. Deno reports 143 as the code of a SIGTERM'd
 * child; the shared status normalises that to `{ code: null, signal: "SIGTERM" }`.
 *
 * @module
 */
import type { SpawnOptions, Subprocess } from "../types.ts";
import { errorCode, PipeClosedError, SpawnError } from "../errors.ts";
import { type ChildHandle, webStreamSource } from "../shared/subprocess.ts";
import { spawnManaged } from "../shared/contain.ts";
import { denoApi, type DenoChildProcess } from "./api.ts";

/**
 * Starts a subprocess with `Deno.Command`, in its own process group (`dieWithParent` and
 * `cgroup` included).
 *
 * @example
 * ```ts
 * import { spawnDeno } from "./process.ts";
 * const proc = spawnDeno({ argv: ["echo", "hi"] });
 * console.log(await new Response(proc.stdout).text(), await proc.status);
 * ```
 */
export function spawnDeno(options: SpawnOptions): Subprocess {
  return spawnManaged(startDeno, options);
}

/** Starts `argv` with `Deno.Command`, detached, and hands it over as a {@linkcode ChildHandle}. */
function startDeno([file, ...args]: [string, ...string[]], options: SpawnOptions): ChildHandle {
  const deno = denoApi();
  let child: DenoChildProcess;
  try {
    child = new deno.Command(file, {
      args,
      cwd: options.cwd,
      env: options.env,
      clearEnv: options.env !== undefined,
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new SpawnError(`cannot start ${file}: ${reason}`, { cause: e });
  }
  const pid = child.pid;
  const writer = options.stdin ? child.stdin.getWriter() : null;
  return {
    pid,
    stdout: webStreamSource(child.stdout),
    stderr: webStreamSource(child.stderr),
    stdin: writer && {
      write: async (bytes) => {
        try {
          await writer.write(bytes);
        } catch (e) {
          throw new PipeClosedError(undefined, { cause: e });
        }
      },
      close: () => writer.close(),
    },
    exit: child.status.then((s) => ({ code: s.code, signal: s.signal })),
    killGroup: (signal) => {
      try {
        deno.kill(-pid, signal);
      } catch (e) {
        if (errorCode(e) !== "ENOENT") throw e; // Deno says NotFound (ESRCH) for a gone group
      }
    },
  };
}

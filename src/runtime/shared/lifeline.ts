/**
 * The lifeline: a watchdog per subprocess that kills it, its process group and its cgroup leaf
 * when we die. It is `/bin/sh` reading a pipe from us, in a session of its own (a kill of the
 * subprocess's group does not reach it). We write the subprocess's process group id on it, and
 * otherwise nothing: when we die, by any signal, the kernel closes our end, the watchdog reads
 * EOF and kills. When the subprocess has ended normally we SIGKILL the watchdog instead.
 *
 * Why a pipe and not a parent-death signal: EOF comes when the whole process is gone, whichever
 * thread spawned; and the watchdog is not the subprocess's parent, so we still reap the
 * subprocess ourselves and see its exact exit status (a supervising shell in between could only
 * report 128 + N, indistinguishable from an exit with that code).
 *
 * @module
 */
import type { SpawnOptions } from "../types.ts";
import type { ChildHandle } from "./subprocess.ts";

/** Starts a raw child: the adapter's own spawn, without containment. */
export type StartChild = (argv: [string, ...string[]], options: SpawnOptions) => ChildHandle;

// $1 is the cgroup leaf ("" for none). The first line we send is the group id; then EOF means we
// died. A group id of 0 or 1 would mean "our own group" or "every process": never killed.
const SCRIPT = `exec >/dev/null 2>&1
read -r group
while read -r _; do :; done
case $group in ''|*[!0-9]*) ;; *) [ "$group" -gt 1 ] && kill -s KILL -- "-$group" ;; esac
[ -n "$1" ] || exit 0
i=0
while [ -d "$1" ] && [ "$i" -lt 200 ]; do
  echo 1 >"$1/cgroup.kill"
  rmdir "$1" && exit 0
  sleep 0.05
  i=$((i + 1))
done`;

/** A running watchdog. */
export interface Lifeline {
  /** Tells it the process group to kill when we die. Called once, right after the spawn. */
  arm(group: number): void;
  /** Stops it without it killing anything; resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a watchdog that, when this process dies, kills the process group it is armed with and
 * every process in `leaf` (then removes `leaf`).
 *
 * @example
 * ```ts
 * import { startLifeline, type StartChild } from "./lifeline.ts";
 * function guard(start: StartChild, pid: number): Promise<void> {
 *   const lifeline = startLifeline(start, undefined);
 *   lifeline.arm(pid);
 *   return lifeline.stop();
 * }
 * console.log(typeof guard);
 * ```
 */
export function startLifeline(start: StartChild, leaf: string | undefined): Lifeline {
  const child = start(["/bin/sh", "-c", SCRIPT, "unstuck-lifeline", leaf ?? ""], { stdin: true });
  // It writes nothing (its output goes to /dev/null): close our ends of those pipes now.
  child.stdout.cancel();
  child.stderr.cancel();
  let stopped: Promise<void> | undefined;
  return {
    arm(group) {
      child.stdin!.write(new TextEncoder().encode(`${group}\n`)).catch(() => {
        // It died (someone killed it): the subprocess lost its guard, not its life.
      });
    },
    stop() {
      stopped ??= (async () => {
        child.killGroup("SIGKILL");
        await child.exit;
        await child.stdin!.close().catch(() => {});
      })();
      return stopped;
    },
  };
}

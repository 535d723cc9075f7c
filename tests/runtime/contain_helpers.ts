// Shared by the containment tests (tests/runtime/contain.test.ts, its peer, and the exec ones):
// a shell snippet that escapes the process group, and the cgroup leaves a process has.
import { readdirSync } from "node:fs";
import process from "node:process";
import { containmentSupport } from "../../src/runtime/shared/contain.ts";

/** Where this machine's cgroup leaves go, or null when cgroups are not usable here. */
export const CGROUP_PARENT: string | null = containmentSupport().cgroupParent;

/**
 * Shell code that starts `sleep SECONDS` in a session of its own (so out of the process group's
 * reach) with its pid in `$escaped`, and waits until it has left the group: the fork returns
 * before the child has called setsid.
 */
export function escapeScript(seconds: number): string {
  return `setsid sleep ${seconds} & escaped=$!; ` +
    'until [ "$(cut -d" " -f6 /proc/$escaped/stat)" = $escaped ]; do sleep 0.01; done';
}

/** The cgroup leaves of process `pid` (ours by default) that still exist. */
export function leavesOf(pid: number = process.pid): string[] {
  if (CGROUP_PARENT === null) return [];
  return readdirSync(CGROUP_PARENT).filter((name) => name.startsWith(`unstuck-${pid}-`));
}

/** SIGKILLs those of `pids` that still run (what a test expected to survive, or left behind). */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      if (pid > 1) process.kill(pid, "SIGKILL");
    } catch { /* gone */ }
  }
}

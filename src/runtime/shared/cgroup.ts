/**
 * cgroup v2 leaves for subprocesses (Linux): one directory per subprocess under this process's
 * own cgroup, which the subprocess joins before it runs its program, and which holds every
 * process it starts, `setsid` or not, until they die. Writing `1` to its `cgroup.kill` (Linux
 * 5.14+) SIGKILLs all of them at once, forks in flight included; once it is empty the directory
 * is removed. On a hybrid (v1 + v2) layout the v2 hierarchy is at `/sys/fs/cgroup/unified`, on a
 * pure v2 one at `/sys/fs/cgroup`.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { SpawnError } from "../errors.ts";

/** Where a cgroup v2 hierarchy is mounted: hybrid layout first, then pure v2. */
export const CGROUP_V2_MOUNTS: readonly string[] = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"];

/** How long {@linkcode removeLeaf} waits for the killed processes to be gone. */
const EMPTY_WAIT_MS = 10_000;

/** Names of our leaves: `unstuck-<our pid>-<n>`. */
const LEAF_PREFIX = `unstuck-${process.pid}-`;
let counter = 0;
let probed: string | null | undefined;

/**
 * This process's own cgroup v2 directory, if a cgroup v2 hierarchy is mounted where
 * {@linkcode CGROUP_V2_MOUNTS} says.
 *
 * @example
 * ```ts
 * import { ownCgroupDir } from "./cgroup.ts";
 * console.log(ownCgroupDir()); // e.g. "/sys/fs/cgroup/unified/" or undefined
 * ```
 */
export function ownCgroupDir(): string | undefined {
  let text: string;
  try {
    text = readFileSync("/proc/self/cgroup", "utf8");
  } catch {
    return undefined; // not Linux, or no /proc
  }
  const line = text.split("\n").find((l) => l.startsWith("0::"));
  if (line === undefined) return undefined;
  for (const mount of CGROUP_V2_MOUNTS) {
    // Only the root of a v2 hierarchy has cgroup.controllers; a v1 or tmpfs mount has not.
    if (!existsSync(join(mount, "cgroup.controllers"))) continue;
    const dir = join(mount, line.slice(3));
    if (existsSync(join(dir, "cgroup.procs"))) return dir;
  }
  return undefined;
}

/**
 * The directory to create leaves in, or undefined when there is none that works: found by
 * {@linkcode ownCgroupDir}, writable by us (a leaf can be created and removed) and new enough to
 * have `cgroup.kill`. Probed once per process.
 *
 * @example
 * ```ts
 * import { cgroupParent } from "./cgroup.ts";
 * console.log(cgroupParent() ?? "no usable cgroup v2 hierarchy");
 * ```
 */
export function cgroupParent(): string | undefined {
  if (probed === undefined) probed = probe() ?? null;
  return probed ?? undefined;
}

function probe(): string | undefined {
  const parent = ownCgroupDir();
  if (parent === undefined) return undefined;
  let leaf: string;
  try {
    leaf = createLeaf(parent);
  } catch {
    return undefined; // read-only, or not ours to write
  }
  const killable = existsSync(join(leaf, "cgroup.kill"));
  try {
    rmdirSync(leaf);
  } catch {
    return undefined;
  }
  return killable ? parent : undefined;
}

/**
 * Creates a new, empty leaf under `parent` and returns its path.
 *
 * @throws {SpawnError} when the directory cannot be created
 * @example
 * ```ts
 * import { cgroupParent, createLeaf, removeLeaf } from "./cgroup.ts";
 * const parent = cgroupParent();
 * if (parent !== undefined) await removeLeaf(createLeaf(parent));
 * ```
 */
export function createLeaf(parent: string): string {
  for (let attempt = 0;; attempt++) {
    const leaf = join(parent, `${LEAF_PREFIX}${++counter}`);
    try {
      mkdirSync(leaf);
      return leaf;
    } catch (e) {
      // A leaf a dead process of the same pid left behind: take the next name.
      if ((e as { code?: string }).code === "EEXIST" && attempt < 100) continue;
      const reason = e instanceof Error ? e.message : String(e);
      throw new SpawnError(`cannot create cgroup ${leaf}: ${reason}`, { cause: e });
    }
  }
}

/**
 * The argv prefix that makes a program join `leaf` before it starts: `/bin/sh` writes its own
 * pid to `cgroup.procs`, then `exec`s the program in its place (same pid, so the caller's
 * process id and group are the program's). Exits 126 if it cannot join.
 *
 * @example
 * ```ts
 * import { joinLeafPrefix } from "./cgroup.ts";
 * console.log([...joinLeafPrefix("/sys/fs/cgroup/unified/unstuck-1-1"), "sleep", "100"]);
 * ```
 */
export function joinLeafPrefix(leaf: string): string[] {
  return ["/bin/sh", "-c", 'echo $$ >"$0" || exit 126; exec "$@"', join(leaf, "cgroup.procs")];
}

/**
 * SIGKILLs every process in `leaf` (`cgroup.kill`). Never throws (it runs from timers): false if
 * the kill could not be written, true when it was or the leaf is gone already.
 *
 * @example
 * ```ts
 * import { killLeaf } from "./cgroup.ts";
 * console.log(killLeaf("/sys/fs/cgroup/unified/unstuck-1-1")); // true: nothing to kill there
 * ```
 */
export function killLeaf(leaf: string): boolean {
  try {
    writeFileSync(join(leaf, "cgroup.kill"), "1");
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "ENOENT";
  }
}

/**
 * Kills whatever still runs in `leaf`, waits (up to 10 s) until it is empty and removes it.
 * Resolves false if it was still populated then (a process stuck in uninterruptible sleep,
 * which not even SIGKILL ends until it wakes): the empty directory then stays behind.
 *
 * @example
 * ```ts
 * import { cgroupParent, createLeaf, removeLeaf } from "./cgroup.ts";
 * const parent = cgroupParent();
 * if (parent !== undefined) console.log(await removeLeaf(createLeaf(parent))); // true
 * ```
 */
export async function removeLeaf(leaf: string): Promise<boolean> {
  const deadline = Date.now() + EMPTY_WAIT_MS;
  for (let pause = 1;; pause = Math.min(pause * 2, 50)) {
    try {
      killLeaf(leaf);
      rmdirSync(leaf);
      return true;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT") return true;
      if (code !== "EBUSY" || Date.now() > deadline) return false;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

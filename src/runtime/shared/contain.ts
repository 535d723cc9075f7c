/**
 * Spawning with the options that contain a subprocess (`dieWithParent`, `cgroup`), on top of an
 * adapter's raw spawn. The program runs behind two `exec`s that keep its pid: `setpriv
 * --pdeathsig KILL` (when available and `dieWithParent`), then `/bin/sh` joining the cgroup leaf
 * (with `cgroup`). A lifeline watchdog (`dieWithParent`) is started before the program, knowing
 * the leaf, and armed with the program's group id right after.
 *
 * @module
 */
import type { SpawnOptions, Subprocess } from "../types.ts";
import { SpawnError } from "../errors.ts";
import { commandLine, ManagedSubprocess } from "./subprocess.ts";
import {
  CGROUP_V2_MOUNTS,
  cgroupParent,
  createLeaf,
  joinLeafPrefix,
  killLeaf,
  removeLeaf,
} from "./cgroup.ts";
import { type Lifeline, type StartChild, startLifeline } from "./lifeline.ts";
import { parentDeathPrefix } from "./parent_death.ts";
import { programProblem } from "./program.ts";

/** What containment this machine offers, as {@linkcode containmentSupport} reports it. */
export interface ContainmentSupport {
  /** The cgroup v2 directory leaves are created in, or null when `cgroup: "auto"` runs without. */
  cgroupParent: string | null;
  /** The `setpriv` that gives the parent-death signal, or null (the lifeline alone guards). */
  setpriv: string | null;
}

/**
 * What `dieWithParent` and `cgroup: "auto"` can use here (probed once per process): the cgroup
 * v2 directory for leaves, and the `setpriv` for the parent-death signal.
 *
 * @example
 * ```ts
 * import { containmentSupport } from "@unstuck/unstuck";
 * const { cgroupParent } = containmentSupport();
 * if (cgroupParent === null) console.error("commands that call setsid are not contained");
 * ```
 */
export function containmentSupport(): ContainmentSupport {
  return { cgroupParent: cgroupParent() ?? null, setpriv: parentDeathPrefix()[0] ?? null };
}

/**
 * Checks that this machine offers the containment `options` ask for: a usable cgroup v2
 * hierarchy for `cgroup: "required"` (the rest falls back by design). For a server, to refuse to
 * start rather than refuse every command.
 *
 * @throws {SpawnError} with code `ENOTSUP` when it does not
 * @throws {TypeError} for an unknown `cgroup` mode
 * @example
 * ```ts
 * import { checkContainment } from "./contain.ts";
 * checkContainment({ cgroup: "auto" }); // never throws: "auto" runs without when it must
 * ```
 */
export function checkContainment(options: Pick<SpawnOptions, "cgroup">): void {
  const mode = options.cgroup ?? "off";
  if (mode !== "auto" && mode !== "required" && mode !== "off") {
    throw new TypeError(`cgroup must be "auto", "required" or "off", got ${String(mode)}`);
  }
  if (mode === "required" && cgroupParent() === undefined) {
    throw new SpawnError(
      `no writable cgroup v2 hierarchy with cgroup.kill (looked in ${CGROUP_V2_MOUNTS.join(", ")})`,
      { code: "ENOTSUP" },
    );
  }
}

/** The leaf to run a subprocess in, as its `cgroup` option asks: created now, or undefined. */
function leafFor(options: SpawnOptions): string | undefined {
  if ((options.cgroup ?? "off") === "off") return undefined;
  const parent = cgroupParent();
  return parent === undefined ? undefined : createLeaf(parent);
}

/**
 * Spawns `options` with `start`, the adapter's raw spawn, applying `dieWithParent` and `cgroup`.
 *
 * @example
 * ```ts
 * import { spawnManaged } from "./contain.ts";
 * import type { StartChild } from "./lifeline.ts";
 * function run(start: StartChild): Promise<unknown> {
 *   return spawnManaged(start, { argv: ["sleep", "1"], dieWithParent: true }).status;
 * }
 * console.log(typeof run);
 * ```
 */
export function spawnManaged(start: StartChild, options: SpawnOptions): Subprocess {
  const argv = commandLine(options);
  checkContainment(options);
  if (!options.dieWithParent && (options.cgroup ?? "off") === "off") {
    return new ManagedSubprocess(start(argv, options), options);
  }
  // Behind the wrappers a missing program would only show as exit status 127.
  const problem = programProblem(argv[0], options);
  if (problem !== undefined) throw problem;
  const leaf = leafFor(options);
  let lifeline: Lifeline | undefined;
  try {
    lifeline = options.dieWithParent ? startLifeline(start, leaf) : undefined;
    const handle = start([
      ...(options.dieWithParent ? parentDeathPrefix() : []),
      ...(leaf === undefined ? [] : joinLeafPrefix(leaf)),
      ...argv,
    ] as [string, ...string[]], options);
    lifeline?.arm(handle.pid);
    return new ManagedSubprocess({
      ...handle,
      killGroup(signal) {
        handle.killGroup(signal);
        if (leaf !== undefined && signal === "SIGKILL") killLeaf(leaf);
      },
      async release() {
        // It has ended: what it left behind goes now, as nothing could kill it later.
        handle.killGroup("SIGKILL");
        if (leaf !== undefined) await removeLeaf(leaf);
        await lifeline?.stop();
      },
    }, options);
  } catch (e) {
    void lifeline?.stop();
    if (leaf !== undefined) void removeLeaf(leaf);
    throw e;
  }
}

/**
 * The parent-death signal: `setpriv --pdeathsig KILL` (util-linux 2.33+) asks the kernel to
 * SIGKILL the child when the thread that forked it dies, from the child's first instruction on,
 * and it survives the `exec` of the program (unless that one is setuid or has file
 * capabilities). It reaches the child only, not its descendants: the lifeline watchdog
 * (`lifeline.ts`) kills those. Deno, Bun and Node fork from their main thread (checked with
 * strace), so there it means "when this process dies".
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { findOnPath } from "./program.ts";

let prefix: readonly string[] | undefined;

/**
 * The argv prefix that gives a program a parent-death SIGKILL: `[setpriv, "--pdeathsig", "KILL",
 * "--"]`, or `[]` when no `setpriv` supporting it is on our `PATH` (probed once per process by
 * running it; older util-linux lacks the option).
 *
 * @example
 * ```ts
 * import { parentDeathPrefix } from "./parent_death.ts";
 * console.log([...parentDeathPrefix(), "sleep", "100"]);
 * ```
 */
export function parentDeathPrefix(): readonly string[] {
  if (prefix === undefined) {
    const setpriv = findOnPath("setpriv");
    const candidate = setpriv === undefined ? [] : [setpriv, "--pdeathsig", "KILL", "--"];
    prefix = candidate.length > 0 && works(candidate) ? candidate : [];
  }
  return prefix;
}

function works(candidate: readonly string[]): boolean {
  try {
    const probe = spawnSync(candidate[0], [...candidate.slice(1), "true"], {
      stdio: "ignore",
      timeout: 5_000,
    });
    return probe.status === 0;
  } catch {
    return false;
  }
}

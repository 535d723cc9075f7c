/**
 * Why a program cannot start, worked out before (or instead of) asking the OS: a missing working
 * directory, a program not found on the child's `PATH`, one that is not executable. The node
 * adapter needs it because Node reports a failed spawn only asynchronously; a contained spawn
 * needs it because its wrappers (`setpriv`, `/bin/sh`) would start fine and the program's
 * absence would show up only as exit status 127.
 *
 * @module
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import process from "node:process";
import type { SpawnOptions } from "../types.ts";
import { SpawnError } from "../errors.ts";

/** The search path `execvp` uses when `PATH` is unset (glibc's `_CS_PATH`). */
const DEFAULT_PATH = "/bin:/usr/bin";

/**
 * The reason `file` cannot start with these options (its working directory and environment), or
 * undefined when nothing is visibly wrong.
 *
 * @example
 * ```ts
 * import { programProblem } from "./program.ts";
 * console.log(programProblem("no-such-program", {})?.code); // "ENOENT"
 * console.log(programProblem("sh", {})); // undefined
 * ```
 */
export function programProblem(file: string, options: SpawnOptions): SpawnError | undefined {
  const cwd = options.cwd ?? process.cwd();
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    return new SpawnError(`cannot start ${file}: no such working directory ${cwd}`, {
      code: "ENOENT",
    });
  }
  const path = (options.env ? options.env.PATH : process.env.PATH) ?? DEFAULT_PATH;
  const candidates = file.includes("/")
    ? [isAbsolute(file) ? file : resolve(cwd, file)]
    : path.split(delimiter).filter(Boolean).map((dir) => join(resolve(cwd, dir), file));
  const found = candidates.filter((p) => existsSync(p) && !statSync(p).isDirectory());
  if (found.length === 0) {
    return new SpawnError(`cannot start ${file}: not found`, { code: "ENOENT" });
  }
  if (!found.some(isExecutable)) {
    return new SpawnError(`cannot start ${file}: permission denied`, { code: "EACCES" });
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path of `name` on this process's own `PATH`, or undefined (for the helpers a
 * contained spawn runs, which do not depend on the child's environment).
 *
 * @example
 * ```ts
 * import { findOnPath } from "./program.ts";
 * console.log(findOnPath("setpriv")); // "/usr/bin/setpriv", or undefined
 * ```
 */
export function findOnPath(name: string): string | undefined {
  const path = process.env.PATH ?? DEFAULT_PATH;
  return path.split(delimiter).filter((dir) => isAbsolute(dir)).map((dir) => join(dir, name))
    .find((p) => existsSync(p) && !statSync(p).isDirectory() && isExecutable(p));
}

// Locates files of the project from a test, whether the test runs from tests/ (Deno, Bun) or from
// its compiled copy in .build/node/tests/ (Node).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "unstuck") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("project root not found above " + import.meta.url);
    dir = up;
  }
}

/** Absolute path of the project's root directory. */
export const ROOT: string = findRoot();

/** Absolute path of a file given relative to the project root. */
export function projectPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

/** Reads and parses a JSON file given relative to the project root. */
export function readJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(projectPath(...parts), "utf8")) as T;
}

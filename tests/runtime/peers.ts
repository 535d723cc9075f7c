// Starting helper scripts (tests/runtime/peers/) as processes of a given runtime. Deno and Bun
// run the TypeScript; Node 20 cannot, so it runs tsc's compiled copy in .build/node, which the test
// runner builds for the Node run and which is rebuilt here when a source is newer.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AdapterName } from "../../src/runtime/types.ts";
import { projectPath } from "../_helpers/paths.ts";

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === "fixtures" || name === "node_modules") continue;
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (name.endsWith(".ts")) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

/** Path of the compiled copy of `script` (relative to the root), compiling first if stale. */
export function compiledForNode(script: string): string {
  const out = projectPath(".build", "node", script.replace(/\.ts$/, ".js"));
  const sources = Math.max(
    newestSource(projectPath("src")),
    newestSource(projectPath("tests")),
    statSync(projectPath("mod.ts")).mtimeMs,
  );
  if (!existsSync(out) || statSync(out).mtimeMs < sources) {
    const tsc = spawnSync(
      projectPath("node_modules", ".bin", "tsc"),
      ["-p", "tsconfig.test.json"],
      {
        cwd: projectPath(),
        encoding: "utf8",
      },
    );
    if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  }
  return out;
}

/** The argv that runs `script` (a .ts path relative to the project root) in `runtime`. */
export function peerArgv(
  runtime: AdapterName,
  script: string,
  args: readonly string[],
  options: { unstableNet?: boolean } = {},
): string[] {
  switch (runtime) {
    case "deno":
      return [
        projectPath("node_modules", ".bin", "deno"),
        "run",
        "--allow-all",
        ...(options.unstableNet === false ? [] : ["--unstable-net"]),
        projectPath(script),
        ...args,
      ];
    case "bun":
      return [projectPath("node_modules", ".bin", "bun"), projectPath(script), ...args];
    case "node":
      return ["node", compiledForNode(script), ...args];
  }
}

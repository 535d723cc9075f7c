// Every TypeScript snippet of README.md runs, as written, in this runtime: the only change is its
// import specifiers ("@unstuck/unstuck" and its subpaths, the JSR names) pointing at this
// checkout's entry points (deno.json's exports). Each runs in a subprocess (bounded, killed with
// its process group after) and must exit 0: a snippet that starts a server must also close it.
// Node 20 cannot run TypeScript, so for Node the snippets alone are compiled with tsc first, which
// type-checks them too, against the test build (.build/node, with declarations) that
// scripts/test.mjs made: src is not compiled again.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { killAll, Running, RUNTIME } from "./_helpers/cli.ts";
import { projectPath, readJson } from "./_helpers/paths.ts";

const IMPORT = /from "@unstuck\/unstuck(\/[a-z/]+)?"/g;
const EXPORTS = readJson<{ exports: Record<string, string> }>("deno.json").exports;
const RUN_TIMEOUT_MS = 60_000;

/** A ```ts block of README.md, named after the line its code starts on. */
interface Snippet {
  line: number;
  name: string;
  code: string;
}

function snippets(markdown: string): Snippet[] {
  const found: Snippet[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === "```");
    assert.ok(end > i, `unclosed code block at README.md:${i + 1}`);
    const code = lines.slice(i + 1, end).join("\n") + "\n";
    found.push({ line: i + 2, name: `readme_line_${i + 2}`, code });
    i = end;
  }
  return found;
}

const all = snippets(readFileSync(projectPath("README.md"), "utf8"));
// The snippets are written into the checkout (.build/ is ignored), so that the rewritten imports
// are relative: to the sources for Deno and Bun, to the test build's .js (and .d.ts) for Node.
const dir = projectPath(".build", "readme", RUNTIME);
/** What tsc said about the snippets (Node only). */
let diagnostics = "";

after(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The command that runs a snippet in this runtime. */
function command(s: Snippet): [string, string[]] {
  const source = join(dir, `${s.name}.ts`);
  switch (RUNTIME) {
    case "deno":
      return [process.execPath, ["run", "-A", "--unstable-net", source]];
    case "bun":
      return [process.execPath, [source]];
    default:
      return [process.execPath, [join(dir, `${s.name}.js`)]];
  }
}

/** The import specifier, relative to `dir`, that stands for `@unstuck/unstuck` + `subpath`. */
function target(subpath = ""): string {
  const entry = EXPORTS[`.${subpath}`];
  assert.ok(entry, `deno.json exports no .${subpath}`);
  const file = entry.replace(/^\.\//, "");
  return RUNTIME === "node" ? `../../node/${file.replace(/\.ts$/, ".js")}` : `../../../${file}`;
}

/** Compiles the snippets alone for Node, each .js beside its .ts. */
function compileForNode(): void {
  const tsconfig = {
    extends: "../../../tsconfig.json",
    compilerOptions: { noEmit: false, allowImportingTsExtensions: false, types: ["node"] },
    files: all.map((s) => `${s.name}.ts`),
    include: [], // else the base's, relative to it: every source, compiled in place
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  // tsc emits despite type errors; each snippet's test reports its own.
  const tsc = spawnSync(projectPath("node_modules", ".bin", "tsc"), ["-p", dir], {
    cwd: projectPath(),
    encoding: "utf8",
    timeout: 120_000,
  });
  diagnostics = tsc.status === 0 ? "" : `${tsc.stdout}${tsc.stderr}${tsc.error ?? ""}`;
}

describe("README.md TypeScript snippets", () => {
  before(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const s of all) {
      const code = s.code.replace(IMPORT, (_, subpath) => `from "${target(subpath)}"`);
      writeFileSync(join(dir, `${s.name}.ts`), code);
    }
    if (RUNTIME === "node") compileForNode();
  });

  it("has the snippets, each importing the package by its JSR name or not at all", () => {
    assert.ok(all.length >= 5, `only ${all.length} ts blocks found`);
    for (const s of all) {
      const imports = [...s.code.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
      assert.ok(
        imports.every((i) => /^@unstuck\/unstuck(\/|$)/.test(i)),
        `README.md:${s.line} imports ${imports}`,
      );
    }
  });

  for (const s of all) {
    it(`README.md:${s.line} runs and exits 0`, async () => {
      const errors = diagnostics.split("\n").filter((l) => l.includes(`${s.name}.ts`));
      assert.deepEqual(errors, [], `tsc on README.md:${s.line}:\n${errors.join("\n")}`);
      const [cmd, args] = command(s);
      const proc = new Running(cmd, args);
      proc.endInput();
      const done = await proc.wait(RUN_TIMEOUT_MS);
      assert.equal(
        done.code,
        0,
        `README.md:${s.line} exited ${done.code ?? done.signal}\n--- stdout:\n${done.stdout}` +
          `\n--- stderr:\n${done.stderr}`,
      );
    });
  }
});

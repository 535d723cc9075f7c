// Guards on the shape of the project itself: versions agree, mod.ts only re-exports, and
// runtime-specific code stays inside the adapter folder (src/runtime/).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { projectPath, readJson, ROOT } from "./_helpers/paths.ts";
import { VERSION } from "../mod.ts";

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("project", () => {
  it("has one version in deno.json, package.json and src/version.ts", () => {
    assert.equal(readJson<{ version: string }>("deno.json").version, VERSION);
    assert.equal(readJson<{ version: string }>("package.json").version, VERSION);
  });

  it("mod.ts holds re-exports only", () => {
    const text = readFileSync(projectPath("mod.ts"), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const statements = text.split(";").map((s) => s.trim()).filter(Boolean);
    for (const s of statements) {
      assert.match(s, /^export (type )?(\*|\{[^}]*\}) from "\.\/src\/[^"]+\.ts"$/, s);
    }
  });

  it("keeps runtime-specific code inside src/runtime/", () => {
    const offenders: string[] = [];
    for (const file of walk(projectPath("src"))) {
      const rel = relative(ROOT, file).replaceAll("\\", "/");
      if (rel.startsWith("src/runtime/")) continue;
      const text = readFileSync(file, "utf8");
      const bad = /\bDeno\.|\bBun\.|typeof Deno|typeof Bun|from "node:|import\("node:/.exec(text);
      if (bad) offenders.push(`${rel}: ${bad[0]}`);
    }
    assert.deepEqual(offenders, []);
  });
});

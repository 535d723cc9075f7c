// The npm package as `npm pack` (and `npm publish`) makes it, scripts and all: its package.json
// carries no install script (the checkout's `prepare` builds dist/ on `npm ci` and would make npm
// warn everyone who installs the package), installing it says nothing about scripts, and the
// checkout's package.json is as it was. tests/cli/npx.test.ts checks the installed bin, import
// and types.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { projectPath, ROOT } from "./_helpers/paths.ts";

const tmp = mkdtempSync(join(tmpdir(), "unstuck-packing-"));
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "preprepare", "prepare"];

after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a command to its end (bounded) and fails unless it exits 0; returns stdout and stderr. */
function run(cmd: string, args: string[], cwd = ROOT): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}:\n${r.stdout}${r.stderr}${r.error ?? ""}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

describe("npm pack", () => {
  const manifest = projectPath("package.json");
  const before = readFileSync(manifest, "utf8");
  let tarball = "";

  it("packs a package.json without install scripts, and leaves the checkout's as it was", () => {
    // As `npm publish` does: with the lifecycle scripts (prepack builds dist/).
    const out = run("npm", ["pack", "--json", "--pack-destination", tmp]).stdout;
    tarball = join(tmp, JSON.parse(out.slice(out.indexOf("[")))[0].filename);
    assert.equal(readFileSync(manifest, "utf8"), before, "package.json differs after npm pack");
    assert.ok(!existsSync(projectPath(".build", "package.json.before-pack")));
    const packed = JSON.parse(
      run("tar", ["-xzOf", tarball, "package/package.json"]).stdout,
    ) as { scripts?: Record<string, string>; bin: Record<string, string> };
    for (const name of INSTALL_SCRIPTS) {
      assert.equal(packed.scripts?.[name], undefined, `the packed package.json has ${name}`);
    }
    const listed = run("tar", ["-tzf", tarball]).stdout.split("\n");
    assert.ok(listed.includes(`package/${packed.bin.unstuck.replace(/^\.\//, "")}`));
  });

  it("installs into an empty project without a word about install scripts", () => {
    assert.ok(tarball, "no tarball (the pack test failed)");
    const app = join(tmp, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), '{ "private": true, "type": "module" }\n');
    const { stdout, stderr } = run("npm", ["install", "--offline", "--no-audit", tarball], app);
    assert.doesNotMatch(stdout + stderr, /install-scripts|prepare|allowScripts/, stdout + stderr);
    assert.match(run("npx", ["--no-install", "unstuck", "--version"], app).stdout, /^unstuck /);
  });

  it("a pack that died before postpack is undone by the next one", () => {
    const strip = (): void => void run("node", ["scripts/pack_manifest.mjs", "strip"]);
    try {
      strip();
      strip(); // as after a pack that never ran postpack
      assert.doesNotMatch(readFileSync(manifest, "utf8"), /"prepare"/);
    } finally {
      run("node", ["scripts/pack_manifest.mjs", "restore"]);
    }
    assert.equal(readFileSync(manifest, "utf8"), before);
  });
});

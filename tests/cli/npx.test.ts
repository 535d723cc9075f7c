// The README's quick start, `npm ci && npx unstuck demo`: npm's `prepare` builds dist/ (here:
// `npm run build`, the same tsc command), and `npx unstuck` runs package.json's bin from it.
// The package as npm users get it (`npm pack`, installed into an empty project: every entry point
// imported and type-checked) is tests/packing.test.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import process from "node:process";
import { killAll, Running } from "../_helpers/cli.ts";
import { projectPath, readJson, ROOT } from "../_helpers/paths.ts";
import { VERSION } from "../../mod.ts";

after(killAll);

/** Runs a command to its end (bounded); fails the test unless it exits 0. Returns its stdout. */
function run(cmd: string, args: string[], cwd = ROOT): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, ...npmEnv },
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const npmEnv = { npm_config_update_notifier: "false", npm_config_fund: "false" };

describe("npx unstuck", () => {
  before(() => {
    const scripts = readJson<{ scripts: Record<string, string> }>("package.json").scripts;
    assert.equal(scripts.prepare, scripts.build, "npm ci builds what `npm run build` builds");
    // tsc keeps the mode of a file it overwrites: start from none, as a fresh clone does.
    rmSync(projectPath(readJson<{ bin: Record<string, string> }>("package.json").bin.unstuck), {
      force: true,
    });
    run("npm", ["run", "--silent", "build"]);
  });

  // `npx unstuck` here runs the link npm made in its cache on the first run; a later build (a
  // fresh clone at the same path) must leave a file that runs without npm setting its mode again.
  it("the built bin is executable and runs by itself", () => {
    const bin = readJson<{ bin: Record<string, string> }>("package.json").bin.unstuck;
    assert.notEqual(statSync(projectPath(bin)).mode & 0o111, 0, `${bin} is not executable`);
    assert.equal(run(projectPath(bin), ["--version"]), `unstuck ${VERSION}\n`);
  });

  it("npx unstuck demo exits 0 and shows the fix", async () => {
    const proc = new Running("npx", ["--no-install", "unstuck", "demo"], npmEnv);
    proc.endInput();
    const done = await proc.wait(60_000);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /decoded messages: "hello", "world"/);
  });

  it("npx unstuck --version", async () => {
    const proc = new Running("npx", ["--no-install", "unstuck", "--version"], npmEnv);
    proc.endInput();
    const done = await proc.wait(60_000);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /^unstuck \d+\.\d+\.\d+\n$/);
  });

  it("ships every file the README links to, on npm and on JSR", () => {
    const readme = readFileSync(projectPath("README.md"), "utf8");
    const links = [...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)].map((m) => m[1]);
    assert.ok(links.length > 0, "the README links to no file");
    const packed = JSON.parse(run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]));
    const npmFiles: string[] = packed[0].files.map((f: { path: string }) => f.path);
    const jsr = readJson<{ publish: { include: string[] } }>("deno.json").publish.include;
    for (const link of links) {
      assert.ok(npmFiles.includes(link), `npm package lacks ${link}`);
      assert.ok(
        jsr.some((entry) => entry === link || (entry.endsWith("/") && link.startsWith(entry))),
        `JSR package lacks ${link}`,
      );
    }
  });
});

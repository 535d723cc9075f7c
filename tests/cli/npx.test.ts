// The README's quick start, `npm ci && npx unstuck demo`: npm's `prepare` builds dist/ (here:
// `npm run build`, the same tsc command), and `npx unstuck` runs package.json's bin from it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { killAll, Running } from "../_helpers/cli.ts";
import { readJson } from "../_helpers/paths.ts";

after(killAll);

const npmEnv = { npm_config_update_notifier: "false", npm_config_fund: "false" };

describe("npx unstuck", () => {
  before(() => {
    const scripts = readJson<{ scripts: Record<string, string> }>("package.json").scripts;
    assert.equal(scripts.prepare, scripts.build, "npm ci builds what `npm run build` builds");
    const r = spawnSync("npm", ["run", "--silent", "build"], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, ...npmEnv },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
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
});

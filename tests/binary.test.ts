// The single `unstuck` binary: `npm run compile` (bun build --compile) makes one that runs the
// demo and serves echo with no runtime installed beside it. `deno task compile` needs a Deno
// runtime image (denort) that this machine cannot download; what can run of it here does.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { killAll, Running, startServer } from "./_helpers/cli.ts";
import { projectPath, readJson } from "./_helpers/paths.ts";

const dir = mkdtempSync(join(tmpdir(), "unstuck-binary-"));
const binary = join(dir, "unstuck");

after(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("single binary (bun build --compile)", () => {
  before(() => {
    // The same command as `npm run compile`, into a temporary directory.
    const script = readJson<{ scripts: Record<string, string> }>("package.json").scripts.compile;
    assert.equal(script, "bun build --compile --outfile unstuck src/cli/main.ts");
    const r = spawnSync(
      projectPath("node_modules/.bin/bun"),
      ["build", "--compile", "--outfile", binary, "src/cli/main.ts"],
      { cwd: projectPath(), encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.ok(statSync(binary).size > 1_000_000);
  });

  it("runs the demo", async () => {
    const proc = new Running(binary, ["demo"]);
    proc.endInput();
    const done = await proc.wait(30_000);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /decoded messages: "hello", "world"/);
    assert.match(done.stdout, /identical to what was sent/);
  });

  it("serves echo, answers echo send, and stops on SIGTERM with exit 0", async () => {
    const { proc, port } = await startServer(
      [],
      new Running(binary, ["echo", "serve", "--upper", "--port", "0"]),
    );
    const send = new Running(binary, ["echo", "send", "--port", String(port), "single", "binary"]);
    send.endInput();
    const sent = await send.wait();
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout, "SINGLE\nBINARY\n");
    proc.signal("SIGTERM");
    assert.equal((await proc.wait()).code, 0);
  });

  it("keeps the CLI's exit codes: --version 0, usage error 2", async () => {
    const version = new Running(binary, ["--version"]);
    version.endInput();
    assert.equal((await version.wait()).code, 0);
    const bad = new Running(binary, ["echo", "serve", "--port", "x"]);
    bad.endInput();
    const done = await bad.wait();
    assert.equal(done.code, 2);
    assert.match(done.stderr, /--port needs an integer/);
  });
});

describe("deno task compile", () => {
  it("gets as far as the runtime image: graph and type check pass, only denort is missing", () => {
    const task = readJson<{ tasks: Record<string, string> }>("deno.json").tasks.compile;
    assert.equal(task, "deno compile -A --unstable-net --output unstuck src/cli/main.ts");
    // DENORT_BIN names a local denort binary for offline builds; pointing it at nothing shows
    // that everything before that step succeeds here.
    const missing = join(dir, "no-denort");
    const r = spawnSync(
      projectPath("node_modules/.bin/deno"),
      ["compile", "-A", "--unstable-net", "--output", join(dir, "unstuck-deno"), "src/cli/main.ts"],
      {
        cwd: projectPath(),
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, DENORT_BIN: missing, NO_COLOR: "1" },
      },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`Could not find denort at '${missing}'`), r.stderr);
    assert.doesNotMatch(r.stderr, /TS\d{4}|Module not found/);
  });
});

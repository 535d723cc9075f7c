// The single `unstuck` binary: `npm run compile` (bun build --compile) makes one that runs the
// demo and serves echo with no runtime installed beside it. `deno task compile` needs a Deno
// runtime image (denort) that this machine cannot download; everything before that step runs.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Env, killAll, Running, startServer } from "./_helpers/cli.ts";
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

/** A loopback port nothing listens on (one just closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("deno task compile", () => {
  // The task runner runs what it finds in node_modules/.bin as a JavaScript file, and after
  // `npm ci` node_modules/.bin/deno is the Deno binary itself ("SyntaxError: Invalid or
  // unexpected token" at "ELF"). Run through the task, as a user does: everything before the
  // runtime image (denort) must succeed, and DENORT_BIN must reach `deno compile`.
  async function task(env: Env): Promise<string> {
    const proc = new Running(projectPath("node_modules/.bin/deno"), ["task", "compile"], env);
    proc.endInput();
    const done = await proc.wait(180_000);
    // deno takes any FORCE_COLOR (the test runner sets 0) as a request for colour.
    // deno-lint-ignore no-control-regex -- colour codes are exactly what is stripped here
    const output = (done.stdout + done.stderr).replace(/\x1b\[[0-9;]*m/g, "");
    assert.notEqual(done.code, 0, output);
    assert.doesNotMatch(output, /SyntaxError|Invalid or unexpected token|TS\d{4}|not found/);
    assert.match(output, /Compile src\/cli\/main\.ts to unstuck/, output);
    return output;
  }

  it("uses DENORT_BIN: a missing one is the only error", async () => {
    const missing = join(dir, "no-denort");
    const output = await task({ DENORT_BIN: missing });
    assert.match(output, new RegExp(`Could not find denort at '${missing}'`), output);
  });

  it("without DENORT_BIN and offline, fails at the denort download and only there", async () => {
    // An empty DENO_DIR holds no cached denort; a proxy that refuses connections is "offline".
    const port = await closedPort();
    const output = await task({
      DENORT_BIN: undefined,
      DENO_DIR: join(dir, "deno-dir"),
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
      https_proxy: undefined,
      NO_PROXY: undefined,
      no_proxy: undefined,
    });
    assert.match(output, /Download https:\/\/\S+\/denort-\S+\.zip/, output);
    assert.match(output, /error sending request for url \(https:\/\/\S+\/denort-/, output);
  });
});

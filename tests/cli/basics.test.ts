// The CLI's frame, spawned as a user runs it: help, version, exit codes, usage errors.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { killAll, runCli } from "../_helpers/cli.ts";
import { readJson } from "../_helpers/paths.ts";
import { VERSION } from "../../mod.ts";

after(killAll);

/** A usage error: exit 2, nothing on stdout, one line on stderr that says what and where. */
async function usageError(args: string[], pattern: RegExp): Promise<void> {
  const r = await runCli(args);
  assert.equal(r.code, 2, `exit code of ${args.join(" ")}: ${r.stderr}`);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `stderr of ${args.join(" ")}:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.match(lines[0], /--help/);
}

describe("unstuck CLI basics", () => {
  it("--version and -V print the version", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await runCli([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `unstuck ${VERSION}\n`);
      assert.equal(r.stderr, "");
    }
  });

  it("--help lists every command and exits 0", async () => {
    const r = await runCli(["--help"]);
    assert.equal(r.code, 0);
    for (const command of ["echo", "chat", "exec", "demo", "struct"]) {
      assert.match(r.stdout, new RegExp(`^  ${command} `, "m"), `${command} in help`);
      assert.match(r.stdout, new RegExp(`^  unstuck ${command} `, "m"), `${command} example`);
    }
    assert.match(r.stdout, /--version/);
    assert.equal(r.stderr, "");
  });

  it("no arguments, or a group without its command, is a usage error naming the commands", async () => {
    await usageError([], /^unstuck: missing command, one of: echo, chat, exec, demo, struct /);
    await usageError(["echo"], /^unstuck echo: missing command, one of: serve, send /);
    await usageError(["exec"], /^unstuck exec: missing command, one of: serve, run /);
  });

  it("every group and command has --help that exits 0", async () => {
    const paths = [
      ["echo"],
      ["echo", "serve"],
      ["echo", "send"],
      ["chat"],
      ["chat", "serve"],
      ["chat", "join"],
      ["exec"],
      ["exec", "serve"],
      ["exec", "run"],
      ["demo"],
      ["struct"],
      ["struct", "pack"],
      ["struct", "unpack"],
      ["struct", "calcsize"],
    ];
    for (const path of paths) {
      const r = await runCli([...path, "--help"]);
      assert.equal(r.code, 0, path.join(" "));
      assert.match(r.stdout, new RegExp(`^Usage: unstuck ${path.join(" ")} `, "m"));
      assert.equal(r.stderr, "");
    }
  });

  it("documents the defaults: host 127.0.0.1, ports 8080-8082, 8 MiB frames", async () => {
    const echo = await runCli(["echo", "serve", "--help"]);
    assert.match(echo.stdout, /--host HOST .*\(default: 127\.0\.0\.1\)/);
    assert.match(echo.stdout, /--port PORT .*\(default: 8080\)/);
    assert.match(echo.stdout, /--max-frame N .*\(default: 8388608\)/);
    const chat = await runCli(["chat", "serve", "--help"]);
    assert.match(chat.stdout, /--port PORT .*\(default: 8081\)/);
    assert.match(chat.stdout, /--idle SECONDS .*\(default: 300\)/);
    assert.match(chat.stdout, /--max-peers N .*\(default: 1024\)/);
    for (const command of ["serve", "run"]) {
      const exec = await runCli(["exec", command, "--help"]);
      assert.match(exec.stdout, /--host HOST .*\(default: 127\.0\.0\.1\)/);
      assert.match(exec.stdout, /-p, --port PORT .*\(default: 8082\)/);
    }
    const serve = await runCli(["exec", "serve", "--help"]);
    assert.match(serve.stdout, /--timeout SECONDS .*\(default: 30\)/);
    assert.match(serve.stdout, /--max-output BYTES .*\(default: 67108864\)/);
  });

  it("usage errors exit 2 with one line on stderr", async () => {
    await usageError(["frobnicate"], /unknown command 'frobnicate'/);
    await usageError(["--frob"], /unknown flag --frob/);
    await usageError(["echo", "shout"], /unknown command 'shout'/);
    await usageError(["echo", "serve", "--port"], /--port needs a value/);
    await usageError(["echo", "serve", "--port", "http"], /--port needs an integer/);
    await usageError(["echo", "serve", "--port", "70000"], /--port must be at most 65535/);
    await usageError(["echo", "serve", "--header", "Z"], /--header/);
    await usageError(["echo", "serve", "--header", "2i"], /--header/);
    await usageError(["echo", "serve", "--header", "f"], /--header/);
    await usageError(["echo", "serve", "--max-frame", "0"], /--max-frame must be at least 1/);
    await usageError(["echo", "serve", "--udp", "--header", "i"], /--header is for TCP/);
    await usageError(["echo", "serve", "--udp", "--max-connections", "9"], /is for TCP/);
    await usageError(["echo", "serve", "--max-connections", "0"], /must be at least 1/);
    await usageError(["echo", "serve", "extra"], /unexpected argument 'extra'/);
    await usageError(["echo", "serve", "--upper=yes"], /--upper takes no value/);
    await usageError(["echo", "send", "--timeout", "0", "x"], /--timeout must be at least 1/);
    // Port 0 means "any free port" to a server; a client cannot connect to it.
    await usageError(["echo", "send", "--port", "0", "x"], /--port must be at least 1/);
    await usageError(["chat", "join", "--port", "0"], /--port must be at least 1/);
    await usageError(["exec", "run", "--port", "0", "--", "true"], /--port must be at least 1/);
    await usageError(
      ["echo", "serve", "--adapter", "python"],
      /--adapter must be node, deno or bun/,
    );
    await usageError(["chat", "serve", "--idle", "0"], /--idle must be at least 1/);
    await usageError(["chat", "serve", "--max-peers", "-1"], /--max-peers must be at least 1/);
    await usageError(["chat", "join", "--name"], /--name needs a value/);
    await usageError(["demo", "now"], /unexpected argument 'now'/);
    await usageError(["exec", "serve", "now"], /unexpected argument 'now'/);
    await usageError(["exec", "run", "--adapter", "python", "--", "true"], /--adapter must be/);
    await usageError(["exec", "run", "--", ""], /the program name is empty/);
    await usageError(["exec", "run", "--shell", "--", " "], /the shell command is empty/);
    await usageError(["exec", "serve", "--allow", ""], /--allow needs a program name/);
  });

  it("runtime errors exit 1 with one line on stderr", async () => {
    // Nothing listens on port 1 of loopback (it needs root to bind, and nobody does here).
    const r = await runCli(["echo", "send", "--port", "1", "hello"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^unstuck echo send: error: /);
  });

  it("package.json bin and deno.json exports point at the CLI entry", () => {
    const pkg = readJson<{ bin: Record<string, string> }>("package.json");
    assert.equal(pkg.bin.unstuck, "./dist/src/cli/main.js");
    const deno = readJson<{ exports: Record<string, string> }>("deno.json");
    assert.equal(deno.exports["./cli"], "./src/cli/main.ts");
  });
});

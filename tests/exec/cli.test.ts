// `unstuck exec serve` and `unstuck exec run` as processes, the way a user runs them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliProcess, runCli } from "./_cli.ts";
import { pseudoRandom, tempDir } from "./_helpers.ts";

const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, "cli-test-token\n", { mode: 0o600 });
const wrongTokenFile = join(tmp.dir, "wrong-token");
writeFileSync(wrongTokenFile, "not-the-token\n", { mode: 0o600 });
const NO_ENV_TOKEN = { UNSTUCK_TOKEN: undefined };

/** Starts `exec serve` on port 0 and reads the port from its first line. */
async function serve(...flags: string[]): Promise<{ proc: CliProcess; port: string }> {
  const proc = new CliProcess(
    ["exec", "serve", "--port", "0", "--token-file", tokenFile, ...flags],
    NO_ENV_TOKEN,
  );
  const [line, port] = await proc.waitForStdout(/^listening on tcp:\/\/127\.0\.0\.1:(\d+)\n/);
  assert.equal(proc.stdoutText, line, "the listening line comes first");
  return { proc, port };
}

function client(port: string, ...args: string[]): string[] {
  return ["exec", "run", "--port", port, "--token-file", tokenFile, ...args];
}

after(() => tmp.remove());

describe("unstuck exec (CLI)", () => {
  let server: CliProcess;
  let port: string;
  before(async () => ({ proc: server, port } = await serve("--timeout", "1")));
  after(async () => {
    server.kill("SIGTERM");
    await server.code(10_000).catch(() => server.kill());
  });

  it("runs echo hi and logs one line for it", async () => {
    const r = await runCli(client(port, "--", "echo", "hi"));
    assert.equal(r.err, "");
    assert.equal(r.out, "hi\n");
    assert.equal(r.code, 0);
    await server.waitForStderr(/peer=127\.0\.0\.1:\d+ argv=\["echo","hi"\] exit=0 duration=\d+ms/);
  });

  it("takes the token from UNSTUCK_TOKEN too", async () => {
    const r = await runCli(["exec", "run", "--port", port, "--", "echo", "env"], {
      env: { UNSTUCK_TOKEN: "cli-test-token" },
    });
    assert.equal(r.out, "env\n");
  });

  it("exits with the remote exit code", async () => {
    assert.equal((await runCli(client(port, "--", "sh", "-c", "exit 3"))).code, 3);
    assert.equal((await runCli(client(port, "--", "sh", "-c", "kill -TERM $$"))).code, 143);
  });

  it("exits 255 for a wrong token and runs nothing", async () => {
    const marker = join(tmp.dir, "cli-wrong-token-marker");
    const r = await runCli([
      "exec",
      "run",
      "--port",
      port,
      "--token-file",
      wrongTokenFile,
      "--",
      "touch",
      marker,
    ]);
    assert.equal(r.code, 255);
    assert.match(r.err, /authentication failed/);
    assert.equal(existsSync(marker), false);
  });

  it("exits 255 when nothing listens", async () => {
    const r = await runCli(client("1", "--", "true"));
    assert.equal(r.code, 255);
    assert.match(r.err, /cannot connect to tcp:\/\/127\.0\.0\.1:1/);
  });

  it("prints $(...) in argv literally", async () => {
    const marker = join(tmp.dir, "cli-argv-marker");
    const r = await runCli(client(port, "--", "echo", `$(touch ${marker})`));
    assert.equal(r.out, `$(touch ${marker})\n`);
    assert.equal(existsSync(marker), false);
  });

  it("exits 127 for a shell command the server refuses", async () => {
    const r = await runCli(client(port, "--shell", "--", "echo", "hi"));
    assert.equal(r.code, 127);
    assert.match(r.err, /shell commands are not enabled on this server/);
  });

  it("exits 124 when the command times out", async () => {
    const r = await runCli(client(port, "--", "sleep", "30"), { ms: 10_000 });
    assert.equal(r.code, 124);
  });

  it("writes 5,000,000 bytes of stdout exactly, stderr apart", async () => {
    const file = join(tmp.dir, "cli-five-million");
    const data = pseudoRandom(5_000_000, 5);
    writeFileSync(file, data);
    const r = await runCli(client(port, "--", "sh", "-c", `cat ${file}; echo done >&2`));
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, data.length);
    assert.ok(r.stdout.equals(Buffer.from(data)), "bytes differ");
    assert.equal(r.err, "done\n");
  });

  it("stops quietly with 141 when its own stdout closes (| head), killing the command", async () => {
    const proc = new CliProcess(client(port, "--", "yes"), NO_ENV_TOKEN);
    proc.child.stdin!.end();
    await proc.waitForStdout(/y\ny\n/);
    proc.child.stdout!.destroy(); // the reader goes away, as `| head -2` does
    assert.equal(await proc.code(), 141);
    assert.equal(proc.stderrText, "");
    await server.waitForStderr(/argv=\["yes"\] signal=SIGKILL/);
  });

  it("streams its stdin with --stdin", async () => {
    const r = await runCli(client(port, "--stdin", "--", "wc", "-c"), {
      stdin: pseudoRandom(100_000, 3),
    });
    assert.equal(r.out.trim(), "100000");
    assert.equal(r.code, 0);
  });

  it("ends with the command even when its stdin stays open", async () => {
    const proc = new CliProcess(client(port, "--stdin", "--", "head", "-c", "3"), NO_ENV_TOKEN);
    proc.child.stdin!.write("abcdef"); // and never closed, as an idle terminal
    assert.equal(await proc.code(), 0);
    assert.equal(proc.stdoutText, "abc");
  });

  it("transcodes output with --encoding", async () => {
    // "你好" in GBK, then an ASCII line.
    const gbk = String.raw`printf '\304\343\272\303\n'`;
    const r = await runCli(client(port, "--encoding", "gbk", "--", "sh", "-c", gbk));
    assert.equal(r.out, "你好\n");
    const raw = await runCli(client(port, "--", "sh", "-c", gbk));
    assert.deepEqual([...raw.stdout], [0xc4, 0xe3, 0xba, 0xc3, 0x0a]);
  });
});

describe("unstuck exec (CLI) options", () => {
  it("truncates at --max-output, says so, and exits as killed", async () => {
    const { proc, port } = await serve("--max-output", "1000");
    try {
      const r = await runCli(client(port, "--", "yes"));
      assert.equal(r.stdout.length, 1000);
      assert.match(r.err, /output truncated/);
      assert.equal(r.code, 137);
    } finally {
      proc.kill("SIGTERM");
      assert.equal(await proc.code(), 0);
    }
  });

  it("enforces --allow", async () => {
    const { proc, port } = await serve("--allow", "echo", "--allow", "true");
    try {
      assert.equal((await runCli(client(port, "--", "echo", "ok"))).out, "ok\n");
      const r = await runCli(client(port, "--", "ls"));
      assert.equal(r.code, 127);
      assert.match(r.err, /command not allowed: "ls"/);
    } finally {
      proc.kill("SIGINT");
      assert.equal(await proc.code(), 0);
    }
    assert.match(proc.stderrText, /argv=\["ls"\] refused="command not allowed: \\"ls\\""/);
  });

  it("runs shell command lines with --shell", async () => {
    const { proc, port } = await serve("--shell");
    try {
      const r = await runCli(client(port, "--shell", "--", "printf", "abc", "|", "wc", "-c"));
      assert.equal(r.out.trim(), "3");
    } finally {
      proc.kill("SIGTERM");
      assert.equal(await proc.code(), 0);
    }
  });

  it("warns about a token file that group or others can read", async () => {
    const open = join(tmp.dir, "open-token");
    writeFileSync(open, "cli-test-token\n");
    chmodSync(open, 0o644);
    const proc = new CliProcess(
      ["exec", "serve", "--port", "0", "--token-file", open],
      NO_ENV_TOKEN,
    );
    try {
      await proc.waitForStdout(/^listening on /);
      assert.match(proc.stderrText, /warning: token file .* readable by group or others/);
    } finally {
      proc.kill("SIGTERM");
      assert.equal(await proc.code(), 0);
    }
  });

  it("refuses to start without a token, and other bad usage, with exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["exec", "serve", "--port", "0"], /no token/],
      [
        ["exec", "serve", "--port", "0", "--token-file", join(tmp.dir, "missing")],
        /cannot read token file/,
      ],
      [
        ["exec", "serve", "--token-file", tokenFile, "--shell", "--allow", "ls"],
        /cannot be combined/,
      ],
      [
        ["exec", "serve", "--token-file", tokenFile, "--port", "70000"],
        /--port must be at most 65535/,
      ],
      [
        ["exec", "serve", "--token-file", tokenFile, "--timeout", "0"],
        /--timeout must be at least 1/,
      ],
      [
        ["exec", "serve", "--token-file", tokenFile, "--max-output", "lots"],
        /--max-output needs an integer/,
      ],
      [["exec", "run", "--token-file", tokenFile], /no command given/],
      [
        ["exec", "run", "--token-file", tokenFile, "--encoding", "klingon", "--", "true"],
        /unknown --encoding/,
      ],
      [["exec", "run", "--", "true"], /no token/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args, { env: NO_ENV_TOKEN });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, pattern);
    }
  });
});

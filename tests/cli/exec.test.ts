// `unstuck exec serve` and `unstuck exec run` as processes, the way a user runs them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { killAll, runCli, type Running, startCli, startServer } from "../_helpers/cli.ts";
import { pseudoRandom, tempDir } from "../services/exec/_helpers.ts";

const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, "cli-test-token\n", { mode: 0o600 });
const wrongTokenFile = join(tmp.dir, "wrong-token");
writeFileSync(wrongTokenFile, "not-the-token\n", { mode: 0o600 });
const NO_ENV_TOKEN = { UNSTUCK_TOKEN: undefined };

/** Starts `exec serve` on port 0; its first line must be exactly `listening on tcp://…`. */
async function serve(...flags: string[]): Promise<{ proc: Running; port: string }> {
  const args = ["exec", "serve", "--port", "0", "--token-file", tokenFile, ...flags];
  const { proc, port } = await startServer([], startCli(args, NO_ENV_TOKEN));
  return { proc, port: String(port) };
}

/** Stops a server with `signal`; it must exit 0. */
async function stop(proc: Running, signal: "SIGINT" | "SIGTERM" = "SIGTERM"): Promise<void> {
  proc.signal(signal);
  const done = await proc.wait();
  assert.equal(done.code, 0, done.stderr);
}

/** Waits for a stderr line matching `re`. */
function stderrLine(proc: Running, re: RegExp): Promise<void> {
  return proc.until((_out, err) => re.test(err), `stderr ${re}`);
}

function client(port: string, ...args: string[]): string[] {
  return ["exec", "run", "--port", port, "--token-file", tokenFile, ...args];
}

after(() => {
  killAll();
  tmp.remove();
});

describe("unstuck exec (CLI)", () => {
  let server: Running;
  let port: string;
  before(async () => ({ proc: server, port } = await serve("--timeout", "1")));
  after(() => stop(server));

  it("runs echo hi and logs one line for it", async () => {
    const r = await runCli(client(port, "--", "echo", "hi"));
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "hi\n");
    assert.equal(r.code, 0);
    await stderrLine(server, /peer=127\.0\.0\.1:\d+ argv=\["echo","hi"\] exit=0 duration=\d+ms/);
  });

  it("takes the token from UNSTUCK_TOKEN too", async () => {
    const r = await runCli(["exec", "run", "--port", port, "--", "echo", "env"], {
      env: { UNSTUCK_TOKEN: "cli-test-token" },
    });
    assert.equal(r.stdout, "env\n");
  });

  it("keeps UNSTUCK_TOKEN out of the commands' environment, and the rest in", async () => {
    const env = { UNSTUCK_TOKEN: "cli-test-token", UNSTUCK_KEEP: "kept" };
    const { proc, port } = await startServer([], startCli(["exec", "serve", "--port", "0"], env));
    try {
      const show = 'echo "${UNSTUCK_TOKEN-unset} ${UNSTUCK_KEEP-unset}"';
      const r = await runCli(client(String(port), "--", "sh", "-c", show));
      assert.equal(r.stdout, "unset kept\n", r.stderr);
    } finally {
      await stop(proc);
    }
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
    assert.match(r.stderr, /authentication failed/);
    assert.equal(existsSync(marker), false);
  });

  it("exits 255 when nothing listens", async () => {
    const r = await runCli(client("1", "--", "true"));
    assert.equal(r.code, 255);
    assert.match(r.stderr, /cannot connect to tcp:\/\/127\.0\.0\.1:1/);
  });

  it("prints $(...) in argv literally", async () => {
    const marker = join(tmp.dir, "cli-argv-marker");
    const r = await runCli(client(port, "--", "echo", `$(touch ${marker})`));
    assert.equal(r.stdout, `$(touch ${marker})\n`);
    assert.equal(existsSync(marker), false);
  });

  it("exits 127 for a shell command the server refuses", async () => {
    const r = await runCli(client(port, "--shell", "--", "echo", "hi"));
    assert.equal(r.code, 127);
    assert.match(r.stderr, /shell commands are not enabled on this server/);
  });

  it("exits 124 when the command times out, and says so in one stderr line", async () => {
    const r = await runCli(client(port, "--", "sleep", "30"), { timeoutMs: 10_000 });
    assert.equal(r.code, 124);
    assert.equal(
      r.stderr,
      "unstuck exec run: timed out: the server's --timeout was reached and the command killed\n",
    );
  });

  it("writes 5,000,000 bytes of stdout exactly, stderr apart", async () => {
    const file = join(tmp.dir, "cli-five-million");
    const data = pseudoRandom(5_000_000, 5);
    writeFileSync(file, data);
    const r = await runCli(client(port, "--", "sh", "-c", `cat ${file}; echo done >&2`));
    assert.equal(r.code, 0);
    assert.equal(r.stdoutBytes.length, data.length);
    assert.ok(r.stdoutBytes.equals(Buffer.from(data)), "bytes differ");
    assert.equal(r.stderr, "done\n");
  });

  it("stops quietly with 141 when its own stdout closes (| head), killing the command", async () => {
    const proc = startCli(client(port, "--", "yes"), NO_ENV_TOKEN);
    proc.endInput();
    await proc.until((out) => out.startsWith("y\ny\n"), "two lines of y");
    proc.child.stdout!.destroy(); // the reader goes away, as `| head -2` does
    const done = await proc.wait();
    assert.equal(done.code, 141);
    assert.equal(done.stderr, "");
    await stderrLine(server, /argv=\["yes"\] signal=SIGKILL/);
  });

  it("streams its stdin with --stdin", async () => {
    const r = await runCli(client(port, "--stdin", "--", "wc", "-c"), {
      input: pseudoRandom(100_000, 3),
    });
    assert.equal(r.stdout.trim(), "100000");
    assert.equal(r.code, 0);
  });

  it("ends with the command even when its stdin stays open", async () => {
    const proc = startCli(client(port, "--stdin", "--", "head", "-c", "3"), NO_ENV_TOKEN);
    proc.write("abcdef"); // and never closed, as an idle terminal
    const done = await proc.wait();
    assert.equal(done.code, 0);
    assert.equal(done.stdout, "abc");
  });

  it("transcodes output with --encoding", async () => {
    // "你好" in GBK, then an ASCII line.
    const gbk = String.raw`printf '\304\343\272\303\n'`;
    const r = await runCli(client(port, "--encoding", "gbk", "--", "sh", "-c", gbk));
    assert.equal(r.stdout, "你好\n");
    const raw = await runCli(client(port, "--", "sh", "-c", gbk));
    assert.deepEqual([...raw.stdoutBytes], [0xc4, 0xe3, 0xba, 0xc3, 0x0a]);
  });
});

describe("unstuck exec (CLI) options", () => {
  it("truncates at --max-output, says so, and exits as killed", async () => {
    const { proc, port } = await serve("--max-output", "1000");
    try {
      const r = await runCli(client(port, "--", "yes"));
      assert.equal(r.stdoutBytes.length, 1000);
      assert.match(r.stderr, /output truncated/);
      assert.equal(r.code, 137);
    } finally {
      await stop(proc);
    }
  });

  it("enforces --allow", async () => {
    const { proc, port } = await serve("--allow", "echo", "--allow", "true");
    try {
      assert.equal((await runCli(client(port, "--", "echo", "ok"))).stdout, "ok\n");
      const r = await runCli(client(port, "--", "ls"));
      assert.equal(r.code, 127);
      assert.match(r.stderr, /command not allowed: "ls"/);
    } finally {
      await stop(proc, "SIGINT");
    }
    assert.match(proc.stderr, /argv=\["ls"\] refused="command not allowed: \\"ls\\""/);
  });

  it("runs shell command lines with --shell", async () => {
    const { proc, port } = await serve("--shell");
    try {
      const r = await runCli(client(port, "--shell", "--", "printf", "abc", "|", "wc", "-c"));
      assert.equal(r.stdout.trim(), "3");
    } finally {
      await stop(proc);
    }
  });

  it("warns about a token file that group or others can read", async () => {
    const open = join(tmp.dir, "open-token");
    writeFileSync(open, "cli-test-token\n");
    chmodSync(open, 0o644);
    const args = ["exec", "serve", "--port", "0", "--token-file", open];
    const { proc } = await startServer([], startCli(args, NO_ENV_TOKEN));
    try {
      assert.match(proc.stderr, /warning: token file .* readable by group or others/);
    } finally {
      await stop(proc);
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
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    }
  });
});

// The exec service end to end through the library API: a server and a client in this process,
// real commands, real sockets on 127.0.0.1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  ExecAuthError,
  type ExecClient,
  ExecCommandError,
  ExecProtocolError,
  type ExecServer,
  type ExecServerEvent,
} from "../../../mod.ts";
import {
  collect,
  connectClient,
  eventually,
  groupMembers,
  isRunning,
  pseudoRandom,
  startServer,
  tempDir,
  within,
} from "./_helpers.ts";

const tmp = tempDir();
after(() => tmp.remove());

describe("exec service", () => {
  let server: ExecServer;
  let client: ExecClient;
  const events: ExecServerEvent[] = [];

  before(async () => {
    server = await startServer({ timeoutMs: 1_000, onEvent: (e) => events.push(e) });
    client = await connectClient(server);
  });
  after(async () => {
    client.close();
    await within(server.close(), 5_000, "server close");
  });

  it("runs echo hi for a client with the right token", async () => {
    const { result, text, errText } = await collect(client, { argv: ["echo", "hi"] });
    assert.deepEqual(result, { code: 0, signal: null, timedOut: false, truncated: false });
    assert.equal(text, "hi\n");
    assert.equal(errText, "");
  });

  it("gives commands the env option in place of the server's environment", async () => {
    process.env.UNSTUCK_NOT_GIVEN = "inherited unless replaced";
    await using own = await startServer({ env: { PATH: "/usr/bin:/bin", UNSTUCK_X: "y" } });
    const c = await connectClient(own);
    try {
      assert.equal((await collect(c, { argv: ["printenv", "UNSTUCK_X"] })).text, "y\n");
      assert.equal((await collect(c, { argv: ["printenv", "PATH"] })).text, "/usr/bin:/bin\n");
      const notGiven = await collect(c, { argv: ["printenv", "UNSTUCK_NOT_GIVEN"] });
      assert.deepEqual([notGiven.result.code, notGiven.text], [1, ""]);
    } finally {
      c.close();
      delete process.env.UNSTUCK_NOT_GIVEN;
    }
  });

  it("refuses a wrong token and runs nothing", async () => {
    const marker = join(tmp.dir, "wrong-token-marker");
    await assert.rejects(connectClient(server, "not-the-token"), (err: unknown) => {
      assert.ok(err instanceof ExecAuthError);
      assert.equal(err.message, "authentication failed");
      return true;
    });
    // The right client still works, and no command reached the server from the other one.
    await collect(client, { argv: ["true"] });
    assert.equal(existsSync(marker), false);
    assert.ok(events.some((e) => e.kind === "rejected" && e.reason === "authentication failed"));
  });

  it("runs argv without a shell: $(touch MARKER) is printed, not run", async () => {
    const marker = join(tmp.dir, "argv-marker");
    const { result, text } = await collect(client, { argv: ["echo", `$(touch ${marker})`] });
    assert.equal(result.code, 0);
    assert.equal(text, `$(touch ${marker})\n`);
    assert.equal(existsSync(marker), false);
  });

  it("refuses shell commands on a server without --shell, and stays usable", async () => {
    const marker = join(tmp.dir, "shell-marker");
    await assert.rejects(client.run({ shell: `touch ${marker}` }), (err: unknown) => {
      assert.ok(err instanceof ExecCommandError);
      assert.match(err.message, /shell commands are not enabled/);
      return true;
    });
    assert.equal(existsSync(marker), false);
    assert.equal((await collect(client, { argv: ["echo", "still here"] })).text, "still here\n");
  });

  it("reports a program that does not exist as a command error", async () => {
    await assert.rejects(client.run({ argv: ["/no/such/program"] }), (err: unknown) => {
      assert.ok(err instanceof ExecCommandError);
      assert.equal(err.message, 'cannot run "/no/such/program": not found');
      return true;
    });
    assert.equal((await collect(client, { argv: ["true"] })).result.code, 0);
  });

  it("delivers 5,000,000 bytes of stdout exactly", async () => {
    const file = join(tmp.dir, "five-million");
    const data = pseudoRandom(5_000_000, 42);
    writeFileSync(file, data);
    const { result, stdout } = await collect(client, { argv: ["cat", file] });
    assert.equal(result.code, 0);
    assert.equal(stdout.length, data.length);
    assert.ok(Buffer.from(stdout).equals(Buffer.from(data)), "bytes differ");
  });

  it("keeps stderr separate from stdout", async () => {
    const script = "echo out1; echo err1 >&2; echo out2; echo err2 >&2";
    const { text, errText } = await collect(client, { argv: ["sh", "-c", script] });
    assert.equal(text, "out1\nout2\n");
    assert.equal(errText, "err1\nerr2\n");
  });

  it("propagates exit code 3, and a signal", async () => {
    assert.deepEqual((await collect(client, { argv: ["sh", "-c", "exit 3"] })).result, {
      code: 3,
      signal: null,
      timedOut: false,
      truncated: false,
    });
    const killed = await collect(client, { argv: ["sh", "-c", "kill -TERM $$"] });
    assert.deepEqual(killed.result, {
      code: null,
      signal: "SIGTERM",
      timedOut: false,
      truncated: false,
    });
  });

  it("times out sleep 30 within 5 s and leaves no process behind, grandchildren included", async () => {
    // sh prints its own pid (= the group id) and the backgrounded grandchild's, then waits.
    const pids: number[] = [];
    const result = await within(
      client.run({
        argv: ["sh", "-c", "sleep 30 & echo $$ $!; wait"],
        onStdout: (b) =>
          void pids.push(...new TextDecoder().decode(b).trim().split(" ").map(Number)),
      }),
      5_000,
      "sleep 30 under a 1 s time limit",
    );
    assert.equal(result.timedOut, true);
    assert.equal(result.signal, "SIGKILL");
    const [group, grandchild] = pids;
    assert.ok(group > 0 && grandchild > 0, `pids: ${pids}`);
    assert.ok(await eventually(() => !isRunning(grandchild), 5_000), "grandchild still runs");
    assert.ok(await eventually(() => groupMembers(group).length === 0, 5_000), "group remains");
  });

  it("ends a timed-out command even when a process that left its group holds the pipes", async () => {
    // setsid puts sleep in a group of its own, out of reach of the group kill; it keeps stdout.
    // Without a cgroup (which would kill it: tests/exec/containment.test.ts) it survives.
    await using server = await startServer({ timeoutMs: 1_000, cgroup: "off" });
    await using client = await connectClient(server);
    let escaped = 0;
    try {
      const result = await within(
        client.run({
          argv: ["sh", "-c", "setsid sleep 30 & echo $!; wait"],
          onStdout: (b) => void (escaped = Number(new TextDecoder().decode(b).trim())),
        }),
        5_000,
        "the command to end",
      );
      assert.equal(result.timedOut, true);
      assert.ok(escaped > 0);
    } finally {
      if (escaped > 0) process.kill(escaped, "SIGKILL");
    }
  });

  it("lets a run ask for a shorter time limit, never a longer one", async () => {
    const short = await collect(client, { argv: ["sleep", "30"], timeoutMs: 100 });
    assert.equal(short.result.timedOut, true);
    const capped = await collect(client, { argv: ["sleep", "30"], timeoutMs: 60_000 }, 5_000);
    assert.equal(capped.result.timedOut, true);
  });

  it("streams stdin: wc -c of 100,000 bytes says 100000", async () => {
    const { result, text } = await collect(client, {
      argv: ["wc", "-c"],
      stdin: pseudoRandom(100_000, 7),
    });
    assert.equal(result.code, 0);
    assert.equal(text.trim(), "100000");
  });

  it("streams stdin from an async source, in order", async () => {
    const parts = [pseudoRandom(70_000, 1), pseudoRandom(3, 2), pseudoRandom(200_000, 3)];
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const p of parts) yield p;
    }
    const { stdout } = await collect(client, { argv: ["cat"], stdin: source() });
    const expected = Buffer.concat(parts);
    assert.ok(Buffer.from(stdout).equals(expected), "cat returned other bytes");
  });

  it("stays usable when a command exits before reading all its stdin", async () => {
    const { text } = await collect(client, {
      argv: ["head", "-c", "5"],
      stdin: pseudoRandom(2_000_000, 9),
    });
    assert.equal(text.length, 5);
    assert.equal((await collect(client, { argv: ["echo", "next"] })).text, "next\n");
  });

  it("logs one event per command", () => {
    const commands = events.filter((e) => e.kind === "command");
    const echo = commands.find((e) => e.request.argv?.[1] === "hi");
    assert.ok(echo?.outcome && echo.outcome.code === 0 && echo.outcome.outputBytes === 3);
    assert.equal(echo.peer.hostname, "127.0.0.1");
    assert.ok(commands.some((e) => e.refused?.includes("shell commands are not enabled")));
  });
});

describe("exec service limits and policy", () => {
  it("refuses limits that are not positive integers, and delays no timer can hold", async () => {
    const bad = [
      { timeoutMs: 0 },
      { maxOutputBytes: -1 },
      { maxPendingHandshakes: 1.5 },
      // Past 2^31 - 1 ms setTimeout fires at once: every command would time out immediately.
      { timeoutMs: 2 ** 31 },
      { handshakeTimeoutMs: 3_000_000_000 },
      { authFailureDelayMs: 2 ** 31 },
      { readySettleMs: 2 ** 31 },
      { readySettleMs: 0.5 },
    ];
    for (const options of bad) {
      await assert.rejects(startServer(options), RangeError, JSON.stringify(options));
    }
    await assert.rejects(startServer({ authFailureDelayMs: -1 }), /from 0 to/);
    // The largest time limit a timer can hold is taken, and means it.
    await using server = await startServer({ timeoutMs: 2 ** 31 - 1 });
    await using client = await connectClient(server);
    const { result } = await collect(client, { argv: ["sleep", "0.2"] });
    assert.deepEqual(result, { code: 0, signal: null, timedOut: false, truncated: false });
  });

  it("truncates output at --max-output and kills the command", async () => {
    await using server = await startServer({ maxOutputBytes: 100_000 });
    await using client = await connectClient(server);
    const endless = await collect(client, { argv: ["yes"] });
    assert.equal(endless.stdout.length, 100_000);
    assert.equal(endless.result.truncated, true);
    assert.equal(endless.result.signal, "SIGKILL");
    // Both streams count against the one limit.
    const both = await collect(client, {
      argv: ["sh", "-c", "head -c 60000 /dev/zero; head -c 60000 /dev/zero >&2"],
    });
    assert.equal(both.stdout.length + both.stderr.length, 100_000);
    assert.equal(both.result.truncated, true);
    // The kill takes the whole process group, grandchildren included.
    const pids = await collect(client, { argv: ["sh", "-c", "sleep 30 & echo $$ $!; yes"] });
    assert.equal(pids.result.truncated, true);
    const [group, grandchild] = pids.text.split("\n")[0].split(" ").map(Number);
    assert.ok(group > 0 && grandchild > 0, pids.text.slice(0, 40));
    assert.ok(await eventually(() => !isRunning(grandchild), 5_000), "grandchild still runs");
    assert.ok(await eventually(() => groupMembers(group).length === 0, 5_000), "group remains");
    // Exactly at the limit is complete output.
    const exact = await collect(client, { argv: ["head", "-c", "100000", "/dev/zero"] });
    assert.deepEqual(exact.result, { code: 0, signal: null, timedOut: false, truncated: false });
  });

  it("enforces --allow on argv[0] and refuses shell commands", async () => {
    await using server = await startServer({ allow: ["echo"], shell: true });
    await using client = await connectClient(server);
    assert.equal((await collect(client, { argv: ["echo", "ok"] })).text, "ok\n");
    // Compared as the exact string: a path, or a near miss, to the same program is refused.
    for (const program of ["/bin/echo", "./echo", "echo ", "ECHO", "/usr/bin/../bin/echo"]) {
      await assert.rejects(client.run({ argv: [program, "no"] }), /command not allowed/, program);
    }
    await assert.rejects(client.run({ argv: ["sh", "-c", "echo no"] }), /command not allowed/);
    await assert.rejects(client.run({ shell: "echo no" }), /shell commands are refused/);
    assert.equal((await collect(client, { argv: ["echo", "again"] })).text, "again\n");
  });

  it("runs shell commands on a server with --shell", async () => {
    await using server = await startServer({ shell: true });
    await using client = await connectClient(server);
    const { text, result } = await collect(client, { shell: "printf '%s' a b | wc -c; exit 4" });
    assert.equal(text.trim(), "2");
    assert.equal(result.code, 4);
  });

  /** Starts `script` (which must print `$$` first); resolves with its process group id. */
  async function startReportingPid(client: ExecClient, script: string) {
    let reportPid!: (pid: number) => void;
    const pid = new Promise<number>((resolve) => (reportPid = resolve));
    const running = client.run({
      argv: ["sh", "-c", script],
      onStdout: (b) => reportPid(Number(new TextDecoder().decode(b).trim())),
    });
    const failed = running.then(() => false, () => true); // it rejects once we cut it off
    return { group: await within(pid, 5_000, "the command's pid"), failed };
  }

  it("kills the command's process group when the client disconnects", async () => {
    await using server = await startServer();
    const client = await connectClient(server);
    const { group, failed } = await startReportingPid(client, "echo $$; sleep 30 & wait");
    assert.ok(groupMembers(group).length > 0);
    client.close();
    assert.equal(await within(failed, 5_000, "the run to fail"), true);
    assert.ok(await eventually(() => groupMembers(group).length === 0, 5_000), "group remains");
  });

  it("closes on its abort signal; `closed` resolves then", async () => {
    const abort = new AbortController();
    const server = await startServer({ signal: abort.signal });
    const client = await connectClient(server);
    abort.abort();
    await within(server.closed, 5_000, "the server to close");
    await assert.rejects(within(client.run({ argv: ["true"] }), 5_000, "run"), ExecProtocolError);
    client.close();
  });

  it("kills running commands when the server closes", async () => {
    const server = await startServer();
    const client = await connectClient(server);
    const { group, failed } = await startReportingPid(client, "echo $$; sleep 30");
    await within(server.close(), 5_000, "server close");
    assert.equal(await within(failed, 5_000, "the run to fail"), true);
    assert.ok(await eventually(() => groupMembers(group).length === 0, 5_000), "group remains");
    client.close();
  });

  it("lets a slow client slow the command down, while the server serves others", async () => {
    await using server = await startServer();
    await using slow = await connectClient(server);
    const done = join(tmp.dir, "slow-done");
    const size = 64 * 1024 * 1024; // far more than socket and pipe buffers hold
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let received = 0;
    let firstFrame!: () => void;
    const started = new Promise<void>((resolve) => (firstFrame = resolve));
    const running = slow.run({
      argv: ["sh", "-c", `head -c ${size} /dev/zero; touch ${done}`],
      onStdout: async (b) => {
        received += b.length;
        firstFrame();
        await held; // the client stops reading
      },
    });
    await within(started, 5_000, "the first output");
    // Other clients are served meanwhile.
    await using other = await connectClient(server);
    assert.equal((await collect(other, { argv: ["echo", "served"] })).text, "served\n");
    // The command cannot finish: its output waits in bounded buffers for the slow client.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(existsSync(done), false, "the command ran ahead of its reader");
    release();
    const result = await within(running, 30_000, "the slow command");
    assert.equal(result.code, 0);
    assert.equal(received, size);
    assert.equal(existsSync(done), true);
  });
});

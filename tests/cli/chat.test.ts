// `unstuck chat serve` and `unstuck chat join`, spawned as a user runs them; raw UDP peers
// (node:dgram) stand in for other clients where a test needs to control timing.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { killAll, runCli, startCli, startServer } from "../_helpers/cli.ts";
import { Peer } from "./chat_peer.ts";

after(killAll);

/** What `chat join` printed after the room's first line, which must be its join notice. */
function afterJoinNotice(stdout: string): string[] {
  const [first, ...rest] = stdout.trimEnd().split("\n");
  assert.match(first, /^\* you joined as 127\.0\.0\.1:\d+$/);
  return rest;
}

describe("unstuck chat", () => {
  it("two `chat join` clients talk through `chat serve`; the server's stdin speaks too", async () => {
    const { proc: server, port, url } = await startServer(["chat", "serve"]);
    await using _s = server;
    assert.match(url, /^udp:\/\/127\.0\.0\.1:\d+$/);
    const p = String(port);
    await using alice = startCli(["chat", "join", "--port", p, "--name", "alice"]);
    await alice.untilLine(/^\* you are now alice$/);
    await alice.untilLine(/^\* in room: /);
    await using bob = startCli(["chat", "join", "--port", p, "--name", "bob"]);
    await bob.untilLine(/^\* in room: alice, bob$/);
    await alice.untilLine(/^\* 127\.0\.0\.1:\d+ is now bob$/);

    alice.write("hello bob\n");
    await bob.untilLine(/^alice: hello bob$/);
    await alice.untilLine(/^alice: hello bob$/);
    bob.write("/nick robert\n");
    await bob.untilLine(/^\* you are now robert$/);
    await alice.untilLine(/^\* bob is now robert$/);
    bob.write("/dance\n");
    await bob.untilLine(/^\* error: unknown command \/dance/);

    server.write("maintenance at noon\n");
    await alice.untilLine(/^server: maintenance at noon$/);
    await bob.untilLine(/^server: maintenance at noon$/);
    // The server prints the room's transcript after its first line.
    await server.untilLine(/^alice: hello bob$/);

    bob.endInput(); // EOF: bob leaves with /quit and exits 0
    const bobDone = await bob.wait();
    assert.equal(bobDone.code, 0, bobDone.stderr);
    await alice.untilLine(/^\* robert left$/);

    alice.signal("SIGINT");
    const aliceDone = await alice.wait();
    assert.equal(aliceDone.code, 0, aliceDone.stderr);
    assert.equal(aliceDone.stderr, "");

    server.signal("SIGTERM");
    const serverDone = await server.wait();
    assert.equal(serverDone.code, 0, serverDone.stderr);
    assert.equal(serverDone.stdout.split("\n")[0], `listening on ${url}`);
  });

  it("chat join prints the replies to its last lines before leaving at EOF", async () => {
    const { proc: server, port } = await startServer(["chat", "serve"]);
    await using _s = server;
    await using joiner = startCli(["chat", "join", "--port", String(port), "--name", "zed"]);
    joiner.write("one\ntwo\n/who\n");
    joiner.endInput();
    const done = await joiner.wait();
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(afterJoinNotice(done.stdout), [
      "* you are now zed",
      "* in room: zed",
      "zed: one",
      "zed: two",
      "* in room: zed",
    ]);
  });

  it("chat join gives up when the room stays silent for --join-timeout: one stderr line, exit 1", async () => {
    const silent = await Peer.open(); // takes the datagrams, never answers
    try {
      // Stdin closed at once, with the default of 5 s (this used to end in exit 0 with nothing
      // said); and stdin left open, with --join-timeout 1.
      for (const eof of [true, false]) {
        const timeout = eof ? [] : ["--join-timeout", "1"];
        await using joiner = startCli(["chat", "join", "--port", String(silent.port), ...timeout]);
        if (eof) {
          joiner.write("hello?\n");
          joiner.endInput();
        }
        const done = await joiner.wait(15_000);
        assert.equal(done.code, 1, `eof=${eof}: ${done.stderr}`);
        assert.equal(done.stdout, "");
        const address = `udp://127.0.0.1:${silent.port}`;
        const within = eof ? 5 : 1;
        assert.equal(
          done.stderr,
          `chat join: no chat room answers at ${address} (no answer within ${within} s)\n`,
        );
      }
      assert.ok(
        silent.lines.includes("/who") && silent.lines.includes("/quit"),
        silent.lines.join(),
      );
    } finally {
      silent.close();
    }
  });

  it("chat join to a port nobody listens on: one stderr line, exit 1", async () => {
    const gone = await Peer.open();
    const port = gone.port;
    gone.close();
    await using joiner = startCli(["chat", "join", "--port", String(port), "--join-timeout", "1"]);
    joiner.write("anyone?\n");
    joiner.endInput();
    const done = await joiner.wait(10_000);
    assert.equal(done.code, 1, done.stderr);
    // Where the runtime reports the ICMP error, it says so at once; elsewhere after the timeout.
    assert.match(
      done.stderr,
      /^chat join: no chat room answers at udp:\/\/127\.0\.0\.1:\d+ \((no answer within 1 s|port unreachable)\)\n$/,
    );
  });

  it("--join-timeout 0 waits for the room; SIGINT still leaves cleanly (exit 0)", async () => {
    const help = await runCli(["chat", "join", "--help"]);
    assert.match(help.stdout, /--join-timeout SECONDS +Exit 1 if .* \(default: 5\)/);
    const silent = await Peer.open();
    try {
      const args = ["chat", "join", "--port", String(silent.port), "--join-timeout", "0"];
      await using joiner = startCli(args);
      await silent.until("/who");
      joiner.signal("SIGINT");
      const done = await joiner.wait();
      assert.equal(done.code, 0, done.stderr);
      assert.equal(done.stderr, "");
      await silent.until("/quit");
    } finally {
      silent.close();
    }
  });

  it("'/quit' typed into chat join leaves and exits 0 at once, stdin still open", async () => {
    const { proc: server, port } = await startServer(["chat", "serve"]);
    await using _s = server;
    await using bob = startCli(["chat", "join", "--port", String(port), "--name", "bob"]);
    await bob.untilLine(/^\* you are now bob$/);
    bob.write("hi\n/quit\nnot sent\n"); // stdin stays open: leaving must not wait for EOF
    const done = await bob.wait(5_000);
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(afterJoinNotice(done.stdout), [
      "* you are now bob",
      "* in room: bob",
      "bob: hi",
    ]);
    await server.untilLine(/^\* bob left$/);
    assert.ok(!server.stdout.includes("not sent"), server.stdout);
  });

  it("--keepalive keeps a quiet member in; one the room drops anyway takes its name back", async () => {
    const { proc: server, port } = await startServer(["chat", "serve", "--idle", "2"]);
    await using _s = server;
    const p = String(port);
    // alice pings every second; bob never does, so the room drops him every two seconds.
    await using alice = startCli([
      "chat",
      "join",
      "--port",
      p,
      "--name",
      "alice",
      "--keepalive",
      "1",
    ]);
    await alice.untilLine(/^\* you are now alice$/);
    await using bob = startCli(["chat", "join", "--port", p, "--name", "bob", "--keepalive", "0"]);
    await bob.untilLine(/^\* you are now bob$/);
    await bob.untilLine(/^\* you left \(idle\)$/);
    await bob.until(
      (out) => out.split("\n").filter((l) => l === "* you are now bob").length === 2,
      "bob's name taken back",
    );
    // The room drops the least recently active first: alice, who joined first, would be gone.
    bob.write("back\n");
    await alice.untilLine(/^bob: back$/);
    alice.write("welcome back\n");
    await bob.untilLine(/^alice: welcome back$/);
    assert.ok(!server.stdout.includes("* alice left"), server.stdout);
    assert.ok(!/^127\.0\.0\.1:\d+: /m.test(server.stdout), server.stdout);
    alice.endInput();
    bob.endInput();
    assert.equal((await alice.wait()).code, 0);
    assert.equal((await bob.wait()).code, 0);
  });

  it("/who is sorted, invalid UTF-8 is refused, and --max-peers turns newcomers away", async () => {
    const { proc: server, port } = await startServer(["chat", "serve", "--max-peers", "2"]);
    await using _s = server;
    const a = await Peer.open();
    const b = await Peer.open();
    const c = await Peer.open();
    try {
      a.send("/nick zoe", port);
      await a.until("* you are now zoe");
      b.send("/nick adam", port);
      await b.until("* you are now adam");
      b.send("/who", port);
      await b.until("* in room: adam, zoe");
      a.send(Uint8Array.of(0xc3, 0x28), port);
      await a.until(/^\* error: .*UTF-8/);
      c.send("let me in", port);
      await c.until("* error: room full");
      b.send("/quit", port);
      await a.until("* adam left");
      c.send("now?", port);
      await c.until(`127.0.0.1:${c.port}: now?`);
      assert.ok(!a.lines.some((l) => l.includes("let me in")));
    } finally {
      a.close();
      b.close();
      c.close();
    }
  });

  it("--idle drops silent peers and tells the others", async () => {
    const { proc: server, port } = await startServer(["chat", "serve", "--idle", "1"]);
    await using _s = server;
    const quiet = await Peer.open();
    const chatty = await Peer.open();
    try {
      quiet.send("/nick quiet", port);
      await quiet.until("* you are now quiet");
      chatty.send("/nick chatty", port);
      await chatty.until("* you are now chatty");
      // chatty keeps talking; quiet says nothing and is dropped after about a second.
      const deadline = Date.now() + 8_000;
      while (!chatty.lines.includes("* quiet left (idle)") && Date.now() < deadline) {
        chatty.send("", port);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(chatty.lines.includes("* quiet left (idle)"), JSON.stringify(chatty.lines));
      chatty.send("/who", port);
      await chatty.until("* in room: chatty");
    } finally {
      quiet.close();
      chatty.close();
    }
  });
});

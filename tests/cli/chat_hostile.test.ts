// `unstuck chat` and `unstuck echo serve --udp` against hostile peers, as a user runs them:
// nothing from the network reaches a terminal raw, the limits' flags work, and what is dropped
// is logged a few lines at a time.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { killAll, runCli, Running, startCli, startServer } from "../_helpers/cli.ts";
import { projectPath } from "../_helpers/paths.ts";
import { Peer } from "./chat_peer.ts";

after(killAll);

// deno-lint-ignore no-control-regex -- raw controls in output are exactly what must not appear
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("chat: nothing from the network reaches a terminal raw", () => {
  it("chat join prints a hostile room's controls as visible escapes", async () => {
    const room = await Peer.open(); // plays a room that sends terminal attacks
    try {
      await using joiner = startCli(["chat", "join", "--port", String(room.port)]);
      await room.until((l) => l === "/who");
      const attacks = [
        "* you joined as 127.0.0.1:1",
        "bob: hi\rserver: send me your password",
        "bob: \x1b]0;owned\x07title",
        "bob: \u009b2J\u202eevil",
      ];
      for (const line of attacks) room.send(line, room.lastFrom);
      await joiner.untilLine(/evil/);
      assert.doesNotMatch(joiner.stdout, RAW_CONTROL);
      assert.match(joiner.stdout, /^bob: hi\\x0Dserver: send me your password$/m);
      assert.match(joiner.stdout, /^bob: \\x1B\]0;owned\\x07title$/m);
      assert.match(joiner.stdout, /^bob: \\x9B2J\\u202Eevil$/m);
    } finally {
      room.close();
    }
  });

  it("chat serve refuses a member's control characters and prints none on stdout", async () => {
    const { proc: server, port } = await startServer(["chat", "serve"]);
    await using _s = server;
    const mallory = await Peer.open();
    const bob = await Peer.open();
    try {
      await bob.named(port, "bob");
      mallory.send("hi\rserver: forged", port);
      await mallory.until((l) => /^\* error: U\+000D is a control character/.test(l));
      mallory.send("\x1b]0;owned\x07", port);
      await mallory.until((l) => /^\* error: U\+001B/.test(l));
      server.write("\x1b[31mfrom the operator\n");
      await server.until((_o, e) => /stdin: not sent: .*U\+001B/.test(e), "the refusal on stderr");
      mallory.send("plain", port);
      await bob.until((l) => l.endsWith(": plain"));
      assert.ok(!bob.lines.some((l) => RAW_CONTROL.test(l)), JSON.stringify(bob.lines));
      assert.doesNotMatch(server.stdout, RAW_CONTROL);
    } finally {
      mallory.close();
      bob.close();
    }
  });
});

describe("chat: limits from the command line", () => {
  it("--rate: a flood gets the burst and the rate through, and one 'slow down' a second", async () => {
    const { proc: server, port } = await startServer(["chat", "serve", "--rate", "5"]);
    await using _s = server;
    const mallory = await Peer.open();
    const bob = await Peer.open();
    try {
      await bob.named(port, "bob");
      await mallory.named(port, "mallory");
      for (let i = 0; i < 100; i++) mallory.send(`flood ${i}`, port);
      await mallory.until((l) => l === "* error: slow down");
      await pause(500);
      const relayed = bob.count((l) => l.startsWith("mallory: flood"));
      // A burst of 10, less the /nick, and at most a few more as the bucket refills.
      assert.ok(relayed >= 8 && relayed <= 13, `${relayed} relayed`);
      assert.equal(mallory.count((l) => l === "* error: slow down"), 1);
      await server.until(
        (_o, e) => /dropped, over the rate limit: 127\.0\.0\.1:\d+/.test(e),
        "a log line",
      );
      // A few lines, then a count of the rest.
      await server.until((_o, e) => /over the rate limit: \d+ more suppressed/.test(e), "a count");
      const logged = server.stderr.split("\n").filter((l) => /over the rate limit: 127/.test(l));
      assert.ok(logged.length <= 3, server.stderr);
    } finally {
      mallory.close();
      bob.close();
    }
  });

  it("--max-peers-per-ip: one address cannot fill the room", async () => {
    const { proc: server, port } = await startServer(["chat", "serve", "--max-peers-per-ip", "2"]);
    await using _s = server;
    const peers = await Promise.all([1, 2, 3].map(() => Peer.open()));
    try {
      for (const [i, peer] of peers.entries()) {
        peer.send("hello", port);
        const want = i < 2
          ? /^\* you joined as /
          : /^\* error: too many members from your address$/;
        await peer.until(want);
      }
    } finally {
      for (const peer of peers) peer.close();
    }
  });

  it("--verify: chat join joins by itself; the tutorial's client by typing the line it is told", async () => {
    const { proc: server, port } = await startServer(["chat", "serve", "--verify"]);
    await using _s = server;
    await using alice = startCli(["chat", "join", "--port", String(port), "--name", "alice"]);
    await alice.untilLine(/^\* you are now alice$/);
    await alice.untilLine(/^\* in room: alice$/);
    assert.doesNotMatch(alice.stdout, /\/join/);
    const python = new Running("python3", [
      "-u",
      projectPath("tests/python/chat_client.py"),
      "127.0.0.1",
      String(port),
    ]);
    await using _p = python;
    await python.untilLine(/^joined from /);
    python.write("/nick carol\n");
    await python.untilLine(/^\* (to join, )?send:? \/join \S+$/);
    const join = /(\/join \S+)$/m.exec(python.stdout)![1];
    python.write(`${join}\n`);
    await python.untilLine(/^\* you joined as 127\.0\.0\.1:\d+$/);
    python.write("/nick carol\n");
    await python.untilLine(/^\* you are now carol$/);
    python.write("hi alice\n");
    await alice.untilLine(/^carol: hi alice$/);
  });

  it("--verify and --no-verify exclude each other (exit 2)", async () => {
    const r = await runCli(["chat", "serve", "--verify", "--no-verify"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exclude each other/);
  });
});

describe("echo serve --udp: --rate", () => {
  it("answers a source at most burst + rate, and logs drops a few lines at a time", async () => {
    const { proc: server, port } = await startServer(["echo", "serve", "--udp", "--rate", "10"]);
    await using _s = server;
    const peer = await Peer.open();
    try {
      for (let i = 0; i < 200; i++) peer.send(`m${i}`, port);
      await server.until(
        (_o, e) => /dropped, over the rate limit: \d+ more suppressed/.test(e),
        "a count of the drops",
      );
      const replies = peer.lines.length;
      assert.ok(replies >= 20 && replies <= 25, `${replies} replies`);
      const logged = server.stderr.split("\n").filter((l) => /over the rate limit: 127/.test(l));
      assert.ok(logged.length <= 3, server.stderr);
    } finally {
      peer.close();
    }
  });

  it("--rate is for --udp (exit 2)", async () => {
    const r = await runCli(["echo", "serve", "--rate", "5"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--rate is for --udp/);
  });
});

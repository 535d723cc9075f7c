// The server against peers that break the protocol: each gets an error message and a closed
// connection, nothing runs for them, and the server goes on serving the next client.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { encodeFrame, type ExecServer } from "../../../mod.ts";
import { encodeControl } from "../../../src/services/exec/protocol/mod.ts";
import { collect, connectClient, RawPeer, startServer, tempDir, within } from "./_helpers.ts";

const tmp = tempDir();
after(() => tmp.remove());

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Expects an error message matching `pattern`, then the server closing the connection. */
async function expectErrorAndClose(peer: RawPeer, pattern: RegExp): Promise<void> {
  const message = await peer.control();
  assert.equal(message?.type, "error", JSON.stringify(message));
  assert.match(message.type === "error" ? message.message : "", pattern);
  assert.equal(await peer.closedByServer(), true);
}

describe("exec server protocol", () => {
  let server: ExecServer;
  before(async () => {
    server = await startServer({ handshakeTimeoutMs: 300, authFailureDelayMs: 50 });
  });
  after(() => within(server.close(), 5_000, "server close"));

  async function serverStillServes(): Promise<void> {
    await using client = await connectClient(server);
    assert.equal((await collect(client, { argv: ["echo", "next"] })).text, "next\n");
  }

  it("sends hello with the protocol name and a fresh 32-byte nonce", async () => {
    const a = await RawPeer.open(server.addr.port);
    const b = await RawPeer.open(server.addr.port);
    const [ha, hb] = [await a.control(), await b.control()];
    a.close();
    b.close();
    assert.equal(ha?.type, "hello");
    assert.ok(ha?.type === "hello" && hb?.type === "hello");
    assert.equal(ha.protocol, "unstuck-exec/2");
    assert.equal(atob(ha.nonce).length, 32);
    assert.notEqual(ha.nonce, hb.nonce);
    // Version 1's shape exactly, so that a strict version 1 client reads the version, not an
    // unknown field; the offer comes in a message of its own.
    assert.deepEqual(Object.keys(ha), ["type", "protocol", "nonce"]);
    assert.deepEqual(a.offer, ["none"]);
  });

  it("closes a connection that sends garbage before the handshake, then serves the next", async () => {
    const peer = await RawPeer.open(server.addr.port);
    await peer.control(); // hello
    await peer.send(utf8("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await expectErrorAndClose(peer, /frame|larger|limit/i);
    await serverStillServes();
  });

  it("refuses a wrong MAC even when a run is pipelined behind it, and runs nothing", async () => {
    const marker = join(tmp.dir, "pipelined-marker");
    const peer = await RawPeer.open(server.addr.port);
    const run = encodeFrame(encodeControl({ type: "run", argv: ["touch", marker] }));
    const wrong = { ...(await peer.authMessage()), mac: btoa("x".repeat(32)) };
    const auth = encodeFrame(encodeControl(wrong));
    await peer.send(new Uint8Array([...auth, ...run]));
    await expectErrorAndClose(peer, /^authentication failed$/);
    assert.equal(existsSync(marker), false);
  });

  it("closes a connection that sends anything between auth and ready", async () => {
    const marker = join(tmp.dir, "early-marker");
    const peer = await RawPeer.open(server.addr.port);
    const auth = encodeFrame(encodeControl(await peer.authMessage()));
    const run = encodeFrame(encodeControl({ type: "run", argv: ["touch", marker] }));
    await peer.send(new Uint8Array([...auth, ...run]));
    await expectErrorAndClose(peer, /before the server's ready/);
    assert.equal(existsSync(marker), false);
  });

  it("closes a connection whose first message is not auth: run, stdin or stdin-end", async () => {
    const marker = join(tmp.dir, "before-auth-marker");
    const firsts = [
      encodeFrame(encodeControl({ type: "run", argv: ["touch", marker] })),
      encodeFrame(new Uint8Array([3, ...utf8("touch x\n")])),
      encodeFrame(new Uint8Array([4])),
    ];
    for (const first of firsts) {
      const peer = await RawPeer.open(server.addr.port);
      await peer.control();
      await peer.send(first);
      await expectErrorAndClose(peer, /expected an auth message/);
    }
    assert.equal(existsSync(marker), false);
  });

  it("refuses a frame over 1 KiB before authentication, even a well-formed auth", async () => {
    const peer = await RawPeer.open(server.addr.port);
    await peer.control();
    await peer.sendControl({ ...(await peer.authMessage()), mac: "A".repeat(2_000) });
    await expectErrorAndClose(peer, /1024/);
  });

  it("refuses an auth replayed from another connection (each nonce is fresh)", async () => {
    const first = await RawPeer.open(server.addr.port);
    const second = await RawPeer.open(server.addr.port);
    assert.equal((await second.control())?.type, "hello");
    const auth = await first.authMessage();
    // The answer recorded on the first connection, sent on the second: refused.
    await second.sendControl(auth);
    await expectErrorAndClose(second, /^authentication failed$/);
    // On its own connection it is right.
    await first.sendControl(auth);
    assert.equal((await first.control())?.type, "ready");
    first.close();
  });

  it("tells a version 1 client which versions meet, and closes", async () => {
    const peer = await RawPeer.open(server.addr.port);
    await peer.control();
    await peer.sendControl({ type: "auth", mac: btoa("x".repeat(32)) } as never);
    await expectErrorAndClose(
      peer,
      /^this server speaks unstuck-exec\/2 only, and the client sent an unstuck-exec\/1 auth: upgrade the client$/,
    );
  });

  it("refuses an auth with a binding it did not offer, or a bad client nonce", async () => {
    for (
      const [change, pattern] of [
        [{ binding: "tls-exporter" }, /binding "tls-exporter" was not offered/],
        [{ nonce: btoa("x".repeat(31)) }, /client's nonce is not base64 of 32 bytes/],
      ] as const
    ) {
      const peer = await RawPeer.open(server.addr.port);
      await peer.sendControl({ ...(await peer.authMessage()), ...change });
      await expectErrorAndClose(peer, pattern);
    }
  });

  it("closes a connection that does not authenticate in time", async () => {
    const peer = await RawPeer.open(server.addr.port);
    await peer.control();
    await expectErrorAndClose(peer, /handshake timeout/);
    await serverStillServes();
  });

  it("times the handshake as a whole: trickling an auth byte by byte does not extend it", async () => {
    const peer = await RawPeer.open(server.addr.port);
    const auth = encodeFrame(encodeControl(await peer.authMessage()));
    let stop = false;
    const trickle = (async () => {
      // One byte every 50 ms: each read is prompt, the whole would take far past the 300 ms.
      for (const byte of auth) {
        if (stop) return;
        await peer.send(Uint8Array.of(byte)).catch(() => (stop = true));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await expectErrorAndClose(peer, /handshake timeout/);
    } finally {
      stop = true;
      await trickle;
    }
  });

  it("closes a connection that sends bad JSON, an unknown type or an unknown frame type", async () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([0, ...utf8("{not json")]), /not valid JSON/],
      [encodeControl({ type: "hello" } as never), /unknown message type "hello"/],
      [new Uint8Array([0x07, 1, 2]), /unexpected frame type 0x07/],
      [new Uint8Array([0, ...utf8('{"type":"run","argv":["true"],"cwd":"/"}')]), /unknown field/],
    ];
    for (const [payload, pattern] of cases) {
      const peer = await RawPeer.open(server.addr.port);
      assert.equal((await peer.authenticate())?.type, "ready");
      await peer.sendFrame(payload);
      await expectErrorAndClose(peer, pattern);
    }
    await serverStillServes();
  });

  it("closes a connection that announces a frame over 8 MiB", async () => {
    const peer = await RawPeer.open(server.addr.port);
    assert.equal((await peer.authenticate())?.type, "ready");
    await peer.send(new Uint8Array([0x00, 0x80, 0x00, 0x01, 0x00]));
    await expectErrorAndClose(peer, /8388608|too large|larger/i);
  });

  it("fails a bad frame that arrives in one chunk behind a good one without waiting for more", async () => {
    const peer = await RawPeer.open(server.addr.port);
    assert.equal((await peer.authenticate())?.type, "ready");
    const run = encodeFrame(encodeControl({ type: "run", argv: ["sleep", "30"] }));
    // The peer then goes quiet: the error must not wait for bytes that never come.
    await peer.send(new Uint8Array([...run, 0x00, 0x80, 0x00, 0x01, 0x00]));
    await expectErrorAndClose(peer, /8388608|too large|larger/i);
  });

  it("closes a connection that sends auth twice, or stdin frames out of place", async () => {
    const cases: [(p: RawPeer) => Promise<void>, RegExp][] = [
      [async (p) => p.sendControl(await p.authMessage()), /unexpected "auth" message/],
      [(p) => p.sendFrame(new Uint8Array([3, 1, 2])), /stdin frame while no command/],
      [(p) => p.sendFrame(new Uint8Array([4])), /stdin-end frame while no command/],
    ];
    for (const [send, pattern] of cases) {
      const peer = await RawPeer.open(server.addr.port);
      assert.equal((await peer.authenticate())?.type, "ready");
      await send(peer);
      await expectErrorAndClose(peer, pattern);
    }
  });

  it("closes a connection that sends run while a command runs, and kills that command", async () => {
    const peer = await RawPeer.open(server.addr.port);
    assert.equal((await peer.authenticate())?.type, "ready");
    await peer.sendControl({ type: "run", argv: ["sleep", "30"] });
    await peer.sendControl({ type: "run", argv: ["true"] });
    await expectErrorAndClose(peer, /"run" while a command is running/);
  });

  it("requires the stdin-end of a stdin command before the next run", async () => {
    const peer = await RawPeer.open(server.addr.port);
    assert.equal((await peer.authenticate())?.type, "ready");
    await peer.sendControl({ type: "run", argv: ["true"], stdin: true });
    const exit = await peer.control();
    assert.equal(exit?.type, "exit");
    // Stdin after the command ended is discarded, not an error; a run before 0x04 is.
    await peer.sendFrame(new Uint8Array([3, 1, 2, 3]));
    await peer.sendControl({ type: "run", argv: ["true"] });
    await expectErrorAndClose(peer, /before the previous command's stdin-end/);
  });

  it("answers a refused stdin command with error, then takes its stdin-end", async () => {
    const peer = await RawPeer.open(server.addr.port);
    assert.equal((await peer.authenticate())?.type, "ready");
    await peer.sendControl({ type: "run", shell: "cat", stdin: true });
    await peer.sendFrame(new Uint8Array([3, 104, 105]));
    await peer.sendFrame(new Uint8Array([4]));
    const refused = await peer.control();
    assert.equal(refused?.type, "error");
    await peer.sendControl({ type: "run", argv: ["echo", "ok"] });
    const out = await peer.frame();
    assert.deepEqual(out && [...out], [1, ...utf8("ok\n")]);
    assert.equal((await peer.control())?.type, "exit");
    peer.close();
  });
});

describe("exec server admission", () => {
  it("refuses connections beyond the cap of those still authenticating", async () => {
    await using server = await startServer({
      maxPendingHandshakes: 2,
      handshakeTimeoutMs: 5_000,
      handshakeDisplaceAfterMs: 60_000,
    });
    const waiting = [await RawPeer.open(server.addr.port), await RawPeer.open(server.addr.port)];
    for (const p of waiting) assert.equal((await p.control())?.type, "hello");
    const third = await RawPeer.open(server.addr.port);
    await expectErrorAndClose(third, /too many connections awaiting authentication/);
    // Once one authenticates, there is room again.
    assert.equal((await waiting[0].authenticate())?.type, "ready");
    const fourth = await RawPeer.open(server.addr.port);
    assert.equal((await fourth.control())?.type, "hello");
    for (const p of [...waiting, fourth]) p.close();
  });

  it("lets a newcomer displace the oldest handshake once that one is old enough", async () => {
    const events: string[] = [];
    await using server = await startServer({
      maxPendingHandshakes: 2,
      handshakeTimeoutMs: 5_000,
      handshakeDisplaceAfterMs: 0,
      onEvent: (e) => events.push(e.kind === "rejected" ? e.reason : e.kind),
    });
    const idle = [await RawPeer.open(server.addr.port), await RawPeer.open(server.addr.port)];
    for (const p of idle) assert.equal((await p.control())?.type, "hello");
    // Idle connections holding every slot do not lock an honest client out: it displaces the
    // oldest, and authenticates.
    await using client = await connectClient(server);
    assert.equal(await idle[0].closedByServer(), true);
    assert.deepEqual(events, ["displaced while authenticating"]);
    const result = await client.run({ argv: ["true"] });
    assert.equal(result.code, 0);
    idle[1].close();
  });

  it("waits before answering a wrong MAC", async () => {
    await using server = await startServer({ authFailureDelayMs: 200 });
    const peer = await RawPeer.open(server.addr.port);
    await peer.sendControl({ ...(await peer.authMessage()), mac: btoa("y".repeat(32)) });
    // No answer yet while the delay runs (a bound on how early, not a timing measurement).
    await assert.rejects(peer.frame(50), /timed out/);
    await expectErrorAndClose(peer, /authentication failed/);
  });
});

// Handshake penalties (sshd's PerSourcePenalties): an address whose handshakes keep failing
// waits, longer each time, while other addresses are served. The rules alone, then a server on
// every adapter of this runtime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { availableAdapters, encodeFrame, type ExecServerEvent } from "../../../mod.ts";
import { encodeControl } from "../../../src/services/exec/protocol/mod.ts";
import { HandshakePenalties } from "../../../src/services/exec/penalties.ts";
import { collect, connectClient, startServer, TOKEN } from "../exec/_helpers.ts";
import { sleep, within } from "../../runtime/helpers.ts";
import { Peer } from "./_peer.ts";

const RULES = { failures: 3, windowMs: 1_000, firstMs: 100, maxMs: 1_000, maxAddresses: 4 };

describe("HandshakePenalties", () => {
  it("makes an address wait after enough failures in the window, doubling up to the most", () => {
    const p = new HandshakePenalties(RULES);
    assert.equal(p.failed("127.0.0.2", 0), 0);
    assert.equal(p.failed("127.0.0.2", 1), 0);
    assert.equal(p.failed("127.0.0.2", 2), 100);
    assert.equal(p.waitFor("127.0.0.2", 52), 50);
    assert.equal(p.waitFor("::ffff:127.0.0.2", 52), 50, "the same address, IPv4-mapped");
    assert.equal(p.waitFor("127.0.0.1", 52), 0, "others do not wait");
    const waits: number[] = [];
    let now = 200;
    for (let i = 0; i < 6; i++) {
      for (let f = 0; f < 3; f++) waits[i] = p.failed("127.0.0.2", now++);
      now += waits[i] + 10;
    }
    assert.deepEqual(waits, [200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it("counts failures in a window only, and forgets an address quiet for long", () => {
    const p = new HandshakePenalties(RULES);
    p.failed("a", 0);
    p.failed("a", 10);
    assert.equal(p.failed("a", 2_000), 0, "the window had passed");
    for (let t = 3_000; t < 3_003; t++) p.failed("b", t);
    assert.ok(p.waitFor("b", 3_003) > 0);
    assert.equal(p.failed("b", 10_000), 0, "quiet for longer than the most: afresh");
    assert.equal(p.failed("b", 10_001), 0);
    assert.equal(p.failed("b", 10_002), 100, "the first wait again, not a doubled one");
  });

  it("remembers at most maxAddresses addresses (a flood of addresses holds no more)", () => {
    const p = new HandshakePenalties(RULES);
    for (let i = 0; i < 1_000; i++) p.failed(`10.0.${i >> 8}.${i & 255}`, i);
    assert.ok(p.size <= RULES.maxAddresses, `${p.size} addresses remembered`);
  });
});

/** One failed handshake from `address`: a wrong MAC. */
async function wrongMac(port: number, address: string): Promise<void> {
  const peer = await Peer.open(port, address);
  await peer.authenticate("not the token");
  await within(peer.closed, 5_000, "the wrong MAC answered");
  peer.destroy();
}

/** Whether a connection from `address` gets a hello (false: closed at once, unanswered). */
async function greeted(port: number, address: string): Promise<boolean> {
  const peer = await Peer.open(port, address);
  await peer.until(() => peer.controls().length > 0, 5_000, "hello or close");
  const hello = peer.controls()[0]?.type === "hello";
  peer.destroy();
  return hello;
}

for (const adapter of availableAdapters()) {
  describe(`exec: handshake penalties (${adapter} adapter)`, () => {
    it("makes 127.0.0.2 wait after wrong MACs, serving 127.0.0.1, then lets it in", async () => {
      const events: ExecServerEvent[] = [];
      await using server = await startServer({
        adapter,
        authFailureDelayMs: 0,
        penaltyFailures: 3,
        penaltyMs: 600,
        onEvent: (e) => events.push(e),
      });
      const port = server.addr.port;
      for (let i = 0; i < 3; i++) await wrongMac(port, "127.0.0.2");
      assert.ok(events.some((e) => e.kind === "rejected" && /waits 600 ms/.test(e.reason)));
      assert.equal(await greeted(port, "127.0.0.2"), false, "127.0.0.2 must wait");
      // The right token does not help while it waits.
      const waiting = await Peer.open(port, "127.0.0.2");
      await within(waiting.closed, 5_000, "closed at once");
      assert.equal(waiting.bytes.length, 0);
      // Others are served.
      assert.equal(await greeted(port, "127.0.0.3"), true);
      await using honest = await connectClient(server);
      assert.equal((await collect(honest, { argv: ["echo", "ok"] })).text, "ok\n");
      await sleep(700);
      const back = await Peer.open(port, "127.0.0.2");
      await back.authenticate(TOKEN);
      await back.until(() => back.controls().length >= 2, 5_000, "ready");
      assert.equal(back.controls()[1]?.type, "ready");
      back.destroy();
    });

    it("counts churn (connections closed before auth) and garbage as failures", async () => {
      await using server = await startServer({ adapter, penaltyFailures: 3, penaltyMs: 5_000 });
      const port = server.addr.port;
      for (let i = 0; i < 2; i++) {
        const churn = await Peer.open(port, "127.0.0.4");
        await churn.until(() => churn.controls().length > 0, 5_000, "hello");
        churn.destroy();
      }
      const garbage = await Peer.open(port, "127.0.0.4");
      await garbage.write(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
      await within(garbage.closed, 5_000, "garbage closed");
      await sleep(50); // the last handshake's end is counted as its connection closes
      assert.equal(await greeted(port, "127.0.0.4"), false, "127.0.0.4 must wait");
      assert.equal(await greeted(port, "127.0.0.5"), true);
    });

    it("does not count a handshake that succeeds, nor a refused command", async () => {
      await using server = await startServer({ adapter, penaltyFailures: 2, penaltyMs: 5_000 });
      for (let i = 0; i < 4; i++) {
        const peer = await Peer.open(server.addr.port, "127.0.0.6");
        await peer.authenticate(TOKEN);
        await peer.until(() => peer.controls().length >= 2, 5_000, "ready");
        await peer.write(encodeFrame(encodeControl({ type: "run", shell: "true" })));
        await peer.until(() => peer.controls().length >= 3, 5_000, "refusal");
        assert.equal(peer.controls()[2]?.type, "error");
        peer.destroy();
      }
      assert.equal(await greeted(server.addr.port, "127.0.0.6"), true);
    });
  });
}

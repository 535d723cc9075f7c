// Limits per address, on every adapter of this runtime: one host (127.0.0.2) cannot take every
// place of echo or exec, nor every place among exec's pending handshakes; 127.0.0.1 is served
// meanwhile, and a place given back is a place for the next connection.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  availableAdapters,
  connectEcho,
  encodeFrame,
  type ExecServerEvent,
  serveEcho,
  TooManyConnectionsFromAddressError,
} from "../../../mod.ts";
import { collect, connectClient, startServer, TOKEN } from "../exec/_helpers.ts";
import { sleep, within } from "../../runtime/helpers.ts";
import { openPeers, Peer } from "./_peer.ts";

const enc = new TextEncoder();

/** Whether `peer` is served: an echo of a frame comes back (false if it is closed first). */
async function echoed(peer: Peer): Promise<boolean> {
  const before = peer.bytes.length;
  await peer.write(encodeFrame(enc.encode("x")));
  await peer.until(() => peer.bytes.length >= before + 5, 5_000, "an echo or a close");
  return peer.bytes.length >= before + 5;
}

for (const adapter of availableAdapters()) {
  describe(`echo: connections per address (${adapter} adapter)`, () => {
    it("closes the connection one address has too many of, and serves the others", async () => {
      const errors: Error[] = [];
      await using server = await serveEcho({
        port: 0,
        adapter,
        maxConnections: 100,
        maxConnectionsPerIp: 3,
        onError: (e) => errors.push(e),
      });
      const port = server.addr.port;
      const held = await openPeers(port, "127.0.0.2", 3);
      for (const peer of held) assert.equal(await echoed(peer), true);
      const extra = await Peer.open(port, "127.0.0.2");
      await within(extra.closed, 5_000, "the fourth connection closed");
      assert.equal(errors.length, 1);
      const [error] = errors;
      assert.ok(error instanceof TooManyConnectionsFromAddressError, String(error));
      assert.equal(error.address.replace(/^::ffff:/, ""), "127.0.0.2");
      assert.equal(error.limit, 3);
      // Another address is served, up to its own limit.
      const other = await openPeers(port, "127.0.0.3", 3);
      for (const peer of other) assert.equal(await echoed(peer), true);
      await using honest = await connectEcho({ port });
      assert.equal((await honest.request(enc.encode("hi"))).length, 2);
      // A place given back is taken again.
      held[0].destroy();
      const deadline = Date.now() + 5_000;
      let again: Peer;
      for (;;) {
        again = await Peer.open(port, "127.0.0.2");
        if (await echoed(again)) break;
        assert.ok(Date.now() < deadline, "no place freed within 5 s of a close");
        await sleep(20);
      }
      for (const peer of [...held, ...other, again, extra]) peer.destroy();
    });
  });

  describe(`exec: connections and handshakes per address (${adapter} adapter)`, () => {
    it("closes the connection one address has too many of, and serves the others", async () => {
      const events: ExecServerEvent[] = [];
      await using server = await startServer({
        adapter,
        maxConnectionsPerIp: 3,
        onEvent: (e) => events.push(e),
      });
      const port = server.addr.port;
      const held = await openPeers(port, "127.0.0.2", 3);
      for (const peer of held) await peer.authenticate(TOKEN);
      for (const peer of held) {
        await peer.until(() => peer.controls().length >= 2, 5_000, "ready");
        assert.equal(peer.controls()[1]?.type, "ready");
      }
      const extra = await Peer.open(port, "127.0.0.2");
      await within(extra.closed, 5_000, "the fourth connection closed");
      assert.equal(extra.bytes.length, 0, "closed before hello");
      assert.ok(events.some((e) => e.kind === "rejected" && /from this address/.test(e.reason)));
      await using honest = await connectClient(server);
      assert.equal((await collect(honest, { argv: ["echo", "ok"] })).text, "ok\n");
      for (const peer of [...held, extra]) peer.destroy();
    });

    it("gives a newcomer the place of an address that holds more handshakes", async () => {
      await using server = await startServer({
        adapter,
        maxPendingHandshakes: 3,
        maxPendingHandshakesPerIp: 3,
        handshakeDisplaceAfterMs: 60_000,
      });
      const port = server.addr.port;
      const hello = async (address: string): Promise<Peer> => {
        const peer = await Peer.open(port, address);
        await peer.until(() => peer.controls().length > 0, 5_000, `hello to ${address}`);
        return peer;
      };
      const [a1, a2, b] = [
        await hello("127.0.0.2"),
        await hello("127.0.0.2"),
        await hello("127.0.0.3"),
      ];
      // Full, and nobody has waited a minute: 127.0.0.4 takes the place of 127.0.0.2's oldest.
      const c = await hello("127.0.0.4");
      assert.equal(c.controls()[0]?.type, "hello");
      await within(a1.closed, 5_000, "127.0.0.2's oldest displaced");
      assert.equal(a2.isClosed || b.isClosed, false);
      // Now every address holds one: a newcomer is refused.
      const d = await hello("127.0.0.5");
      assert.equal(d.controls()[0]?.type, "error");
      for (const peer of [a1, a2, b, c, d]) peer.destroy();
    });

    it("refuses a handshake beyond an address's pending ones, and serves the others", async () => {
      await using server = await startServer({ adapter, maxPendingHandshakesPerIp: 2 });
      const port = server.addr.port;
      // Two connections from 127.0.0.2 that never authenticate.
      const pending = await openPeers(port, "127.0.0.2", 2);
      for (const peer of pending) {
        await peer.until(() => peer.controls().length >= 1, 5_000, "hello");
      }
      const third = await Peer.open(port, "127.0.0.2");
      await within(third.closed, 5_000, "the third refused");
      const [refusal] = third.controls();
      assert.equal(refusal?.type, "error");
      assert.match(
        refusal.type === "error" ? refusal.message : "",
        /awaiting authentication from this address/,
      );
      // 127.0.0.1 authenticates meanwhile, with the library client.
      await using honest = await connectClient(server);
      assert.equal((await collect(honest, { argv: ["echo", "ok"] })).text, "ok\n");
      // Once one of 127.0.0.2's handshakes is over, it may start another.
      await pending[0].authenticate(TOKEN);
      await pending[0].until(() => pending[0].controls().length >= 2, 5_000, "ready");
      const fourth = await Peer.open(port, "127.0.0.2");
      await fourth.until(() => fourth.controls().length >= 1, 5_000, "hello");
      assert.equal(fourth.controls()[0]?.type, "hello");
      for (const peer of [...pending, third, fourth]) peer.destroy();
    });
  });
}

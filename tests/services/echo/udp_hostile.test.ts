// The UDP echo server against forged sources and loops: a per-source rate limit, and no reply
// to its own address. Five datagrams forged between two echo servers made both burn a core
// each forever; a datagram forged from a server's own address made it answer itself forever.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ECHO_DEFAULTS, serveEchoUdp } from "../../../src/services/echo/mod.ts";
import { availableAdapters, bindDatagram } from "../../../src/runtime/adapter.ts";
import { cannotSpoof, spoof } from "../chat/spoof.ts";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("UDP echo in a loop", () => {
  for (const adapter of availableAdapters()) {
    it(`${adapter} adapter: a peer that echoes back gets at most burst + rate × time replies`, async () => {
      await using server = await serveEchoUdp({ port: 0, adapter });
      // Another echo server, played by a socket that sends back all it gets, counting.
      await using peer = await bindDatagram({ hostname: "127.0.0.1", port: 0 });
      let received = 0;
      const looping = (async () => {
        for await (const { data, remote } of peer) {
          received++;
          await peer.send(data, remote).catch(() => {});
        }
      })();
      const started = Date.now();
      for (let i = 0; i < 5; i++) await peer.send(new Uint8Array([i]), server.addr);
      await pause(1_500);
      const seconds = (Date.now() - started) / 1000;
      peer.close();
      await looping;
      const bound = ECHO_DEFAULTS.udpBurst + ECHO_DEFAULTS.udpRate * seconds + 5;
      assert.ok(received <= bound, `${received} replies in ${seconds} s (bound ${bound})`);
      assert.ok(received >= ECHO_DEFAULTS.udpBurst, `${received} replies: the burst goes through`);
    });
  }
});

describe("UDP echo and forged sources", { skip: cannotSpoof }, () => {
  for (const adapter of availableAdapters()) {
    it(`${adapter} adapter: two servers looped by 5 forged datagrams settle (the loop dies out)`, async () => {
      // Each bounce costs both servers a token of the other's host; once one runs dry it drops,
      // and each of the five looping datagrams ends there.
      let drops = 0;
      await using a = await serveEchoUdp({ port: 0, adapter, onDrop: () => drops++ });
      await using b = await serveEchoUdp({ port: 0, adapter, onDrop: () => drops++ });
      spoof(a.addr, b.addr, new Uint8Array([1, 2, 3]), 5);
      const deadline = Date.now() + 10_000;
      while (drops < 5 && Date.now() < deadline) await pause(20);
      await pause(300);
      assert.equal(drops, 5, "every looping datagram was dropped, once");
    });

    it(`${adapter} adapter: a datagram forged from the server's own address gets no reply`, async () => {
      const drops: string[] = [];
      await using server = await serveEchoUdp({
        port: 0,
        adapter,
        onDrop: (reason) => drops.push(reason),
      });
      spoof(server.addr, server.addr, new Uint8Array([1]), 5);
      const deadline = Date.now() + 5_000;
      while (drops.length < 5 && Date.now() < deadline) await pause(20);
      await pause(200);
      assert.deepEqual(drops, Array(5).fill("own-address"));
    });
  }
});

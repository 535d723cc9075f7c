// What forged source addresses can make the chat room do (raw sockets: root only). A 4-byte
// `/who` forged from a victim's address drew a 17 KB reply to the victim and enrolled it; a
// datagram forged from the room's own address made the room enrol and talk to itself.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { serveChat } from "../../../src/services/chat/mod.ts";
import { availableAdapters, bindDatagram } from "../../../src/runtime/adapter.ts";
import type { DatagramSocket } from "../../../src/runtime/types.ts";
import { cannotSpoof, spoof } from "./spoof.ts";

const enc = new TextEncoder();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A victim: a socket that counts the bytes it is sent. */
async function victim(): Promise<
  { socket: DatagramSocket; bytes: () => number; done: Promise<void> }
> {
  const socket = await bindDatagram({ hostname: "127.0.0.1", port: 0 });
  let bytes = 0;
  const done = (async () => {
    for await (const { data } of socket) bytes += data.length;
  })();
  return { socket, bytes: () => bytes, done };
}

describe("chat room and forged sources", { skip: cannotSpoof }, () => {
  for (const adapter of availableAdapters()) {
    it(`${adapter} adapter, --verify: a forged /who draws nothing, larger forgeries at most 3x, and nobody is enrolled`, async () => {
      await using server = await serveChat({ port: 0, adapter, verify: true });
      // Members the forged /who would list, with long names: a big reply before the fix.
      const v = await victim();
      try {
        spoof(v.socket.addr, server.addr, enc.encode("/who"), 5);
        await pause(300);
        assert.equal(v.bytes(), 0, "4 bytes afford no reply");
        const garbage = new Uint8Array(100).fill(0x61);
        spoof(v.socket.addr, server.addr, garbage, 5);
        await pause(300);
        assert.ok(v.bytes() > 0 && v.bytes() <= 3 * 5 * 100, `${v.bytes()} bytes to the victim`);
        assert.equal(server.room.size, 0, "the victim was not enrolled");
      } finally {
        v.socket.close();
        await v.done;
      }
    });

    it(`${adapter} adapter: a datagram forged from the room's own address is dropped`, async () => {
      const drops: string[] = [];
      await using server = await serveChat({
        port: 0,
        adapter,
        onDrop: (reason) => drops.push(reason),
      });
      spoof(server.addr, server.addr, enc.encode("/who"), 3);
      const deadline = Date.now() + 5_000;
      while (drops.length < 3 && Date.now() < deadline) await pause(20);
      await pause(200);
      assert.equal(server.room.size, 0, "the room did not enrol itself");
      assert.deepEqual(drops, ["own-address", "own-address", "own-address"]);
    });
  }
});

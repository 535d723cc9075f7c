// The UDP servers' kernel receive buffer (SO_RCVBUF): a burst beyond it is dropped by the kernel,
// honest datagrams included, before the server sees anything. Each server asks for its default
// (4 MiB) or its `receiveBufferSize` option and reports what the kernel holds; in Deno, which
// cannot set it, it reports nothing rather than a size it does not have.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CHAT_DEFAULTS, serveChat } from "../../src/services/chat/mod.ts";
import { ECHO_DEFAULTS, serveEchoUdp } from "../../src/services/echo/mod.ts";
import { availableAdapters, bindDatagram, detectRuntime } from "../../src/runtime/adapter.ts";
import type { AdapterName, NetAddress } from "../../src/runtime/mod.ts";
import { kernelReceiveBuffer, receiveBufferMax } from "../_helpers/kernel_udp.ts";

interface Served extends AsyncDisposable {
  readonly addr: NetAddress;
  readonly receiveBufferSize: number | undefined;
}

const SERVERS: [string, number, (o: object) => Promise<Served>][] = [
  ["chat", CHAT_DEFAULTS.receiveBufferSize, (o) => serveChat({ port: 0, ...o })],
  ["UDP echo", ECHO_DEFAULTS.udpReceiveBufferSize, (o) => serveEchoUdp({ port: 0, ...o })],
];

const skip = kernelReceiveBuffer(0) === undefined
  ? "needs Linux and iproute2's ss to read a socket's buffer"
  : false;

describe("UDP servers' receive buffer", () => {
  for (const [name, byDefault, serve] of SERVERS) {
    for (const adapter of availableAdapters() as AdapterName[]) {
      it(`${name}, ${adapter} adapter: the default, the option, or in Deno none claimed`, {
        skip,
      }, async () => {
        const max = receiveBufferMax();
        // Below the system's cap and the default, so that each shows in the kernel's number.
        const asked = Math.min(1024 * 1024, Math.floor(max / 2));
        await using plain = await bindDatagram({ port: 0, adapter });
        await using defaulted = await serve({ adapter });
        await using sized = await serve({ adapter, receiveBufferSize: asked });
        const kernel = (s: { addr: NetAddress }): number | undefined =>
          kernelReceiveBuffer(s.addr.port);
        if (detectRuntime() === "deno") {
          // No API sets it: the system's default holds, and the server says it does not know.
          for (const s of [defaulted, sized]) {
            assert.ok("receiveBufferSize" in s, "the server reports its buffer");
            assert.equal(s.receiveBufferSize, undefined);
            assert.equal(kernel(s), kernel(plain));
          }
        } else {
          // Linux grants at most net.core.rmem_max and reports twice what it granted.
          assert.equal(kernel(defaulted), 2 * Math.min(byDefault, max));
          assert.equal(kernel(sized), 2 * asked);
          for (const s of [defaulted, sized]) assert.equal(s.receiveBufferSize, kernel(s));
        }
        for (const bad of [0, -1, 1.5, 2 ** 31]) {
          await assert.rejects(serve({ adapter, receiveBufferSize: bad }), RangeError, String(bad));
        }
      });
    }
  }

  it("defaults to 4 MiB in both services", () => {
    assert.equal(CHAT_DEFAULTS.receiveBufferSize, 4 * 1024 * 1024);
    assert.equal(ECHO_DEFAULTS.udpReceiveBufferSize, 4 * 1024 * 1024);
  });
});

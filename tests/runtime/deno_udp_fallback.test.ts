// The deno adapter's UDP: Deno.listenDatagram exists only with --unstable-net (the test runner
// passes it); without it the adapter falls back to node:dgram. Both are checked here in child
// Deno processes, from whichever runtime runs this test.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "../../mod.ts";
import { peerArgv } from "./peers.ts";
import { readAll, within } from "./helpers.ts";

const PEER = "tests/runtime/peers/deno_udp_peer.ts";

async function run(unstableNet: boolean): Promise<unknown> {
  const proc = await spawn({
    argv: peerArgv("deno", PEER, [], { unstableNet }),
    timeoutMs: 30_000,
  });
  const decode = async (s: ReadableStream<Uint8Array>): Promise<string> =>
    new TextDecoder().decode(await readAll(s as unknown as AsyncIterable<Uint8Array>));
  const [out, err, status] = await within(
    Promise.all([decode(proc.stdout), decode(proc.stderr), proc.status]),
    40_000,
    "deno peer",
  );
  assert.equal(status.code, 0, err);
  return JSON.parse(out.trim());
}

describe("deno adapter UDP", () => {
  it("uses Deno.listenDatagram with --unstable-net", async () => {
    assert.deepEqual(await run(true), { adapter: "deno", native: true, ok: true });
  });

  it("falls back to node:dgram without --unstable-net", async () => {
    assert.deepEqual(await run(false), { adapter: "deno", native: false, ok: true });
  });
});

// Nothing an adapter leaves behind keeps a process alive: a script that uses every adapter and
// cleans up as a caller would must end by itself, in each runtime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "../../mod.ts";
import type { AdapterName } from "../../mod.ts";
import { peerArgv } from "./peers.ts";
import { readAll, within } from "./helpers.ts";
import { testCerts } from "./tls_certs.ts";

const PEER = "tests/runtime/peers/exit_peer.ts";

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(await readAll(stream as unknown as AsyncIterable<Uint8Array>));
}

describe("process exit", () => {
  for (const runtime of ["node", "deno", "bun"] as AdapterName[]) {
    it(`${runtime}: a script that used every adapter ends by itself`, async () => {
      const { certFile, keyFile } = testCerts().pinned;
      const proc = await spawn({
        argv: peerArgv(runtime, PEER, [certFile, keyFile]),
        timeoutMs: 20_000,
      });
      const [out, err, status] = await within(
        Promise.all([text(proc.stdout), text(proc.stderr), proc.status]),
        30_000,
        "peer",
      );
      assert.equal(out.trim(), "done", err);
      assert.deepEqual(status, { code: 0, signal: null, timedOut: false }, err);
    });
  }
});

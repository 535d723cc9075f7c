// Two facts about Deno 2.9's TLS that shape the adapters, checked on Deno's own API in a Deno
// process (tests/runtime/peers/deno_tls_facts.ts says what each one means). The third fact,
// Deno.connectTls trusting its default store besides `caCerts`, is in tls_pinning.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "../../mod.ts";
import { peerArgv } from "./peers.ts";
import { within } from "./helpers.ts";
import { testCerts } from "./tls_certs.ts";
import { text } from "./interop_server.ts";

describe("Deno's TLS, as the adapters found it", () => {
  it("Deno.listenTls holds a stalled handshake's socket; paused node:tls loses EOF", async () => {
    const { certFile, keyFile } = testCerts().pinned;
    const proc = await spawn({
      argv: peerArgv("deno", "tests/runtime/peers/deno_tls_facts.ts", [certFile, keyFile]),
      timeoutMs: 30_000,
    });
    const [out, err, status] = await within(
      Promise.all([text(proc.stdout), text(proc.stderr), proc.status]),
      40_000,
      "deno",
    );
    assert.equal(status.code, 0, err);
    assert.deepEqual(JSON.parse(out.trim().split("\n").pop() ?? "{}"), {
      stalledHandshakeHeld: true,
      pausedEofLost: true,
    });
  });
});

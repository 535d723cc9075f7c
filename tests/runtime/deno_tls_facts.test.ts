// Two facts about Deno 2.9's TLS that shape the adapters, checked on Deno's own API in a Deno
// process (tests/runtime/peers/deno_tls_facts.ts says what each one means). The third fact,
// Deno.connectTls trusting its default store besides `caCerts`, is in tls_pinning.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { testCerts } from "./tls_certs.ts";
import { runPeer } from "./interop_server.ts";

describe("Deno's TLS, as the adapters found it", () => {
  it("Deno.listenTls holds a stalled handshake's socket; paused node:tls loses EOF", async () => {
    const { certFile, keyFile } = testCerts().pinned;
    const facts = await runPeer("deno", "tests/runtime/peers/deno_tls_facts.ts", [
      certFile,
      keyFile,
    ]);
    assert.deepEqual(facts, { stalledHandshakeHeld: true, pausedEofLost: true });
  });
});

// Pinning trusts exactly the given certificate: with the test CA added to each runtime's default
// trust store (so that a client without `ca` does connect to a server whose certificate it signed),
// a client whose `ca` is one unrelated self-signed certificate is refused, in every runtime and
// adapter. And Deno's own Deno.connectTls does connect there (caCerts are added to its store): the
// reason the deno adapter's TLS is node:tls (docs/RUNTIME.md).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import type { AdapterName } from "../../mod.ts";
import { testCerts } from "./tls_certs.ts";
import { runPeer } from "./interop_server.ts";

const PEER = "tests/runtime/peers/pinning_peer.ts";

/** The variable each runtime reads extra trusted CAs from, at startup. */
const EXTRA_CA: Record<AdapterName, string> = {
  node: "NODE_EXTRA_CA_CERTS",
  bun: "NODE_EXTRA_CA_CERTS",
  deno: "DENO_CERT",
};

describe("TLS pinning", () => {
  for (const runtime of ["node", "deno", "bun"] as AdapterName[]) {
    it(`${runtime}: \`ca\` is the only trust, even with the server's CA in the default store`, async () => {
      const certs = testCerts();
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
      env[EXTRA_CA[runtime]] = certs.ca.certFile;
      const result = await runPeer(runtime, PEER, [
        certs.signed.certFile,
        certs.signed.keyFile,
        certs.pinned.certFile,
      ], env);
      const adapters = runtime === "node" ? ["node"] : [runtime, "node"];
      const expected: Record<string, unknown> = {};
      for (const a of adapters) expected[a] = { byDefault: "connected", byPin: "TlsError" };
      if (runtime === "deno") expected.denoConnectTls = "connected";
      assert.deepEqual(result, expected);
    });
  }
});

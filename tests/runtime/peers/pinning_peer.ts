// Run by tests/runtime/tls_pinning.test.ts in each runtime, with the test CA added to the
// runtime's default trust store (NODE_EXTRA_CA_CERTS for Node and Bun, DENO_CERT for Deno). For
// every adapter available here, a TLS server serves SIGNED (a certificate that CA signed) and:
//   - a client trusting the default store connects: the CA really is in that store;
//   - a client pinning PINNED (`ca`: one unrelated self-signed certificate) is refused: `ca` is the
//     only trust, not an addition to the default store.
// In Deno it also tries Deno.connectTls with `caCerts: [PINNED]`, which trusts the default store
// besides (why the deno adapter's TLS is node:tls). Prints one JSON line.
//
//   <runtime> pinning_peer.ts SIGNED_CERT SIGNED_KEY PINNED_CERT
import process from "node:process";
import { readFileSync } from "node:fs";
import { availableAdapters, getAdapter, TlsError } from "../../../mod.ts";

const [certFile, keyFile, pinnedFile] = process.argv.slice(2);
const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
const pinned = readFileSync(pinnedFile, "utf8");
const result: Record<string, unknown> = {};

for (const name of availableAdapters()) {
  const a = await getAdapter(name);
  await using server = await a.listen({ tls, onAcceptError: () => {} }, (conn) => conn.close());
  const port = server.addr.port;
  const byDefault = await a.connect({ port, tls: {} }).then(
    (c) => (c.close(), "connected"),
    (e) => String(e),
  );
  const byPin = await a.connect({ port, tls: { ca: pinned } }).then(
    (c) => (c.close(), "connected"),
    (e) => (e instanceof TlsError ? "TlsError" : String(e)),
  );
  result[name] = { byDefault, byPin };
}

const deno = (globalThis as {
  Deno?: {
    connectTls(o: { hostname: string; port: number; caCerts: string[] }): Promise<{
      handshake(): Promise<unknown>;
      close(): void;
    }>;
  };
}).Deno;
if (deno !== undefined) {
  const a = await getAdapter("deno");
  await using server = await a.listen({ tls, onAcceptError: () => {} }, (conn) => conn.close());
  result.denoConnectTls = await deno.connectTls({
    hostname: "127.0.0.1",
    port: server.addr.port,
    caCerts: [pinned],
  }).then(async (c) => {
    await c.handshake();
    c.close();
    return "connected";
  }, (e) => String(e));
}
console.log(JSON.stringify(result));

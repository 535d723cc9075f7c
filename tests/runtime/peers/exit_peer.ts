// Run by tests/runtime/exit.test.ts in each runtime: uses every adapter available there (TCP with
// signals and half-close, TLS with a round trip and a refused certificate, UDP, a subprocess with a
// long timeout, a refused connect), cleans up as a caller would, prints "done" and returns without
// calling process.exit.
//
//   <runtime> exit_peer.ts CERT KEY     (a certificate to serve and to pin) The process must then end
// by itself: nothing the adapters leave behind (a timer, a listener, a handle) may keep it alive.
import process from "node:process";
import { readFileSync } from "node:fs";
import { availableAdapters, getAdapter } from "../../../mod.ts";

const [certFile, keyFile] = process.argv.slice(2);
const cert = readFileSync(certFile, "utf8");
const key = readFileSync(keyFile, "utf8");

for (const name of availableAdapters()) {
  const a = await getAdapter(name);
  const controller = new AbortController();
  const { signal } = controller;
  const server = await a.listen({ signal }, async (conn) => {
    for await (const chunk of conn) await conn.write(chunk);
    await conn.closeWrite();
  });
  const conn = await a.connect({ port: server.addr.port, signal });
  await conn.write(new Uint8Array(10));
  await conn.closeWrite();
  for await (const _ of conn) { /* the echo */ }
  await server.close({ waitForConnections: true });
  await a.connect({ port: server.addr.port, signal }).then((c) => c.close(), () => {});
  const other = await a.connect({ port: (await a.listen({ signal }, () => {})).addr.port, signal });
  controller.abort(); // closes that server and connection
  await other.closed;

  const secure = await a.listen({ tls: { cert, key }, onAcceptError: () => {} }, async (conn) => {
    for await (const chunk of conn) await conn.write(chunk);
    await conn.closeWrite();
  });
  const tlsConn = await a.connect({ port: secure.addr.port, tls: { ca: cert } });
  await tlsConn.write(new Uint8Array(10));
  await tlsConn.closeWrite();
  for await (const _ of tlsConn) { /* the echo */ }
  await a.connect({ port: secure.addr.port, tls: {} }).then((c) => c.close(), () => {});
  await secure.close({ waitForConnections: true });

  const receiver = await a.bindDatagram({ signal: AbortSignal.timeout(60_000) });
  const sender = await a.bindDatagram({});
  await sender.send(new Uint8Array(5), receiver.addr);
  for await (const _ of receiver) break;
  receiver.close();
  sender.close();

  const proc = a.spawn({
    argv: ["cat"],
    stdin: true,
    timeoutMs: 60_000,
    signal: new AbortController().signal,
  });
  await proc.writeStdin(new Uint8Array(3));
  await proc.closeStdin();
  await new Response(proc.stdout).arrayBuffer();
  await proc.status;
  const ignored = a.spawn({ argv: ["true"], timeoutMs: 60_000, stdin: true });
  await ignored.status; // output never read, stdin never closed
}
console.log("done");

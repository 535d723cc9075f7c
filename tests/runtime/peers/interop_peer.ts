// One side of the cross-runtime interop test, run as its own process in Node, Deno or Bun with
// the runtime's native adapter:
//
//   <runtime> interop_peer.ts server CERT KEY   framed TCP echo, the same over TLS (serving CERT;
//                                               its first frame is the session's RFC 9266
//                                               tls-exporter value, or empty), UDP echo; prints a
//                                               JSON line {"runtime","tcp","tls","udp"}; exits at
//                                               stdin EOF
//   <runtime> interop_peer.ts client TCP UDP TLS CA
//                                               checks the echoes (TLS: trusting only CA, the
//                                               server's certificate is CA's, both ends export the
//                                               same binding); prints {"ok":true,…}; exit 0
//
// Node 20 cannot run .ts: the test runs its compiled copy from .build/node.
import process from "node:process";
import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import {
  bindDatagram,
  connect,
  createFrameEncoder,
  decodeFrames,
  detectRuntime,
  listen,
  MAX_DATAGRAM_SIZE,
  tlsExporter,
} from "../../../mod.ts";
import type { TcpConnection } from "../../../mod.ts";

const FRAMING = { header: "!I" as const, maxFrameLength: 8 * 1024 * 1024 };

function payload(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Echoes every frame; first, over TLS, the session's channel binding (empty if none). */
async function echoFrames(conn: TcpConnection): Promise<void> {
  const encoder = createFrameEncoder(FRAMING);
  if (conn.tls !== undefined) {
    await conn.writev(encoder.encodeParts(tlsExporter(conn) ?? new Uint8Array(0)));
  }
  for await (const frame of decodeFrames(conn, FRAMING)) {
    await conn.writev(encoder.encodeParts(frame));
  }
  await conn.closeWrite();
}

async function serve(certFile: string, keyFile: string): Promise<void> {
  const server = await listen({}, echoFrames);
  const cert = readFileSync(certFile);
  const key = readFileSync(keyFile);
  const secure = await listen({ tls: { cert, key } }, echoFrames);
  const udp = await bindDatagram({});
  void (async () => {
    for await (const { data, remote } of udp) await udp.send(data, remote);
  })();
  console.log(JSON.stringify({
    runtime: detectRuntime(),
    tcp: server.addr.port,
    tls: secure.addr.port,
    udp: udp.addr.port,
  }));
  // The test holds our stdin open; when it closes (test done, or the test process died), stop.
  for await (const _ of process.stdin) { /* ignore input */ }
  udp.close();
  await server[Symbol.asyncDispose]();
  await secure[Symbol.asyncDispose]();
  process.exit(0);
}

/**
 * Sends frames of every size and checks the echo; over TLS, first checks the server's binding
 * frame against ours. Returns how the session was bound: "tls-exporter" when both ends exported
 * the same value, "none" when either has no exporter.
 */
async function echoRoundTrip(conn: TcpConnection): Promise<{ frames: number; binding: string }> {
  const sizes = [0, 1, 4, 1000, 65_536, 70_001, 1024 * 1024 + 17];
  const sent = sizes.map((n, i) => payload(n, i + 1));
  for (let i = 0; i < 200; i++) sent.push(new TextEncoder().encode(`small frame ${i}`));
  const mine = tlsExporter(conn); // while the connection is open
  const encoder = createFrameEncoder(FRAMING);
  const writing = (async () => {
    for (const p of sent) await conn.writev(encoder.encodeParts(p));
    await conn.closeWrite();
  })();
  let i = conn.tls === undefined ? 0 : -1;
  let binding = "plaintext";
  for await (const frame of decodeFrames(conn, FRAMING)) {
    if (i === -1) {
      const theirs = frame.length === 0 ? undefined : frame.slice();
      if (mine !== undefined && theirs !== undefined && !same(mine, theirs)) {
        throw new Error("the two ends export different tls-exporter values");
      }
      binding = mine !== undefined && theirs !== undefined ? "tls-exporter" : "none";
    } else if (!same(frame, sent[i])) throw new Error(`frame ${i} differs (${frame.length} bytes)`);
    i++;
  }
  await writing;
  if (i !== sent.length) throw new Error(`got ${i} frames back, sent ${sent.length}`);
  conn.close();
  return { frames: i, binding };
}

async function client(tcpPort: number, udpPort: number, tlsPort: number, caFile: string) {
  const plain = await echoRoundTrip(await connect({ port: tcpPort }));
  const ca = readFileSync(caFile, "utf8");
  const conn = await connect({ port: tlsPort, tls: { ca } });
  const expected = new Uint8Array(new X509Certificate(ca).raw);
  if (!same(conn.tls?.peerCertificate ?? new Uint8Array(0), expected)) {
    throw new Error("the server's certificate is not the pinned one");
  }
  const protocol = conn.tls?.protocol;
  const secure = await echoRoundTrip(conn);

  const udp = await bindDatagram({});
  const to = { hostname: "127.0.0.1", port: udpPort };
  const replies = udp[Symbol.asyncIterator]();
  const datagrams = [1, 100, 1472, 9000, MAX_DATAGRAM_SIZE].map((n, k) => payload(n, 100 + k));
  // One receive stays pending across a timed-out attempt (only one may be pending at a time).
  let pending: Promise<IteratorResult<{ data: Uint8Array }>> | null = null;
  for (const d of datagrams) {
    let ok = false;
    for (let attempt = 0; attempt < 3 && !ok; attempt++) {
      await udp.send(d, to);
      pending ??= replies.next();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const reply = await Promise.race([
        pending,
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 2000))),
      ]);
      clearTimeout(timer);
      if (reply !== null) pending = null;
      ok = reply !== null && !reply.done && same(reply.value.data, d);
    }
    if (!ok) throw new Error(`no echo of a ${d.length}-byte datagram`);
  }
  udp.close();
  console.log(JSON.stringify({
    ok: true,
    runtime: detectRuntime(),
    frames: plain.frames,
    datagrams: datagrams.length,
    tlsFrames: secure.frames,
    protocol,
    binding: secure.binding,
  }));
}

const [mode, ...args] = process.argv.slice(2);
try {
  if (mode === "server") await serve(args[0], args[1]);
  else if (mode === "client") {
    await client(Number(args[0]), Number(args[1]), Number(args[2]), args[3]);
  } else {
    throw new Error("usage: interop_peer.ts server CERT KEY | client TCP UDP TLS CA");
  }
} catch (e) {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
}

// One side of the cross-runtime interop test, run as its own process in Node, Deno or Bun with
// the runtime's native adapter:
//
//   <runtime> interop_peer.ts server            framed TCP echo + UDP echo; prints a JSON line
//                                               {"runtime","adapter","tcp","udp"}; exits at stdin EOF
//   <runtime> interop_peer.ts client TCP UDP    checks both echoes; prints {"ok":true,…}; exit 0
//
// Node 20 cannot run .ts: the test runs its compiled copy from .build/node.
import process from "node:process";
import {
  bindDatagram,
  connect,
  createFrameEncoder,
  decodeFrames,
  detectRuntime,
  listen,
  MAX_DATAGRAM_SIZE,
} from "../../../mod.ts";

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

async function serve(): Promise<void> {
  const server = await listen({}, async (conn) => {
    const encoder = createFrameEncoder(FRAMING);
    for await (const frame of decodeFrames(conn, FRAMING)) {
      await conn.writev(encoder.encodeParts(frame));
    }
    await conn.closeWrite();
  });
  const udp = await bindDatagram({});
  void (async () => {
    for await (const { data, remote } of udp) await udp.send(data, remote);
  })();
  console.log(JSON.stringify({
    runtime: detectRuntime(),
    tcp: server.addr.port,
    udp: udp.addr.port,
  }));
  // The test holds our stdin open; when it closes (test done, or the test process died), stop.
  for await (const _ of process.stdin) { /* ignore input */ }
  udp.close();
  await server[Symbol.asyncDispose]();
  process.exit(0);
}

async function client(tcpPort: number, udpPort: number): Promise<void> {
  const sizes = [0, 1, 4, 1000, 65_536, 70_001, 1024 * 1024 + 17];
  const sent = sizes.map((n, i) => payload(n, i + 1));
  for (let i = 0; i < 200; i++) sent.push(new TextEncoder().encode(`small frame ${i}`));
  const conn = await connect({ port: tcpPort });
  const encoder = createFrameEncoder(FRAMING);
  const writing = (async () => {
    for (const p of sent) await conn.writev(encoder.encodeParts(p));
    await conn.closeWrite();
  })();
  let i = 0;
  for await (const frame of decodeFrames(conn, FRAMING)) {
    if (!same(frame, sent[i])) throw new Error(`frame ${i} differs (${frame.length} bytes)`);
    i++;
  }
  await writing;
  if (i !== sent.length) throw new Error(`got ${i} frames back, sent ${sent.length}`);
  conn.close();

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
    frames: sent.length,
    datagrams: datagrams.length,
  }));
}

const [mode, tcp, udp] = process.argv.slice(2);
try {
  if (mode === "server") await serve();
  else if (mode === "client") await client(Number(tcp), Number(udp));
  else throw new Error("usage: interop_peer.ts server | client TCP_PORT UDP_PORT");
} catch (e) {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
}

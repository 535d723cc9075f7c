// The Deno adapter's writev, by the shape of what is written, for A/B runs of two checkouts
// (`--root DIR`: the checkout whose mod.ts and adapter are measured; default this one). Loopback
// TCP, sender and receiver in one process; the receiver counts `!I` frames in place over the
// adapter's chunks. Prints one JSON line: payload MB/s (10^6), the best of 2 after a warm-up.
//
//   deno run -A bench/deno_writev.ts --case large1 [--seconds 2] [--root ../other-checkout]
//
// Cases: small1 (writev([header, 64 B]) per frame), small4k (one writev of 4,096 such frames'
// parts, 272 KiB), smallFramed (framed().send() of 1,024 64 B messages, then one await),
// large1 (writev([header, 64 KiB]) per frame), large8 (one writev of 8 such frames, 512 KiB),
// largeFramed (framed().send() of 64 KiB, each awaited).
import process from "node:process";
import type { TcpConnection } from "../mod.ts";

type Mod = typeof import("../mod.ts");
type Counter = { frames: number; bytes: number; push(chunk: Uint8Array): void };

const args = process.argv.slice(2);
const opt = (n: string, d: string): string => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const root = opt("--root", new URL("..", import.meta.url).pathname);
const which = opt("--case", "large1");
const seconds = Number(opt("--seconds", "2"));
const mod: Mod = await import(`${root}/mod.ts`);
const { FrameCounter } = await import(`${root}/bench/runtime_raw.ts`) as {
  FrameCounter: new () => Counter;
};
const adapter = await mod.getAdapter("deno");
const encoder = mod.createFrameEncoder();

const CASES: Record<string, { size: number; perCall: number; framedSend?: boolean }> = {
  small1: { size: 64, perCall: 1 },
  small4k: { size: 64, perCall: 4096 },
  smallFramed: { size: 64, perCall: 1024, framedSend: true },
  large1: { size: 65_536, perCall: 1 },
  large8: { size: 65_536, perCall: 8 },
  largeFramed: { size: 65_536, perCall: 1, framedSend: true },
};
const shape = CASES[which];
if (shape === undefined) throw new Error(`unknown case ${which} (one of ${Object.keys(CASES)})`);
const payload = new Uint8Array(shape.size).map((_, i) => (i * 131 + 7) & 0xff);
const parts: Uint8Array[] = [];
for (let i = 0; i < shape.perCall; i++) parts.push(...encoder.encodeParts(payload));

async function send(conn: TcpConnection, deadline: number): Promise<number> {
  let sent = 0;
  if (shape.framedSend) {
    const f = mod.framed(conn);
    while (performance.now() < deadline) {
      let last: Promise<void> | undefined;
      for (let i = 0; i < shape.perCall; i++) last = f.send(payload);
      await last;
      sent += shape.perCall;
    }
    await f.closeWrite();
    return sent;
  }
  while (performance.now() < deadline) {
    await conn.writev(parts);
    sent += shape.perCall;
  }
  await conn.closeWrite();
  return sent;
}

async function once(): Promise<number> {
  let received: Promise<Counter> | undefined;
  const server = await adapter.listen({}, (conn) => {
    received = (async () => {
      const counter = new FrameCounter();
      for await (const chunk of conn) counter.push(chunk);
      conn.close();
      return counter;
    })();
  });
  const conn = await adapter.connect({ port: server.addr.port });
  const start = performance.now();
  const sent = await send(conn, start + seconds * 1000);
  while (received === undefined) await new Promise((r) => setTimeout(r, 1));
  const tally = await received;
  const elapsed = (performance.now() - start) / 1000;
  if (tally.frames !== sent || tally.bytes !== sent * shape.size) {
    throw new Error(`${which}: sent ${sent} frames, received ${JSON.stringify(tally)}`);
  }
  conn.close();
  await server[Symbol.asyncDispose]();
  return (sent * shape.size) / elapsed / 1e6;
}

await once(); // warm-up
const best = Math.max(await once(), await once());
console.log(JSON.stringify({ root, case: which, mbps: best }));

// Runtime adapter benchmark, one runtime and one implementation per run: loopback TCP in one
// process (receiver and sender on the same thread), `!I`-framed.
//
//   large: 64 KiB frames, 1 GiB — sender writes header + payload per frame (writev of
//          encodeParts for an adapter), receiver counts frames.
//   small: 64-byte frames, pipelined for a fixed time — sender writes prebuilt batches of 1,024
//          frames, receiver counts frames (so what differs is the receiving path: adapter
//          iteration and per-frame handling).
//
// Implementations: `raw` (bench/runtime_raw.ts: node:net, Deno.connect read/write, Bun.connect
// with drain — counting frames in place) or an adapter (`node`, `deno`, `bun`) with the framing
// layer, receiving through `decodeFrames()` (a Uint8Array per frame) and through `pushRanges()`
// (no allocation per frame). `bench/run_runtime_adapters.mjs` runs every runtime × implementation.
//
//   deno run -A bench/runtime_adapters.ts --impl deno [--quick] [--runs N] [--json]
//   bun bench/runtime_adapters.ts --impl bun
//   node .build/bench/bench/runtime_adapters.js --impl node      (after tsc -p tsconfig.test.json --outDir .build/bench)
import process from "node:process";
import {
  createFrameDecoder,
  createFrameEncoder,
  decodeFrames,
  detectRuntime,
  getAdapter,
} from "../mod.ts";
import type { Adapter, AdapterName, TcpConnection } from "../mod.ts";
import { type RawPair, rawPair, type Tally } from "./runtime_raw.ts";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const JSON_OUT = args.includes("--json");
const IMPL = (args.includes("--impl") ? args[args.indexOf("--impl") + 1] : "raw") as
  | AdapterName
  | "raw";
const RUNS = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : QUICK ? 2 : 3;
const LARGE_FRAME = 64 * 1024;
const LARGE_TOTAL = (QUICK ? 256 : 1024) * 1024 * 1024;
const SMALL_FRAME = 64;
const SMALL_BATCH = 1024;
const SMALL_SECONDS = QUICK ? 0.5 : 2;
const FRAMING = { header: "!I" as const };

/** How an adapter's receiver reads: frames from `decodeFrames(conn)`; chunks from iterating the
 * connection into `pushRanges()`; or a BYOB reader of `conn.readable` refilling one reused
 * 256 KiB buffer into `pushRanges()`. */
type Receive = "decodeFrames" | "pushRanges" | "byob+pushRanges";
const RECEIVES: readonly Receive[] = ["decodeFrames", "pushRanges", "byob+pushRanges"];

/** One measured transfer. */
export interface Measurement {
  workload: "large" | "small";
  receive: Receive | "raw";
  frames: number;
  payloadBytes: number;
  seconds: number;
  /** CPU seconds of this process (both ends run in it) during the transfer. */
  cpuSeconds: number;
}

function payload(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + 7) & 0xff;
  return out;
}

const encoder = createFrameEncoder(FRAMING);
const largePayload = payload(LARGE_FRAME);
const largeFrame = encoder.encode(largePayload);
const smallBatch = (() => {
  const one = encoder.encode(payload(SMALL_FRAME));
  const out = new Uint8Array(one.length * SMALL_BATCH);
  for (let i = 0; i < SMALL_BATCH; i++) out.set(one, i * one.length);
  return out;
})();

/** Sends while `more()` holds; `large` frames go as writev([header, payload]) per frame. */
async function sendWithAdapter(
  conn: TcpConnection,
  workload: "large" | "small",
  more: () => boolean,
): Promise<void> {
  if (workload === "large") {
    while (more()) await conn.writev(encoder.encodeParts(largePayload));
  } else {
    while (more()) await conn.write(smallBatch);
  }
  await conn.closeWrite();
}

async function receiveWithAdapter(conn: TcpConnection, mode: Receive): Promise<Tally> {
  const tally = { frames: 0, bytes: 0 };
  if (mode === "decodeFrames") {
    for await (const frame of decodeFrames(conn, FRAMING)) {
      tally.frames++;
      tally.bytes += frame.length;
    }
  } else {
    const decoder = createFrameDecoder(FRAMING);
    const onFrame = (_b: Uint8Array, start: number, end: number): void => {
      tally.frames++;
      tally.bytes += end - start;
    };
    if (mode === "pushRanges") {
      for await (const chunk of conn) decoder.pushRanges(chunk, onFrame);
    } else {
      const reader = conn.readable.getReader({ mode: "byob" });
      let buffer = new Uint8Array(256 * 1024);
      for (;;) {
        const r = await reader.read(buffer);
        if (r.done) break;
        decoder.pushRanges(r.value, onFrame);
        buffer = new Uint8Array(r.value.buffer);
      }
    }
    decoder.end();
  }
  conn.close();
  return tally;
}

/** A condition for the sender: `frames` frames (large) or `seconds` of sending (small). */
function budget(workload: "large" | "small"): () => boolean {
  if (workload === "large") {
    let left = LARGE_TOTAL / LARGE_FRAME;
    return () => left-- > 0;
  }
  const deadline = performance.now() + SMALL_SECONDS * 1000;
  return () => performance.now() < deadline;
}

async function measureAdapter(
  adapter: Adapter,
  workload: "large" | "small",
  receive: Receive,
): Promise<Measurement> {
  let received!: Promise<Tally>;
  const server = await adapter.listen({}, (conn) => {
    received = receiveWithAdapter(conn, receive);
  });
  const conn = await adapter.connect({ port: server.addr.port });
  const start = performance.now();
  const cpu = process.cpuUsage();
  await sendWithAdapter(conn, workload, budget(workload));
  while (received === undefined) await new Promise((r) => setTimeout(r, 1));
  const tally = await received;
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSince(cpu);
  conn.close();
  await server[Symbol.asyncDispose]();
  return {
    workload,
    receive,
    frames: tally.frames,
    payloadBytes: tally.bytes,
    seconds,
    cpuSeconds,
  };
}

async function measureRaw(workload: "large" | "small"): Promise<Measurement> {
  const pair: RawPair = await rawPair(detectRuntime());
  const start = performance.now();
  const cpu = process.cpuUsage();
  await pair.send(workload === "large" ? largeFrame : smallBatch, budget(workload));
  const tally = await pair.received;
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSince(cpu);
  pair.close();
  return {
    workload,
    receive: "raw",
    frames: tally.frames,
    payloadBytes: tally.bytes,
    seconds,
    cpuSeconds,
  };
}

function cpuSince(start: { user: number; system: number }): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function verify(m: Measurement): void {
  const size = m.workload === "large" ? LARGE_FRAME : SMALL_FRAME;
  if (m.payloadBytes !== m.frames * size) throw new Error(`bad tally: ${JSON.stringify(m)}`);
  if (m.workload === "large" && m.frames !== LARGE_TOTAL / LARGE_FRAME) {
    throw new Error(`lost frames: ${JSON.stringify(m)}`);
  }
  if (m.workload === "small" && m.frames % SMALL_BATCH !== 0) {
    throw new Error(`partial batch: ${JSON.stringify(m)}`);
  }
}

/** Best of RUNS after one warm-up run. */
async function best(run: () => Promise<Measurement>): Promise<Measurement> {
  verify(await run());
  let top: Measurement | undefined;
  for (let i = 0; i < RUNS; i++) {
    const m = await run();
    verify(m);
    if (!top || m.payloadBytes / m.seconds > top.payloadBytes / top.seconds) top = m;
  }
  return top!;
}

const runtime = detectRuntime();
const rows: (Measurement & { impl: string })[] = [];
for (const workload of ["large", "small"] as const) {
  if (IMPL === "raw") {
    rows.push({ impl: "raw", ...await best(() => measureRaw(workload)) });
  } else {
    const adapter = await getAdapter(IMPL);
    for (const receive of RECEIVES) {
      rows.push({
        impl: adapter.name,
        ...await best(() => measureAdapter(adapter, workload, receive)),
      });
    }
  }
}

const versions: Record<string, string> = {
  node: `node ${process.version}`,
  deno: `deno ${(globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno}`,
  bun: `bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}`,
};
if (JSON_OUT) {
  console.log(JSON.stringify({ runtime, version: versions[runtime], impl: IMPL, rows }));
} else {
  for (const r of rows) {
    const mbps = r.payloadBytes / r.seconds / 1e6;
    const fps = r.frames / r.seconds;
    const cpu = r.payloadBytes / r.cpuSeconds / 1e6;
    console.log(
      `${runtime} ${r.impl.padEnd(4)} ${r.workload.padEnd(5)} ${r.receive.padEnd(15)} ` +
        `${mbps.toFixed(0).padStart(6)} MB/s ${(fps / 1e6).toFixed(2).padStart(6)} M frames/s ` +
        `${cpu.toFixed(0).padStart(6)} MB/cpu-s`,
    );
  }
}

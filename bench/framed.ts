// framed() benchmark, one runtime per run: loopback TCP in one process (receiver and sender on the
// same thread), `!I` frames, every receive path in the same run as the raw loop it is compared to.
//
//   large: 64 KiB frames, 1 GiB. The raw loop writes prebuilt frames and counts them in place;
//          the adapter paths write `writev(encodeParts(payload))` per frame; framed() sends with
//          `send(payload)` and receives with `batches()` or `for await`. Two more rows send
//          prebuilt frames with `conn.write()` to the adapter's `pushRanges()` and to framed()'s
//          `batches()`, to tell the sender's share of a gap from the receiver's.
//   small: 64-byte frames for a fixed time, written as prebuilt batches of 1,024 frames by every
//          sender (what differs is receiving).
//
// Receivers: raw (bench/runtime_raw.ts), the adapter's chunks into `pushRanges()`,
// `decodeFrames(conn)` (today's async iterator), framed `batches()`, framed `for await`.
// bench/run_framed.mjs runs it under Node, Deno and Bun, in interleaved rounds.
//
//   deno run -A bench/framed.ts [--quick] [--runs N] [--json] [--adapter node]
//   bun bench/framed.ts
//   node .build/bench/bench/framed.js          (after tsc -p tsconfig.bench.json)
import process from "node:process";
import {
  createFrameDecoder,
  createFrameEncoder,
  decodeFrames,
  detectRuntime,
  framed,
  getAdapter,
} from "../mod.ts";
import type { AdapterName, TcpConnection } from "../mod.ts";
import { rawPair, type Tally } from "./runtime_raw.ts";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const JSON_OUT = args.includes("--json");
const option = (name: string): string | undefined =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
const RUNS = Number(option("--runs") ?? (QUICK ? 1 : 2));
const ADAPTER = (option("--adapter") ?? detectRuntime()) as AdapterName;
const LARGE_FRAME = 64 * 1024;
const LARGE_TOTAL = (QUICK ? 256 : 1024) * 1024 * 1024;
const SMALL_FRAME = 64;
const SMALL_BATCH = 1024;
const SMALL_SECONDS = QUICK ? 0.5 : 2;

type Workload = "large" | "small";
/** How the receiving end reads. */
type Receive = "raw" | "pushRanges" | "decodeFrames" | "batches" | "for await";
const RECEIVES: readonly Receive[] = ["raw", "pushRanges", "decodeFrames", "batches", "for await"];
/** How the sending end writes large frames: as its receive path's peer would, or prebuilt. */
type Send = "matching" | "prebuilt";

/** One measured transfer. */
export interface Measurement {
  workload: Workload;
  receive: Receive;
  send: Send;
  frames: number;
  payloadBytes: number;
  seconds: number;
  /** CPU seconds of this process (both ends, and the kernel's work for them) in the transfer. */
  cpuSeconds: number;
}

const encoder = createFrameEncoder();
const largePayload = new Uint8Array(LARGE_FRAME).map((_, i) => (i * 131 + 7) & 0xff);
const largeFrame = encoder.encode(largePayload);
const smallBatch = (() => {
  const one = encoder.encode(new Uint8Array(SMALL_FRAME).fill(0x5a));
  const out = new Uint8Array(one.length * SMALL_BATCH);
  for (let i = 0; i < SMALL_BATCH; i++) out.set(one, i * one.length);
  return out;
})();

/** While `more()`: large frames as the receive path's peer sends them, or small batches. */
async function send(
  conn: TcpConnection,
  workload: Workload,
  receive: Receive,
  how: Send,
  more: () => boolean,
): Promise<void> {
  if (workload === "small" || how === "prebuilt") {
    const bytes = workload === "small" ? smallBatch : largeFrame;
    while (more()) await conn.write(bytes);
    await conn.closeWrite();
  } else if (receive === "batches" || receive === "for await") {
    const f = framed(conn);
    while (more()) await f.send(largePayload);
    await f.closeWrite();
  } else {
    while (more()) await conn.writev(encoder.encodeParts(largePayload));
    await conn.closeWrite();
  }
}

async function receive(conn: TcpConnection, how: Receive): Promise<Tally> {
  const tally = { frames: 0, bytes: 0 };
  const count = (frame: Uint8Array): void => {
    tally.frames++;
    tally.bytes += frame.length;
  };
  if (how === "pushRanges") {
    const decoder = createFrameDecoder();
    const onFrame = (_b: Uint8Array, start: number, end: number): void => {
      tally.frames++;
      tally.bytes += end - start;
    };
    for await (const chunk of conn) decoder.pushRanges(chunk, onFrame);
    decoder.end();
  } else if (how === "decodeFrames") {
    for await (const frame of decodeFrames(conn)) count(frame);
  } else if (how === "batches") {
    for await (const batch of framed(conn).batches()) {
      for (let i = 0; i < batch.length; i++) count(batch[i]);
    }
  } else {
    for await (const frame of framed(conn)) count(frame);
  }
  conn.close();
  return tally;
}

/** Frames to send (large) or seconds of sending (small). */
function budget(workload: Workload): () => boolean {
  if (workload === "large") {
    let left = LARGE_TOTAL / LARGE_FRAME;
    return () => left-- > 0;
  }
  const deadline = performance.now() + SMALL_SECONDS * 1000;
  return () => performance.now() < deadline;
}

async function measure(workload: Workload, how: Receive, sender: Send): Promise<Measurement> {
  let tally: Tally;
  const start = performance.now();
  const cpu = process.cpuUsage();
  if (how === "raw") {
    const pair = await rawPair(detectRuntime());
    await pair.send(workload === "large" ? largeFrame : smallBatch, budget(workload));
    tally = await pair.received;
    pair.close();
  } else {
    const adapter = await getAdapter(ADAPTER);
    let received: Promise<Tally> | undefined;
    const server = await adapter.listen({}, (conn) => void (received = receive(conn, how)));
    const conn = await adapter.connect({ port: server.addr.port });
    await send(conn, workload, how, sender, budget(workload));
    while (received === undefined) await new Promise((r) => setTimeout(r, 1));
    tally = await received;
    conn.close();
    await server[Symbol.asyncDispose]();
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const size = workload === "large" ? LARGE_FRAME : SMALL_FRAME;
  if (
    tally.bytes !== tally.frames * size ||
    (workload === "large" && tally.frames !== LARGE_TOTAL / LARGE_FRAME)
  ) {
    throw new Error(`${workload} ${how}: wrong tally ${JSON.stringify(tally)}`);
  }
  return {
    workload,
    receive: how,
    send: sender,
    frames: tally.frames,
    payloadBytes: tally.bytes,
    seconds,
    cpuSeconds,
  };
}

/** Best of RUNS after one warm-up run. */
async function best(workload: Workload, how: Receive, sender: Send): Promise<Measurement> {
  await measure(workload, how, sender);
  let top: Measurement | undefined;
  for (let i = 0; i < RUNS; i++) {
    const m = await measure(workload, how, sender);
    if (!top || m.payloadBytes / m.seconds > top.payloadBytes / top.seconds) top = m;
  }
  return top as Measurement;
}

const rows: Measurement[] = [];
for (const workload of ["large", "small"] as const) {
  for (const how of RECEIVES) rows.push(await best(workload, how, "matching"));
}
rows.push(
  await best("large", "pushRanges", "prebuilt"),
  await best("large", "batches", "prebuilt"),
);

const versions: Record<string, string> = {
  node: `node ${process.version}`,
  deno: `deno ${(globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno}`,
  bun: `bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}`,
};
const runtime = detectRuntime();
if (JSON_OUT) {
  console.log(JSON.stringify({ runtime, version: versions[runtime], adapter: ADAPTER, rows }));
} else {
  for (const r of rows) {
    console.log(
      `${runtime} ${ADAPTER} ${r.workload.padEnd(5)} ${r.send.padEnd(8)} ${r.receive.padEnd(12)} ` +
        `${(r.payloadBytes / r.seconds / 1e6).toFixed(0).padStart(6)} MB/s ` +
        `${(r.frames / r.seconds / 1e6).toFixed(2).padStart(6)} M frames/s`,
    );
  }
}

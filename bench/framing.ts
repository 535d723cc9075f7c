// Framing benchmark, one runtime per run: in-memory decode of length-prefixed streams by unstuck
// and by its peers (it-length-prefixed, frame-stream, length-prefixed-stream), all fed the same
// chunks in the same process, every output verified (frame count, byte count, and a checksum of
// each frame's first and last byte). `bench/run_framing.mjs` runs it under Node, Deno and Bun and
// prints the tables of docs/BENCHMARKS.md.
//
//   deno run -A bench/framing.ts [--quick] [--json] [--only NAME]   # NAME: a workload name
//   deno run -A bench/framing.ts --memory [--json]                  # peak memory, 1 GiB decode
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import process from "node:process";
import * as lp from "it-length-prefixed";
import { createFrameDecoder, decodeFrames, FrameDecoderStream } from "../mod.ts";
import type { LengthHeader } from "../mod.ts";

const require = createRequire(import.meta.url);

/** The part of a Node `Transform` the peers' decoders are driven through. */
interface NodeTransform {
  on(event: string, listener: (arg: Uint8Array & Error) => void): unknown;
  once(event: string, listener: () => void): unknown;
  write(chunk: Uint8Array): boolean;
  end(): void;
}
const frameStream = require("frame-stream") as { decode(): NodeTransform };
const lengthPrefixedStream = require("length-prefixed-stream") as {
  decode(options?: { allowEmpty?: boolean }): NodeTransform;
};

/** What every decoder's output is checked against. */
interface Tally {
  count: number;
  bytes: number;
  check: number;
}

interface Workload {
  name: string;
  header: LengthHeader;
  frames: number;
  payload: number;
  chunkSize: number;
  chunks: Uint8Array[];
  /** The same chunks as Node Buffers (views), for the Node-stream peers. */
  buffers: Buffer[];
  expected: Tally;
}

interface Contender {
  name: string;
  /** Why it cannot run this workload, if it cannot. */
  skip?: (w: Workload) => string | undefined;
  run: (w: Workload) => Tally | Promise<Tally>;
}

export interface Row {
  workload: string;
  contender: string;
  framesPerSecond?: number;
  megabytesPerSecond?: number;
  seconds?: number;
  runs?: number;
  note?: string;
}

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const JSON_OUT = args.includes("--json");
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;

function newTally(): Tally {
  return { count: 0, bytes: 0, check: 0 };
}

function add(t: Tally, frame: Uint8Array): void {
  t.count++;
  t.bytes += frame.length;
  if (frame.length > 0) t.check = (t.check + frame[0] + frame[frame.length - 1]) % 1_000_000_007;
}

/** First and last byte of frame `i`, as the generator writes them. */
function marks(i: number): [number, number] {
  return [i & 0xff, (i * 7 + 3) & 0xff];
}

function headerBytes(header: LengthHeader, length: number): Uint8Array {
  if (header === "!I") {
    return new Uint8Array([
      length >>> 24,
      (length >>> 16) & 0xff,
      (length >>> 8) & 0xff,
      length & 0xff,
    ]);
  }
  const out: number[] = [];
  do {
    out.push((length & 0x7f) | (length >= 0x80 ? 0x80 : 0));
    length = Math.floor(length / 128);
  } while (length > 0);
  return new Uint8Array(out);
}

/**
 * Builds a workload. The stream repeats a block of `distinct` frames (so 2,000 MiB of frames need
 * only one block in memory); chunks are `chunkSize` views of it, except where a repetition ends.
 */
function workload(
  name: string,
  header: LengthHeader,
  frames: number,
  payload: number,
  chunkSize: number,
  distinct = frames,
): Workload {
  const head = headerBytes(header, payload);
  const frameSize = head.length + payload;
  const block = new Uint8Array(distinct * frameSize);
  for (let i = 0; i < distinct; i++) {
    const at = i * frameSize;
    block.set(head, at);
    const [first, last] = marks(i);
    block.fill(0x5a, at + head.length, at + frameSize);
    block[at + head.length] = first;
    block[at + frameSize - 1] = last;
  }
  const chunks: Uint8Array[] = [];
  const expected = newTally();
  for (let done = 0; done < frames; done += distinct) {
    for (let at = 0; at < block.length; at += chunkSize) {
      chunks.push(block.subarray(at, Math.min(at + chunkSize, block.length)));
    }
    for (let i = 0; i < distinct; i++) {
      const [first, last] = marks(i);
      expected.count++;
      expected.bytes += payload;
      expected.check = (expected.check + first + last) % 1_000_000_007;
    }
  }
  const buffers = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.length));
  return { name, header, frames, payload, chunkSize, chunks, buffers, expected };
}

function viaNodeStream(transform: NodeTransform, chunks: Buffer[]): Promise<Tally> {
  return new Promise((resolve, reject) => {
    const t = newTally();
    transform.on("data", (frame) => add(t, frame));
    transform.on("error", reject);
    transform.on("end", () => resolve(t));
    let i = 0;
    const pump = (): void => {
      while (i < chunks.length) {
        if (!transform.write(chunks[i++])) {
          transform.once("drain", pump);
          return;
        }
      }
      transform.end();
    };
    pump();
  });
}

/** it-length-prefixed's decoder for a 4-byte big-endian length ("!I"). */
const u32Length = Object.assign(
  (data: { byteLength: number; getUint32(offset: number): number }): number => {
    if (data.byteLength < 4) throw new RangeError("need 4 bytes");
    return data.getUint32(0);
  },
  { bytes: 4 },
);

const contenders: Contender[] = [
  {
    name: "unstuck pushRanges()",
    run: (w) => {
      const decoder = createFrameDecoder({ header: w.header });
      const t = newTally();
      const onFrame = (bytes: Uint8Array, start: number, end: number): void => {
        t.count++;
        t.bytes += end - start;
        if (end > start) t.check = (t.check + bytes[start] + bytes[end - 1]) % 1_000_000_007;
      };
      for (const chunk of w.chunks) decoder.pushRanges(chunk, onFrame);
      decoder.end();
      return t;
    },
  },
  {
    name: "unstuck push()",
    run: (w) => {
      const decoder = createFrameDecoder({ header: w.header });
      const t = newTally();
      for (const chunk of w.chunks) {
        const frames = decoder.push(chunk);
        for (let i = 0; i < frames.length; i++) add(t, frames[i]);
      }
      decoder.end();
      return t;
    },
  },
  {
    name: "unstuck decodeFrames()",
    run: async (w) => {
      const t = newTally();
      for await (const frame of decodeFrames(w.chunks, { header: w.header })) add(t, frame);
      return t;
    },
  },
  {
    name: "unstuck FrameDecoderStream",
    run: async (w) => {
      const t = newTally();
      let i = 0;
      const source = new ReadableStream<Uint8Array>({
        pull(controller): void {
          if (i < w.chunks.length) controller.enqueue(w.chunks[i++]);
          else controller.close();
        },
      });
      const reader = source.pipeThrough(new FrameDecoderStream({ header: w.header })).getReader();
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        add(t, next.value);
      }
      return t;
    },
  },
  {
    name: "it-length-prefixed",
    run: (w) => {
      const t = newTally();
      const options = w.header === "!I"
        ? { lengthDecoder: u32Length, maxDataLength: 2 ** 31 }
        : { maxDataLength: 2 ** 31 };
      for (const list of lp.decode(w.chunks, options)) add(t, list.subarray());
      return t;
    },
  },
  {
    name: "frame-stream",
    skip: (w) => (w.header === "!I" ? undefined : "n/a: fixed-size headers only"),
    run: (w) => viaNodeStream(frameStream.decode(), w.buffers),
  },
  {
    name: "length-prefixed-stream",
    skip: (w) => (w.header === "varint" ? undefined : "n/a: varint headers only"),
    run: (w) => viaNodeStream(lengthPrefixedStream.decode({ allowEmpty: true }), w.buffers),
  },
  {
    name: "baseline: Uint8Array.set copy",
    skip: (w) => (w.payload >= 65536 ? undefined : "only for large frames"),
    run: (w) => {
      // The least any decoder must do with large frames: copy every byte once.
      const dest = new Uint8Array(w.payload + 2 * w.chunkSize);
      let at = 0;
      for (const chunk of w.chunks) {
        if (at + chunk.length > dest.length) at = 0;
        dest.set(chunk, at);
        at += chunk.length;
      }
      return { ...w.expected, check: w.expected.check + dest[0] * 0 };
    },
  },
];

function same(a: Tally, b: Tally): boolean {
  return a.count === b.count && a.bytes === b.bytes && a.check === b.check;
}

/** Runs one contender: a warm-up, then timed runs (fewer when one run is long); best time wins. */
async function measure(c: Contender, w: Workload): Promise<Row> {
  const skip = c.skip?.(w);
  if (skip) return { workload: w.name, contender: c.name, note: skip };
  let best = Infinity;
  let runs = 0;
  const budgetMs = QUICK ? 500 : 6000;
  const started = performance.now();
  for (let i = 0; i < (QUICK ? 2 : 6); i++) {
    const t0 = performance.now();
    const tally = await c.run(w);
    const ms = performance.now() - t0;
    if (!same(tally, w.expected)) {
      return {
        workload: w.name,
        contender: c.name,
        note: `WRONG OUTPUT: ${JSON.stringify(tally)}, expected ${JSON.stringify(w.expected)}`,
      };
    }
    // The first run warms the JIT; it counts only if there is no time for another.
    if (i > 0 || ms * 2 > budgetMs) {
      best = Math.min(best, ms);
      runs++;
    }
    if (performance.now() - started + ms > budgetMs && runs > 0) break;
  }
  const seconds = best / 1000;
  return {
    workload: w.name,
    contender: c.name,
    framesPerSecond: w.frames / seconds,
    megabytesPerSecond: (w.expected.bytes / 1e6) / seconds,
    seconds,
    runs,
  };
}

function workloads(): (() => Workload)[] {
  const small = QUICK ? 100_000 : 1_000_000;
  const large = QUICK ? 100 : 2_000;
  return [
    () =>
      workload(`!I ${small.toLocaleString("en")} x 64 B, 16 KiB chunks`, "!I", small, 64, 16384),
    () =>
      workload(
        `!I ${large.toLocaleString("en")} x 1 MiB, 64 KiB chunks`,
        "!I",
        large,
        1 << 20,
        65536,
        50,
      ),
    () =>
      workload(
        `varint ${small.toLocaleString("en")} x 64 B, 16 KiB chunks`,
        "varint",
        small,
        64,
        16384,
      ),
    () =>
      workload(
        `varint ${large.toLocaleString("en")} x 1 MiB, 64 KiB chunks`,
        "varint",
        large,
        1 << 20,
        65536,
        50,
      ),
  ];
}

async function speed(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const make of workloads()) {
    const w = make();
    if (ONLY && !w.name.includes(ONLY)) continue;
    for (const c of contenders) {
      const row = await measure(c, w);
      rows.push(row);
      if (!JSON_OUT) {
        console.log(
          `${w.name.padEnd(36)} ${c.name.padEnd(30)} ` +
            (row.note ?? `${(row.framesPerSecond! / 1e6).toFixed(3)} M frames/s ` +
                `${row.megabytesPerSecond!.toFixed(0)} MB/s (best of ${row.runs})`),
        );
      }
    }
  }
  return rows;
}

/**
 * Peak memory while decoding 1 GiB of 1 MiB "!I" frames, read lazily in 64 KiB chunks: fresh
 * chunks (as Node and Bun sockets deliver them) or one reused read buffer (as a Deno `conn.read`
 * loop); decoded with `push` (a new buffer per frame, as `decodeFrames` and the streams) or
 * `pushRanges` (frames assembled in the decoder's reused scratch buffer).
 */
async function memory(
  mode: "push" | "pushRanges",
  reuseChunks: boolean,
): Promise<Record<string, number | string>> {
  const payload = 1 << 20;
  const frames = QUICK ? 64 : 1024;
  const chunkSize = 65536;
  const frameSize = payload + 4;
  const total = frames * frameSize;
  // One frame's bytes, as a template the lazy source copies from.
  const template = new Uint8Array(frameSize);
  template.set(headerBytes("!I", payload));
  template.fill(0x5a, 4);
  // A producer that reuses its read buffer must ask push() for copies (pushRanges() assembles
  // spanning frames in its own scratch buffer either way).
  const decoder = createFrameDecoder({ header: "!I", copy: reuseChunks && mode === "push" });
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed + baseline.external;
  let peakHeld = 0;
  const readBuffer = new Uint8Array(chunkSize);
  async function* source(): AsyncGenerator<Uint8Array> {
    for (let at = 0, n = 0; at < total; at += chunkSize, n++) {
      const size = Math.min(chunkSize, total - at);
      const chunk = reuseChunks ? readBuffer.subarray(0, size) : new Uint8Array(size);
      for (let filled = 0; filled < chunk.length;) {
        const from = (at + filled) % frameSize;
        const part = template.subarray(from, Math.min(frameSize, from + chunk.length - filled));
        chunk.set(part, filled);
        filled += part.length;
      }
      if (n % 8 === 0) {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed + m.external);
      }
      yield chunk;
    }
  }
  let count = 0;
  let bytes = 0;
  const onFrame = (_bytes: Uint8Array, start: number, end: number): void => {
    count++;
    bytes += end - start;
  };
  const t0 = performance.now();
  for await (const chunk of source()) {
    if (mode === "pushRanges") decoder.pushRanges(chunk, onFrame);
    else for (const frame of decoder.push(chunk)) onFrame(frame, 0, frame.length);
    peakHeld = Math.max(peakHeld, decoder.bufferedBytes);
  }
  decoder.end();
  const seconds = (performance.now() - t0) / 1000;
  const mib = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;
  return {
    mode,
    chunks: reuseChunks ? "reused" : "fresh",
    decoded: count === frames && bytes === frames * payload
      ? "ok"
      : `WRONG: ${count} frames, ${bytes} bytes`,
    streamMiB: mib(total),
    seconds: Math.round(seconds * 100) / 100,
    baselineRssMiB: mib(baseline.rss),
    peakRssMiB: mib(peakRss),
    peakRssGrowthMiB: mib(peakRss - baseline.rss),
    peakHeapPlusExternalMiB: mib(peakHeap),
    peakHeldByDecoderMiB: mib(peakHeld),
  };
}

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const version = runtime === "node"
  ? process.version
  : runtime === "deno"
  ? (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno
  : (globalThis as unknown as { Bun: { version: string } }).Bun.version;

if (args.includes("--memory")) {
  const result = await memory(
    args.includes("--ranges") ? "pushRanges" : "push",
    args.includes("--reuse-chunks"),
  );
  console.log(JSON_OUT ? JSON.stringify({ runtime, version, memory: result }) : result);
} else {
  const rows = await speed();
  if (JSON_OUT) console.log(JSON.stringify({ runtime, version, rows }));
}

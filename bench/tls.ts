// TLS throughput, one runtime per run, every implementation in the same process, interleaved in
// rounds (best of the rounds after a warm-up): loopback, sender and receiver in one process,
// `!I` frames, the server's self-signed certificate pinned by the client.
//
//   large: 64 KiB frames (256 MiB; 64 MiB with --quick). An adapter's sender writes
//          writev(encodeParts(payload)) per frame; a raw loop writes the prebuilt frame.
//   small: 64-byte frames for 1 s (0.3 s), written as prebuilt batches of 1,024 by everyone.
//
// Implementations: the raw TLS loops of bench/tls_raw.ts (the runtime's own API, and node:tls in
// Deno and Bun), each adapter available here over TLS (receiving chunks into `pushRanges()`, and
// the native one through `decodeFrames()` too), and the native adapter over plaintext.
//
//   deno run -A bench/tls.ts --cert C --key K [--quick] [--rounds N] [--json]
//   bun bench/tls.ts --cert C --key K
//   node .build/bench/bench/tls.js --cert C --key K     (after tsc -p tsconfig.bench.json)
import process from "node:process";
import { readFileSync } from "node:fs";
import {
  availableAdapters,
  createFrameDecoder,
  createFrameEncoder,
  decodeFrames,
  detectRuntime,
  getAdapter,
} from "../mod.ts";
import type { Adapter, TcpConnection } from "../mod.ts";
import type { RawPair, Tally } from "./runtime_raw.ts";
import { type Credentials, type RawTls, rawTlsPair } from "./tls_raw.ts";

const args = process.argv.slice(2);
const option = (name: string): string | undefined =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined;
const QUICK = args.includes("--quick");
const ROUNDS = Number(option("rounds") ?? (QUICK ? 1 : 3));
const LARGE_FRAME = 64 * 1024;
const LARGE_TOTAL = (QUICK ? 64 : 256) * 1024 * 1024;
const SMALL_FRAME = 64;
const SMALL_BATCH = 1024;
const SMALL_SECONDS = QUICK ? 0.3 : 1;
const FRAMING = { header: "!I" as const };

const credentials: Credentials = {
  cert: readFileSync(option("cert") ?? "", "utf8"),
  key: readFileSync(option("key") ?? "", "utf8"),
};

type Workload = "large" | "small";
type Receive = "raw" | "pushRanges" | "decodeFrames";

/** One measured transfer. */
interface Row {
  impl: string;
  transport: "tls" | "plain";
  workload: Workload;
  receive: Receive;
  frames: number;
  payloadBytes: number;
  seconds: number;
}

const encoder = createFrameEncoder(FRAMING);
const largePayload = new Uint8Array(LARGE_FRAME).map((_, i) => (i * 131 + 7) & 0xff);
const largeFrame = encoder.encode(largePayload);
const smallBatch = (() => {
  const one = encoder.encode(new Uint8Array(SMALL_FRAME).fill(42));
  const out = new Uint8Array(one.length * SMALL_BATCH);
  for (let i = 0; i < SMALL_BATCH; i++) out.set(one, i * one.length);
  return out;
})();

/** What the sender may still send: frames (large) or time (small). */
function budget(workload: Workload): () => boolean {
  if (workload === "large") {
    let left = LARGE_TOTAL / LARGE_FRAME;
    return () => left-- > 0;
  }
  const deadline = performance.now() + SMALL_SECONDS * 1000;
  return () => performance.now() < deadline;
}

async function receive(conn: TcpConnection, mode: Receive): Promise<Tally> {
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
    for await (const chunk of conn) decoder.pushRanges(chunk, onFrame);
    decoder.end();
  }
  conn.close();
  return tally;
}

/** A sender/receiver pair over an adapter, plaintext or TLS. */
async function adapterPair(a: Adapter, tls: boolean, mode: Receive): Promise<RawPair> {
  let received!: Promise<Tally>;
  const server = await a.listen(tls ? { tls: credentials } : {}, (conn) => {
    received = receive(conn, mode);
  });
  const conn = await a.connect({
    port: server.addr.port,
    tls: tls ? { ca: credentials.cert } : undefined,
  });
  return {
    get received() {
      return (async () => {
        while (received === undefined) await new Promise((r) => setTimeout(r, 1));
        return await received;
      })();
    },
    send: async (chunk, more) => {
      if (chunk === largeFrame) {
        while (more()) await conn.writev(encoder.encodeParts(largePayload));
      } else {
        while (more()) await conn.write(chunk);
      }
      await conn.closeWrite();
    },
    close: () => {
      conn.close();
      void server[Symbol.asyncDispose]();
    },
  };
}

/** Runs one transfer of `workload` over a fresh pair. */
async function measure(
  impl: Impl,
  workload: Workload,
): Promise<{ frames: number; payloadBytes: number; seconds: number }> {
  const p = await impl.pair();
  const start = performance.now();
  await p.send(workload === "large" ? largeFrame : smallBatch, budget(workload));
  const tally = await p.received;
  const seconds = (performance.now() - start) / 1000;
  p.close();
  const size = workload === "large" ? LARGE_FRAME : SMALL_FRAME;
  const what = `${impl.impl} ${impl.transport} ${impl.receive} ${workload}`;
  if (tally.bytes !== tally.frames * size) throw new Error(`${what}: bad tally ${tally.bytes}`);
  if (workload === "large" && tally.frames !== LARGE_TOTAL / LARGE_FRAME) {
    throw new Error(`${what}: ${tally.frames} frames of ${LARGE_TOTAL / LARGE_FRAME} arrived`);
  }
  return { frames: tally.frames, payloadBytes: tally.bytes, seconds };
}

interface Impl {
  impl: string;
  transport: "tls" | "plain";
  receive: Receive;
  pair: () => Promise<RawPair>;
}

const runtime = detectRuntime();
const raws: RawTls[] = runtime === "node" ? ["node:tls"] : [runtime, "node:tls"];
const impls: Impl[] = raws.map((kind) => ({
  impl: `raw ${kind === "node:tls" ? "node:tls" : `${runtime} API`}`,
  transport: "tls" as const,
  receive: "raw" as const,
  pair: () => rawTlsPair(kind, credentials),
}));
const adapters = await Promise.all(availableAdapters().map((name) => getAdapter(name)));
const native = adapters[0];
for (const a of adapters) {
  impls.push({
    impl: a.name,
    transport: "tls",
    receive: "pushRanges",
    pair: () => adapterPair(a, true, "pushRanges"),
  });
}
impls.push({
  impl: native.name,
  transport: "tls",
  receive: "decodeFrames",
  pair: () => adapterPair(native, true, "decodeFrames"),
});
impls.push({
  impl: native.name,
  transport: "plain",
  receive: "pushRanges",
  pair: () => adapterPair(native, false, "pushRanges"),
});

const best = new Map<string, Row>();
for (const impl of impls) await measure(impl, "large"); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const workload of ["large", "small"] as const) {
    for (const impl of impls) {
      const m = await measure(impl, workload);
      const key = `${impl.impl}/${impl.transport}/${impl.receive}/${workload}`;
      const old = best.get(key);
      if (!old || m.payloadBytes / m.seconds > old.payloadBytes / old.seconds) {
        best.set(key, {
          impl: impl.impl,
          transport: impl.transport,
          receive: impl.receive,
          workload,
          ...m,
        });
      }
    }
  }
}

const versions: Record<string, string> = {
  node: `node ${process.version}`,
  deno: `deno ${(globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno}`,
  bun: `bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}`,
};
const rows = [...best.values()];
if (args.includes("--json")) {
  console.log(JSON.stringify({ runtime, version: versions[runtime], rows }));
} else {
  for (const r of rows) {
    console.log(
      `${runtime} ${r.workload.padEnd(5)} ${r.impl.padEnd(13)} ${r.transport.padEnd(5)} ` +
        `${r.receive.padEnd(12)} ${(r.payloadBytes / r.seconds / 1e6).toFixed(0).padStart(6)} MB/s`,
    );
  }
}
process.exit(0);

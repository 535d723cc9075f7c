// Echo service benchmark, in the runtime running it: round-trip latency (p50/p99 of 1,000
// sequential 64-byte requests) and pipelined messages/s, over framed TCP and over UDP, for
// unstuck's echo server and client (native adapter, and the node adapter where that is another
// one) beside the raw-API baseline (echo_raw.ts) in the same process and run.
//
//   deno run -A --unstable-net bench/echo.ts [--quick] [--json]
//   bun bench/echo.ts [--quick] [--json]
//   npx tsc -p tsconfig.test.json --outDir .build/bench && node .build/bench/bench/echo.js [--quick] [--json]
//
// bench/run_echo.mjs runs all three and prints the markdown for docs/BENCHMARKS.md.
import process from "node:process";
import {
  type AdapterName,
  availableAdapters,
  connectEcho,
  connectEchoUdp,
  detectRuntime,
  serveEcho,
  serveEchoUdp,
} from "../mod.ts";
import { rawApi, type Requester } from "./echo_raw.ts";

const quick = process.argv.includes("--quick");
const json = process.argv.includes("--json");
const SEQUENTIAL = 1_000;
const WARMUP = 300;
const PIPELINED_TCP = quick ? 20_000 : 100_000;
const PIPELINED_UDP = quick ? 5_000 : 20_000;
const TCP_WINDOW = 64;
const UDP_WINDOW = 8;
const UDP_TIMEOUT_MS = 1_000;
const PAYLOAD = new Uint8Array(64).map((_, i) => 32 + (i % 90));

interface Row {
  transport: "tcp" | "udp";
  impl: string;
  p50us: number;
  p99us: number;
  msgsPerSec: number;
  lost: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(client: Requester): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < WARMUP; i++) await client.request(PAYLOAD);
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = performance.now();
    const reply = await client.request(PAYLOAD);
    times.push(performance.now() - t0);
    if (reply.length !== PAYLOAD.length) throw new Error("bad reply");
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50) * 1000, p99: percentile(times, 99) * 1000 };
}

/** Keeps `window` requests in flight until `total` have been answered (or lost, for UDP). */
async function pipelined(
  client: Requester,
  total: number,
  window: number,
): Promise<{ rate: number; lost: number }> {
  let sent = 0;
  let lost = 0;
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (sent < total) {
      sent++;
      try {
        await client.request(PAYLOAD);
      } catch {
        lost++;
      }
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  const seconds = (performance.now() - t0) / 1000;
  return { rate: (total - lost) / seconds, lost };
}

async function measure(transport: "tcp" | "udp", impl: string, open: Opener): Promise<Row> {
  const a = await open();
  const { p50, p99 } = await latency(a.client);
  await a.close();
  const b = await open();
  const { rate, lost } = transport === "tcp"
    ? await pipelined(b.client, PIPELINED_TCP, TCP_WINDOW)
    : await pipelined(b.client, PIPELINED_UDP, UDP_WINDOW);
  await b.close();
  return { transport, impl, p50us: p50, p99us: p99, msgsPerSec: rate, lost };
}

type Opener = () => Promise<{ client: Requester; close(): Promise<void> }>;

/** A server and a client of it, closed together. */
async function pair<S extends { close(): Promise<void> }>(
  server: S,
  client: (server: S) => Promise<Requester>,
): Promise<{ client: Requester; close(): Promise<void> }> {
  const c = await client(server);
  return {
    client: c,
    close: async () => {
      await c.close();
      await server.close();
    },
  };
}

function ours(adapter: AdapterName): Record<"tcp" | "udp", Opener> {
  return {
    tcp: async () =>
      pair(
        await serveEcho({ port: 0, adapter }),
        (s) => connectEcho({ port: s.addr.port, adapter }),
      ),
    udp: async () =>
      pair(
        await serveEchoUdp({ port: 0, adapter, rate: Infinity }),
        (s) => connectEchoUdp({ port: s.addr.port, adapter, timeoutMs: UDP_TIMEOUT_MS }),
      ),
  };
}

function raw(runtime: AdapterName): Record<"tcp" | "udp", Opener> {
  const api = rawApi(runtime);
  return {
    tcp: async () => pair(await api.tcpServer(), (s) => api.tcpClient(s.port)),
    udp: async () => pair(await api.udpServer(), (s) => api.udpClient(s.port, UDP_TIMEOUT_MS)),
  };
}

const runtime = detectRuntime();
const version = runtime === "node"
  ? `node ${process.version}`
  : runtime === "deno"
  ? `deno ${process.versions.deno}`
  : `bun ${process.versions.bun}`;
const rows: Row[] = [];
for (const transport of ["tcp", "udp"] as const) {
  rows.push(await measure(transport, `raw ${runtime} API`, raw(runtime)[transport]));
  for (const adapter of availableAdapters()) {
    rows.push(await measure(transport, `unstuck (${adapter} adapter)`, ours(adapter)[transport]));
  }
}

if (json) {
  console.log(JSON.stringify({ runtime, version, rows }));
} else {
  console.log(`${version}`);
  for (const r of rows) {
    console.log(
      `${r.transport} ${r.impl.padEnd(26)} p50 ${r.p50us.toFixed(1).padStart(7)} µs  ` +
        `p99 ${r.p99us.toFixed(1).padStart(7)} µs  ${
          Math.round(r.msgsPerSec).toString().padStart(8)
        } msg/s` +
        (r.lost ? `  (${r.lost} lost)` : ""),
    );
  }
}
process.exit(0);

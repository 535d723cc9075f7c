// The services over TLS, one runtime per run, every implementation in the same process and run:
//
// echo — a client keeping a window of `!I` frames in flight against an echo server on loopback,
//   until every frame came back: large (64 KiB frames, 16 in flight, 256 MiB each way; 64 MiB
//   with --quick) and small (64-byte frames, 256 in flight, 204,800 frames; 51,200). Rows:
//   unstuck's serveEcho/connectEcho over TLS and over plaintext (native adapter), and the raw TLS
//   echo of bench/tls_echo_raw.ts on the runtime's own API (and on node:tls in Deno and Bun,
//   what their adapters' TLS is built on). Interleaved in rounds after a warm-up; best round kept.
//
// exec — `unstuck exec serve` as a process of its own (same runtime), plaintext and TLS, against
//   the library's ExecClient in this process: `true` one after another over one connection; a
//   new connection (TCP, TLS, the exec handshake) per `true`; and `head -c N /dev/zero`, every
//   byte counted.
//
//   deno run -A bench/tls_services.ts --cert C --key K [--quick] [--rounds N] [--json]
//   bun bench/tls_services.ts --cert C --key K
//   node .build/bench/bench/tls_services.js --cert C --key K   (after tsc, as run_tls_services.mjs)
import process from "node:process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  connectEcho,
  createFrameEncoder,
  detectRuntime,
  type EchoClient,
  ExecClient,
  serveEcho,
  type TlsClientOptions,
} from "../mod.ts";
import { type Credentials, type RawTls, rawTlsPair } from "./tls_raw.ts";
import { type EchoLoad, rawTlsEcho } from "./tls_echo_raw.ts";
import { runtimeVersion, startExecServer } from "./exec_server.ts";

const args = process.argv.slice(2);
const option = (name: string): string | undefined =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined;
const QUICK = args.includes("--quick");
const JSON_OUT = args.includes("--json");
const ROUNDS = Number(option("rounds") ?? (QUICK ? 1 : 3));
const certFile = option("cert") ?? "";
const credentials: Credentials = {
  cert: readFileSync(certFile, "utf8"),
  key: readFileSync(option("key") ?? "", "utf8"),
};
const pinned: TlsClientOptions = { ca: credentials.cert };
const runtime = detectRuntime();

type Workload = "large" | "small";
const WORKLOADS: Record<Workload, { size: number; total: number; window: number }> = {
  large: { size: 64 * 1024, total: (QUICK ? 64 : 256) * 16, window: 16 },
  small: { size: 64, total: (QUICK ? 200 : 800) * 256, window: 256 },
};

/** One echo implementation: runs a workload on a fresh server and client, returns seconds. */
interface EchoImpl {
  name: string;
  transport: "tls" | "plain";
  /** A raw loop: "echo" (the baseline), or "one-way" (the same bytes sent once, for scale). */
  raw?: "echo" | "one-way";
  run(workload: Workload): Promise<number>;
}

const encoder = createFrameEncoder({ header: "!I" });
const payloads: Record<Workload, Uint8Array> = {
  large: new Uint8Array(WORKLOADS.large.size).map((_, i) => (i * 131 + 7) & 0xff),
  small: new Uint8Array(WORKLOADS.small.size).fill(42),
};

/** `total` requests of `payload` through `client`, `window` in flight; resolves when all are back. */
function windowed(client: EchoClient, payload: Uint8Array, total: number, window: number) {
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const next = (): void => {
      while (sent - done < window && sent < total) {
        sent++;
        client.request(payload).then((reply) => {
          if (reply.length !== payload.length) throw new Error("bad reply");
          if (++done === total) resolve();
          else next();
        }).catch(reject);
      }
    };
    next();
  });
}

function unstuckEcho(transport: "tls" | "plain"): EchoImpl {
  return {
    name: `unstuck echo (${runtime} adapter)`,
    transport,
    async run(workload) {
      const { total, window } = WORKLOADS[workload];
      const tls = transport === "tls";
      await using server = await serveEcho({ port: 0, tls: tls ? credentials : undefined });
      await using client = await connectEcho({
        port: server.addr.port,
        tls: tls ? pinned : undefined,
      });
      const start = performance.now();
      await windowed(client, payloads[workload], total, window);
      return (performance.now() - start) / 1000;
    },
  };
}

function rawEcho(kind: RawTls): EchoImpl {
  return {
    name: kind === "node:tls" ? "raw node:tls echo" : `raw ${kind} TLS API echo`,
    transport: "tls",
    raw: "echo",
    async run(workload) {
      const { total, window } = WORKLOADS[workload];
      const echo = await rawTlsEcho(kind, credentials);
      const load: EchoLoad = { frame: encoder.encode(payloads[workload]), total, window };
      const start = performance.now();
      const frames = await echo.run(load);
      const seconds = (performance.now() - start) / 1000;
      echo.close();
      if (frames !== total) throw new Error(`${kind}: ${frames} of ${total} frames came back`);
      return seconds;
    },
  };
}

/** bench/tls_raw.ts's one-way loop: the workload's frames sent once, counted at the receiver. */
function rawOneWay(kind: RawTls): EchoImpl {
  return {
    name: `raw ${kind === "node:tls" ? "node:tls" : `${kind} TLS API`}, one way (tls_raw.ts)`,
    transport: "tls",
    raw: "one-way",
    async run(workload) {
      const { total, window } = WORKLOADS[workload];
      const frame = encoder.encode(payloads[workload]);
      const batch = new Uint8Array(frame.length * window);
      for (let i = 0; i < window; i++) batch.set(frame, i * frame.length);
      const pair = await rawTlsPair(kind, credentials);
      let left = total / window;
      const start = performance.now();
      await pair.send(batch, () => left-- > 0);
      const tally = await pair.received;
      const seconds = (performance.now() - start) / 1000;
      pair.close();
      if (tally.frames !== total) throw new Error(`${kind}: ${tally.frames} of ${total} frames`);
      return seconds;
    },
  };
}

const echoImpls: EchoImpl[] = [
  rawOneWay(runtime === "node" ? "node:tls" : runtime),
  rawEcho(runtime === "node" ? "node:tls" : runtime),
  ...(runtime === "node" ? [] : [rawEcho("node:tls")]),
  unstuckEcho("tls"),
  unstuckEcho("plain"),
];

/** One measured row. */
interface Row {
  section: "echo" | "exec";
  workload: string;
  impl: string;
  transport: "tls" | "plain";
  raw?: "echo" | "one-way";
  /** Per second: payload bytes echoed (echo), commands or connections, or output bytes (exec). */
  rate: number;
  unit: string;
}

const rows: Row[] = [];
function keep(row: Row): void {
  const old = rows.find((r) =>
    r.section === row.section && r.workload === row.workload && r.impl === row.impl &&
    r.transport === row.transport
  );
  if (old === undefined) rows.push(row);
  else if (row.rate > old.rate) old.rate = row.rate;
}

// ---- echo ----------------------------------------------------------------------------------
for (const impl of echoImpls) await impl.run("small"); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const workload of ["large", "small"] as const) {
    for (const impl of echoImpls) {
      const seconds = await impl.run(workload);
      const { size, total } = WORKLOADS[workload];
      keep({
        section: "echo",
        workload,
        impl: impl.name,
        transport: impl.transport,
        raw: impl.raw,
        rate: (size * total) / seconds,
        unit: "B/s",
      });
    }
  }
}

// ---- exec ----------------------------------------------------------------------------------
const COMMANDS = QUICK ? 50 : 300;
const CONNECTIONS = QUICK ? 30 : 150;
const BYTES = (QUICK ? 32 : 256) * 1024 * 1024;
const HEAD = ["head", "-c", String(BYTES), "/dev/zero"];
const dir = mkdtempSync(join(tmpdir(), "unstuck-bench-tls-exec-"));
const tokenFile = join(dir, "token");
writeFileSync(tokenFile, "bench-token\n", { mode: 0o600 });
const limits = ["--timeout", "600", "--max-output", String(4 * BYTES)];
const servers = {
  plain: await startExecServer(tokenFile, limits),
  tls: await startExecServer(tokenFile, [
    ...limits,
    ...["--tls-cert", certFile, "--tls-key", option("key") ?? ""],
  ]),
};
const connectTo = (transport: "tls" | "plain"): Promise<ExecClient> =>
  ExecClient.connect({
    token: "bench-token",
    port: servers[transport].port,
    tls: transport === "tls" ? pinned : undefined,
  });
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const transport of ["tls", "plain"] as const) {
      const impl = `unstuck exec (${runtime} adapter)`;
      const client = await connectTo(transport);
      for (let i = 0; i < 10; i++) await client.run({ argv: ["true"] }); // warm-up
      let start = performance.now();
      for (let i = 0; i < COMMANDS; i++) await client.run({ argv: ["true"] });
      const cps = COMMANDS / ((performance.now() - start) / 1000);
      keep({
        section: "exec",
        workload: "true",
        impl,
        transport,
        rate: cps,
        unit: "/s",
      });
      let n = 0;
      start = performance.now();
      await client.run({ argv: HEAD, onStdout: (b) => void (n += b.length) });
      if (n !== BYTES) throw new Error(`exec: ${n} of ${BYTES} bytes`);
      const bps = n / ((performance.now() - start) / 1000);
      keep({
        section: "exec",
        workload: "bytes",
        impl,
        transport,
        rate: bps,
        unit: "B/s",
      });
      client.close();
      start = performance.now();
      for (let i = 0; i < CONNECTIONS; i++) {
        const c = await connectTo(transport);
        await c.run({ argv: ["true"] });
        c.close();
      }
      const conns = CONNECTIONS / ((performance.now() - start) / 1000);
      keep({
        section: "exec",
        workload: "connect",
        impl,
        transport,
        rate: conns,
        unit: "/s",
      });
    }
  }
} finally {
  servers.plain.stop();
  servers.tls.stop();
  rmSync(dir, { recursive: true, force: true });
}

const result = {
  runtime,
  version: runtimeVersion(),
  rounds: ROUNDS,
  workloads: WORKLOADS,
  exec: { commands: COMMANDS, connections: CONNECTIONS, bytes: BYTES },
  rows,
};
if (JSON_OUT) console.log(JSON.stringify(result));
else {
  for (const r of rows) {
    const rate = r.unit === "B/s" ? `${(r.rate / 1e6).toFixed(0)} MB/s` : `${r.rate.toFixed(0)}/s`;
    console.log(`${r.section} ${r.workload} ${r.impl} ${r.transport}: ${rate}`);
  }
}
process.exit(0);

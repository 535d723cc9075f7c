#!/usr/bin/env node
// Runs bench/tls.ts under Node, Deno and Bun (Node runs tsc's compiled copy in .build/bench), in
// rounds so that every runtime meets the same machine load, keeps each row's best, and prints the
// markdown of the "TLS" section of docs/BENCHMARKS.md: TLS throughput of each adapter beside the
// runtime's own TLS loop and beside plaintext, measured in the same process, with the target of
// issue 13 (the native adapter, 64 KiB frames, at least 0.90× the raw TLS loop).
//
// The certificate is made with openssl, as the tests make theirs (makeCertificate).
//
//   node bench/run_tls.mjs [--quick] [--rounds N] [--runtime node,deno,bun]
import {
  bestOfTlsRounds,
  compileForNode,
  flag,
  formatNumber as fmt,
  listOption,
  machine,
  makeCertificate,
  option,
} from "./_driver.mjs";

const quick = flag("quick");
const rounds = Number(option("rounds", quick ? "1" : "3"));
const runtimes = listOption("runtime");

compileForNode(runtimes);
const { best, order, last } = bestOfTlsRounds("tls", {
  runtimes,
  rounds,
  quick,
  cert: makeCertificate(),
  timeoutMs: 20 * 60_000,
  keyOf: (row) => `${row.workload}/${row.impl}/${row.transport}/${row.receive}`,
  rateOf: (row) => row.payloadBytes / row.seconds,
});
const versions = Object.fromEntries(runtimes.map((r) => [r, last[r].version]));

const mbps = (row) => row.payloadBytes / row.seconds / 1e6;
const RECEIVE = {
  raw: "frames counted in place",
  pushRanges: "chunks → `pushRanges()`",
  decodeFrames: "`decodeFrames(conn)`",
};
/** The raw loop on the runtime's own TLS API (not node:tls in Deno or Bun). */
const ownRaw = (runtime, workload) =>
  Object.values(best[runtime]).find((r) =>
    r.workload === workload && r.receive === "raw" &&
    (runtime === "node" || !r.impl.includes("node:tls"))
  );

const out = [];
out.push(
  `Command: \`node bench/run_tls.mjs${
    quick ? " --quick" : ""
  }\` — ${machine()}, best of ${rounds} ` +
    "round(s), each runtime's implementations interleaved in one process after a warm-up " +
    "transfer. Loopback, sender and receiver in one process, `!I` frames, a P-256 self-signed " +
    "certificate pinned by the client (TLS 1.3 everywhere: TLS_AES_256_GCM_SHA384 in Node and " +
    "Deno's node:tls, TLS_AES_128_GCM_SHA256 in Bun). **large**: " +
    `${quick ? "64 MiB" : "256 MiB"} of 64 KiB frames, an adapter writing ` +
    "`writev(encodeParts(payload))` per frame, a raw loop the prebuilt frame. **small**: 64-byte " +
    `frames for ${
      quick ? "0.3" : "1"
    } s in prebuilt batches of 1,024. Raw loops (bench/tls_raw.ts): ` +
    "the runtime's own TLS API (node:tls; `Deno.listenTls`/`connectTls`; `Bun.listen`/`connect` " +
    "with `tls`), and node:tls in Deno and Bun. MB/s counts payload bytes (10^6); **vs raw** is " +
    "against the raw loop on the runtime's own API, in the same run.",
  "",
);
for (
  const [workload, title] of [
    ["large", "64 KiB frames over TLS"],
    ["small", "64-byte frames over TLS, pipelined"],
  ]
) {
  out.push(`### ${title}`, "");
  out.push("| runtime | implementation | transport | receive | MB/s | frames/s | vs raw |");
  out.push("|---|---|---|---|---:|---:|---:|");
  for (const runtime of runtimes) {
    const raw = ownRaw(runtime, workload);
    for (const k of order[runtime].filter((k) => k.startsWith(`${workload}/`))) {
      const row = best[runtime][k];
      const impl = row.receive === "raw" ? row.impl : `${row.impl} adapter`;
      out.push(
        `| ${versions[runtime]} | ${impl} | ${row.transport === "tls" ? "TLS" : "plaintext"} | ` +
          `${RECEIVE[row.receive]} | ${fmt(mbps(row))} | ${
            fmt(row.frames / row.seconds / 1e6, 2)
          } M | ` +
          `${fmt(mbps(row) / mbps(raw), 2)}× |`,
      );
    }
  }
  out.push("");
}

out.push("### Target (issue 13)", "");
out.push("| target | runtime | native adapter, chunks → `pushRanges()` | vs node:tls raw loop |");
out.push("|---|---|---|---|");
for (const runtime of runtimes) {
  const rows = Object.values(best[runtime]).filter((r) => r.workload === "large");
  const adapter = rows.find((r) =>
    r.impl === runtime && r.transport === "tls" && r.receive === "pushRanges"
  );
  const nodeRaw = rows.find((r) => r.receive === "raw" && r.impl.includes("node:tls"));
  const x = mbps(adapter) / mbps(ownRaw(runtime, "large"));
  const y = mbps(adapter) / mbps(nodeRaw);
  out.push(
    `| TLS 64 KiB ≥ 0.90× raw TLS loop | ${runtime} | ${fmt(x, 2)}× ${x >= 0.9 ? "✓" : "✗"} | ` +
      `${fmt(y, 2)}× |`,
  );
}
console.log(out.join("\n"));

#!/usr/bin/env node
// Runs bench/runtime_adapters.ts for every runtime × implementation (Node: raw, node; Deno: raw,
// deno, node; Bun: raw, bun, node), in rounds so that each implementation meets the same machine
// load, keeps the best of the rounds, and prints the markdown of the "runtime adapters" section of
// docs/BENCHMARKS.md with the targets of issue 4. Node runs tsc's compiled copy in .build/bench.
//
//   node bench/run_runtime_adapters.mjs [--quick] [--rounds N] [--runtime node,deno,bun]
import {
  compileForNode,
  flag,
  formatNumber as fmt,
  listOption,
  machine,
  option,
  runBench,
} from "./_driver.mjs";

const quick = flag("quick");
const rounds = Number(option("rounds", "3"));
const runtimes = listOption("runtime");
const IMPLS = { node: ["raw", "node"], deno: ["raw", "deno", "node"], bun: ["raw", "bun", "node"] };

compileForNode(runtimes);

// best[runtime][impl][workload][receive] = row with the highest payload rate over the rounds
const best = {};
const versions = {};
for (let round = 1; round <= rounds; round++) {
  for (const runtime of runtimes) {
    for (const impl of IMPLS[runtime]) {
      const args = ["--impl", impl, "--runs", "1", "--json", ...(quick ? ["--quick"] : [])];
      const result = runBench(runtime, "runtime_adapters", args, {
        timeoutMs: 10 * 60_000,
        label: `round ${round}/${rounds}: ${runtime} ${impl}`,
      });
      versions[runtime] = result.version;
      for (const row of result.rows) {
        const slot = ((best[runtime] ??= {})[impl] ??= {})[row.workload] ??= {};
        const rate = row.payloadBytes / row.seconds;
        const old = slot[row.receive];
        if (!old || rate > old.payloadBytes / old.seconds) slot[row.receive] = row;
      }
    }
  }
}

const mbps = (row) => row.payloadBytes / row.seconds / 1e6;
const RECEIVE_LABEL = {
  raw: "raw loop, frames counted in place",
  decodeFrames: "`decodeFrames(conn)`",
  pushRanges: "chunks → `pushRanges()`",
  "byob+pushRanges": "BYOB `readable` → `pushRanges()`",
};
const ADAPTER_RECEIVES = ["decodeFrames", "pushRanges", "byob+pushRanges"];

const out = [];
out.push(
  `Command: \`node bench/run_runtime_adapters.mjs${
    quick ? " --quick" : ""
  }\` — ${machine()}, best of ${rounds} interleaved rounds (each after a ` +
    "warm-up transfer). Loopback TCP, sender and receiver in one process, `!I` frames. **large**: " +
    `${quick ? "256 MiB" : "1 GiB"} of 64 KiB frames; an adapter's sender writes ` +
    "`writev(encodeParts(payload))` per frame, the raw loop writes the prebuilt frame. **small**: " +
    `64-byte frames for ${quick ? "0.5" : "2"} s, written as prebuilt batches of 1,024 frames by ` +
    "both (what differs is receiving). Receivers: the raw loop counts frames in place (no " +
    "allocation); an adapter goes through the framing layer three ways (see the receive column). " +
    "MB/s counts payload bytes (10^6); ratios are against the raw loop of the same runtime, in the " +
    "same run.",
  "",
);

const ratio = {}; // ratio[runtime][impl][workload][receive]
for (
  const [workload, title] of [
    ["large", "64 KiB frames, 1 GiB, single connection"],
    ["small", "64-byte frames, pipelined, fixed duration"],
  ]
) {
  out.push(`### ${title}`, "");
  out.push("| runtime | adapter | receive | MB/s | frames/s | vs raw |");
  out.push("|---|---|---|---:|---:|---:|");
  for (const runtime of runtimes) {
    const raw = best[runtime].raw[workload].raw;
    for (const impl of IMPLS[runtime]) {
      const receives = impl === "raw" ? ["raw"] : ADAPTER_RECEIVES;
      for (const receive of receives) {
        const row = best[runtime][impl][workload][receive];
        const x = mbps(row) / mbps(raw);
        (((ratio[runtime] ??= {})[impl] ??= {})[workload] ??= {})[receive] = x;
        out.push(
          `| ${versions[runtime]} | ${impl === "raw" ? "raw API" : impl} | ${
            RECEIVE_LABEL[receive]
          } | ` +
            `${fmt(mbps(row))} | ${fmt(row.frames / row.seconds / 1e6, 2)} M | ${fmt(x, 2)}× |`,
        );
      }
    }
  }
  out.push("");
}

const bestOf = (runtime, impl, workload) =>
  Math.max(...ADAPTER_RECEIVES.map((r) => ratio[runtime][impl][workload][r]));
const which = (runtime, impl, workload) =>
  ADAPTER_RECEIVES.reduce((a, b) =>
    ratio[runtime][impl][workload][a] >= ratio[runtime][impl][workload][b] ? a : b
  );
const mark = (ok) => (ok ? "✓" : "✗");
out.push("### Targets (issue 4)", "");
out.push("| target | runtime | native adapter, best receive | `decodeFrames(conn)` |");
out.push("|---|---|---|---|");
for (const runtime of runtimes) {
  const b = bestOf(runtime, runtime, "large");
  const d = ratio[runtime][runtime].large.decodeFrames;
  out.push(
    `| framed 64 KiB ≥ 0.90× raw | ${runtime} | ${fmt(b, 2)}× ${mark(b >= 0.9)} (${
      which(runtime, runtime, "large")
    }) | ${fmt(d, 2)}× ${mark(d >= 0.9)} |`,
  );
}
for (const runtime of runtimes) {
  const min = runtime === "deno" ? 0.5 : 0.7;
  const b = bestOf(runtime, runtime, "small");
  const d = ratio[runtime][runtime].small.decodeFrames;
  out.push(
    `| 64 B frames ≥ ${fmt(min, 2)}× raw byte rate | ${runtime} | ${fmt(b, 2)}× ${
      mark(b >= min)
    } (${which(runtime, runtime, "small")}) | ${fmt(d, 2)}× ${mark(d >= min)} |`,
  );
}
for (const runtime of runtimes.filter((r) => r !== "node")) {
  for (const workload of ["large", "small"]) {
    const native = bestOf(runtime, runtime, workload);
    const node = bestOf(runtime, "node", workload);
    const dn = ratio[runtime][runtime][workload].decodeFrames;
    const dnode = ratio[runtime].node[workload].decodeFrames;
    out.push(
      `| ${runtime} adapter faster than node adapter (${workload}) | ${runtime} | ` +
        `${fmt(native / node, 2)}× ${mark(native > node)} | ${fmt(dn / dnode, 2)}× ${
          mark(dn > dnode)
        } |`,
    );
  }
}
console.log(out.join("\n"));

#!/usr/bin/env node
// Runs bench/framed.ts under Node, Deno and Bun in interleaved rounds (Node runs tsc's compiled
// copy in .build/bench), then prints the framed() section of docs/BENCHMARKS.md: the best rate of
// each receive path, the targets of issue 10 as ratios measured in the same process as the loop
// they are compared to, and their range over the rounds.
//
//   node bench/run_framed.mjs [--quick] [--rounds N] [--runtime node,deno,bun]
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

compileForNode(runtimes);

const rate = (row) => row.payloadBytes / row.seconds;
const cpuRate = (row) => row.payloadBytes / row.cpuSeconds;
const RECEIVES = ["raw", "pushRanges", "decodeFrames", "batches", "for await"];
const LABEL = {
  raw: "raw loop, frames counted in place",
  pushRanges: "chunks → `pushRanges()`",
  decodeFrames: "`decodeFrames(conn)`",
  batches: "`framed(conn).batches()`",
  "for await": "`for await (… of framed(conn))`",
};

/** The ratios of the targets, from one process's rows, by wall time or by CPU time. */
function targets(rows, by) {
  const get = (workload, receive, send = "matching") =>
    by(rows.find((r) => r.workload === workload && r.receive === receive && r.send === send));
  return {
    prebuiltPushRanges: get("large", "pushRanges", "prebuilt") / get("large", "raw"),
    prebuiltBatches: get("large", "batches", "prebuilt") / get("large", "raw"),
    batches: get("small", "batches") / get("small", "pushRanges"),
    forAwait: get("small", "for await") / get("small", "decodeFrames"),
    forAwaitLarge: get("large", "for await") / get("large", "decodeFrames"),
    large: Math.max(get("large", "batches"), get("large", "for await")) / get("large", "raw"),
    pushRangesLarge: get("large", "pushRanges") / get("large", "raw"),
  };
}

const best = {}; // best[runtime][workload][receive] = row with the highest wall-clock rate
const bestCpu = {}; // the same by CPU-time rate
const perRound = {}; // perRound[runtime] = [targets of each round]
const versions = {};
for (let round = 1; round <= rounds; round++) {
  for (const runtime of runtimes) {
    const result = runBench(runtime, "framed", [
      "--json",
      "--runs",
      "1",
      ...(quick ? ["--quick"] : []),
    ], {
      timeoutMs: 20 * 60_000,
      label: `round ${round}/${rounds}: ${runtime}`,
    });
    versions[runtime] = result.version;
    (perRound[runtime] ??= []).push({
      wall: targets(result.rows, rate),
      cpu: targets(result.rows, cpuRate),
    });
    for (const row of result.rows) {
      if (row.send !== "matching") continue;
      for (const [table, by] of [[best, rate], [bestCpu, cpuRate]]) {
        const slot = (table[runtime] ??= {})[row.workload] ??= {};
        if (!slot[row.receive] || by(row) > by(slot[row.receive])) slot[row.receive] = row;
      }
    }
  }
}

const out = [];
out.push(
  `Command: \`node bench/run_framed.mjs${quick ? " --quick" : ""}\` — ${machine()}, ${rounds} ` +
    "interleaved rounds; in each, one process per runtime measures every receive path (best of " +
    "1 timed transfer after a warm-up). Loopback TCP through the runtime's native adapter, " +
    "sender and receiver in one process, `!I` frames. **64 KiB**: " +
    `${quick ? "256 MiB" : "1 GiB"} of 64 KiB frames; the raw loop writes prebuilt frames, the ` +
    "adapter paths `writev(encodeParts(payload))`, framed() `send(payload)`. **64 B**: " +
    `${quick ? "0.5" : "2"} s of 64-byte frames written as prebuilt batches of 1,024 by every ` +
    "sender. MB counts payload bytes (10^6). Rates per CPU-second count the CPU time of the " +
    "process (both ends, and the kernel's work for them); rates per second, wall time. The " +
    "table gives each path's best over the rounds; the targets give the ratio of each round " +
    "(both sides measured in the same process) as a range.",
  "",
);
out.push(
  "| runtime | receive | 64 KiB: MB/CPU-s | vs raw | MB/s | vs raw | 64 B: M frames/CPU-s | vs raw | M frames/s | vs raw |",
);
out.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const runtime of runtimes) {
  for (const receive of RECEIVES) {
    const cells = [];
    for (const workload of ["large", "small"]) {
      const unit = workload === "large" ? 1e6 : 1e6 * 64;
      const digits = workload === "large" ? 0 : 2;
      for (const [table, by] of [[bestCpu, cpuRate], [best, rate]]) {
        const slot = table[runtime][workload];
        cells.push(
          fmt(by(slot[receive]) / unit, digits),
          `${fmt(by(slot[receive]) / by(slot.raw), 2)}×`,
        );
      }
    }
    out.push(`| ${versions[runtime]} | ${LABEL[receive]} | ${cells.join(" | ")} |`);
  }
}
out.push("");

const range = (runtime, key, by) => {
  const xs = perRound[runtime].map((t) => t[by][key]);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? `${fmt(lo, 2)}×` : `${fmt(lo, 2)}–${fmt(hi, 2)}×`;
};
const met = (runtime, key, min) => {
  const xs = perRound[runtime].map((t) => t.cpu[key]);
  return xs.every((x) => x >= min) ? "✓" : xs.some((x) => x >= min) ? "✓/✗" : "✗";
};
out.push("### Targets (issue 10)", "");
out.push(
  "Each cell: the ratio by CPU time (payload bytes per CPU-second of the process, which holds " +
    "both ends: what a quiet machine's wall clock shows, and far less disturbed by other work), " +
    "then by wall time, each as its range over the rounds. The mark is for the CPU-time ratio " +
    "(✓/✗: met in some rounds).",
  "",
);
out.push(`| target | ${runtimes.join(" | ")} |`);
out.push(`|---|${runtimes.map(() => "---").join("|")}|`);
const row = (label, key, min) =>
  out.push(
    `| ${label} | ${
      runtimes.map((r) =>
        `${range(r, key, "cpu")}${min ? " " + met(r, key, min) : ""} (wall ${
          range(r, key, "wall")
        })`
      ).join(" | ")
    } |`,
  );
row("64 B: `batches()` ≥ 0.70× `pushRanges()`", "batches", 0.7);
row("64 B: `for await` ≥ 3× `decodeFrames(conn)`", "forAwait", 3);
row("64 KiB: framed() (best of batches, for await) ≥ 0.90× raw", "large", 0.9);
row("64 KiB: `for await` ÷ `decodeFrames(conn)` (no target)", "forAwaitLarge", 0);
row("64 KiB: `pushRanges()` ÷ raw (the adapter's ceiling, no target)", "pushRangesLarge", 0);
row("64 KiB, prebuilt frames sent with `write()`: `pushRanges()` ÷ raw", "prebuiltPushRanges", 0);
row("64 KiB, prebuilt frames sent with `write()`: `batches()` ÷ raw", "prebuiltBatches", 0);
console.log(out.join("\n"));

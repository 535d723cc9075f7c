#!/usr/bin/env node
// Runs bench/framing.ts under Node, Deno and Bun (Node runs tsc's compiled copy in .build/bench),
// then prints the markdown of the framing section of docs/BENCHMARKS.md: one table per workload,
// peers side by side with unstuck in the same process, and the targets of issue 3.
//
//   node bench/run_framing.mjs [--quick] [--runtime node,deno,bun]
import {
  compileForNode,
  flag,
  formatNumber as fmt,
  listOption,
  machine,
  runBench,
} from "./_driver.mjs";

const quick = flag("quick") ? ["--quick"] : [];
const runtimes = listOption("runtime");

const run = (runtime, extra) =>
  runBench(runtime, "framing", [...extra, "--json", ...quick], {
    timeoutMs: 30 * 60_000,
    label: [runtime, ...extra].join(" "),
  });

compileForNode(runtimes);

// Source chunks fresh or reused; frames from push (new buffers) or pushRanges (scratch buffer).
const MEMORY_VARIANTS = [[], ["--reuse-chunks"], ["--reuse-chunks", "--ranges"]];
const results = [];
for (const runtime of runtimes) {
  const speed = run(runtime, []);
  const memory = MEMORY_VARIANTS.map((flags) => run(runtime, ["--memory", ...flags]).memory);
  results.push({ runtime, version: speed.version, rows: speed.rows, memory });
}

const PEERS = ["it-length-prefixed", "frame-stream", "length-prefixed-stream"];
const BASELINE = "baseline: Uint8Array.set copy";
const out = [];
out.push(
  `Command: \`node bench/run_framing.mjs${quick.length ? " --quick" : ""}\` — ${machine()}. ` +
    "In-memory decode of length-prefixed streams; every " +
    "decoder gets the same chunks in the same process and its output is verified (frame count, byte " +
    "count, checksum of each frame's first and last byte). MB/s counts payload bytes (10^6); best of " +
    "up to 5 timed runs after a warm-up. Ratio: against the fastest peer in that runtime (64 B " +
    "frames) or against a plain `Uint8Array.set` copy of the same chunks (1 MiB frames).",
  "",
);
const workloads = [...new Set(results[0].rows.map((r) => r.workload))];
const ratios = {};
for (const w of workloads) {
  const large = w.includes("MiB");
  out.push(`### ${w}`, "");
  out.push(`| decoder | ${results.map((r) => `${r.runtime} ${r.version}`).join(" | ")} |`);
  out.push(`|---|${results.map(() => "---:").join("|")}|`);
  const contenders = results[0].rows.filter((r) => r.workload === w).map((r) => r.contender);
  for (const c of contenders) {
    const cells = results.map((res) => {
      const rows = res.rows.filter((r) => r.workload === w);
      const row = rows.find((r) => r.contender === c);
      if (row.note) return row.note;
      const ref = large ? rows.find((r) => r.contender === BASELINE)?.megabytesPerSecond : Math.max(
        ...rows.filter((r) => PEERS.includes(r.contender) && !r.note).map((r) => r.framesPerSecond),
      );
      const ratio = large ? row.megabytesPerSecond / ref : row.framesPerSecond / ref;
      (ratios[w] ??= {})[`${res.runtime}|${c}`] = ratio;
      const speed = large
        ? `${fmt(row.megabytesPerSecond, 0)} MB/s`
        : `${fmt(row.framesPerSecond / 1e6, 2)} M frames/s · ${
          fmt(row.megabytesPerSecond, 0)
        } MB/s`;
      return `${speed} (${fmt(ratio, 2)}×)`;
    });
    out.push(`| ${c} | ${cells.join(" | ")} |`);
  }
  out.push("");
}

out.push("### Peak memory, 1 GiB streamed decode", "");
out.push(
  "1,024 frames of 1 MiB (`!I`) produced lazily in 64 KiB chunks: fresh chunks (as Node and Bun " +
    "sockets deliver them) or one reused read buffer (as a Deno `conn.read` loop); frames taken " +
    "with `push()` (a new buffer per frame, as `decodeFrames` and `FrameDecoderStream` do) or " +
    "`pushRanges()` (the decoder's reused scratch buffer). RSS sampled every 512 KiB; growth = " +
    "peak RSS − RSS before the decode; held = the decoder's own `bufferedBytes` peak. What " +
    "exceeds the held bytes is garbage the runtime has not collected yet.",
  "",
);
out.push(
  "| runtime | chunks | frames via | result | time | RSS before | peak RSS | peak growth | peak heap + external | held by decoder |",
);
out.push("|---|---|---|---|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  for (const m of r.memory) {
    out.push(
      `| ${r.runtime} ${r.version} | ${m.chunks} | ${m.mode}() | ${m.decoded} | ${m.seconds} s | ` +
        `${m.baselineRssMiB} MiB | ${m.peakRssMiB} MiB | ${m.peakRssGrowthMiB} MiB | ` +
        `${m.peakHeapPlusExternalMiB} MiB | ${m.peakHeldByDecoderMiB} MiB |`,
    );
  }
}
out.push("");

out.push("### Targets (issue 3)", "");
out.push(`| target | ${results.map((r) => r.runtime).join(" | ")} |`);
out.push(`|---|${results.map(() => "---").join("|")}|`);
const target = (label, w, c, min) => {
  if (!w) return;
  const cells = results.map((r) => {
    const x = ratios[w]?.[`${r.runtime}|${c}`];
    return x === undefined ? "—" : `${fmt(x, 2)}× ${x >= min ? "✓" : "✗"}`;
  });
  out.push(`| ${label} | ${cells.join(" | ")} |`);
};
const find = (prefix, size) => workloads.find((w) => w.startsWith(prefix) && w.includes(size));
for (const [size, goal, min] of [["64 B", "fastest peer", 3], ["MiB", "copy", 0.5]]) {
  for (const [header, label] of [["!I", "`!I`"], ["varint", "varint"]]) {
    const w = find(header, size);
    const shown = size === "MiB" ? "1 MiB" : size;
    for (const api of ["pushRanges()", "push()"]) {
      target(`${label} ${shown}, ${api} ≥ ${min}× ${goal}`, w, `unstuck ${api}`, min);
    }
  }
}
const memoryTarget = (label, index) =>
  out.push(
    `| ${label} | ${
      results.map((r) => {
        const growth = r.memory[index].peakRssGrowthMiB;
        return `${growth} MiB ${growth < 64 ? "✓" : "✗"}`;
      }).join(" | ")
    } |`,
  );
memoryTarget("1 GiB decode, peak RSS growth < 64 MiB: fresh chunks, push()", 0);
memoryTarget("… reused read buffer, push()", 1);
memoryTarget("… reused read buffer, pushRanges()", 2);
console.log(out.join("\n"));

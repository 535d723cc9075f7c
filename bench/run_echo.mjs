#!/usr/bin/env node
// Runs bench/echo.ts under Node, Deno and Bun (Node runs tsc's compiled copy in .build/bench),
// then prints the markdown of the "echo and chat" section of docs/BENCHMARKS.md: per transport,
// each runtime's raw-API baseline beside unstuck's echo server and client, measured in the same
// process, with ratios against that baseline.
//
//   node bench/run_echo.mjs [--quick] [--runtime node,deno,bun]
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

compileForNode(runtimes);
const results = runtimes.map((runtime) =>
  runBench(runtime, "echo", ["--json", ...quick], {
    timeoutMs: 20 * 60_000,
    denoFlags: ["--unstable-net"],
  })
);

const out = [];
out.push(
  `Command: \`node bench/run_echo.mjs${quick.length ? " --quick" : ""}\` — ${machine()}. ` +
    "Loopback, 64-byte " +
    "payloads. Latency: 1,000 sequential request/reply round trips after 300 warm-up ones, " +
    "client and server in one process. Pipelined: 64 requests in flight over one TCP " +
    "connection (8 for UDP, where more overflow the socket buffers and get dropped), " +
    `${quick.length ? "20,000" : "100,000"} TCP / ${
      quick.length ? "5,000" : "20,000"
    } UDP messages. ` +
    "TCP frames are `!I` length-prefixed. The baseline is the same echo written on the runtime's " +
    "own socket API with hand-rolled framing (bench/echo_raw.ts). Ratios: unstuck ÷ baseline " +
    "for messages/s (higher is better), baseline ÷ unstuck for p50 (higher is better).",
  "",
);
for (const transport of ["tcp", "udp"]) {
  out.push(`### ${transport === "tcp" ? "TCP, framed" : "UDP"}`, "");
  out.push("| runtime | implementation | p50 µs | p99 µs | msgs/s | msgs/s vs raw | p50 vs raw |");
  out.push("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const res of results) {
    const rows = res.rows.filter((r) => r.transport === transport);
    const base = rows.find((r) => r.impl.startsWith("raw"));
    for (const r of rows) {
      const isBase = r === base;
      out.push(
        `| ${res.version} | ${r.impl} | ${fmt(r.p50us, 1)} | ${fmt(r.p99us, 1)} | ` +
          `${fmt(r.msgsPerSec)}${r.lost ? ` (${r.lost} lost)` : ""} | ` +
          `${isBase ? "1.00" : fmt(r.msgsPerSec / base.msgsPerSec, 2)} | ` +
          `${isBase ? "1.00" : fmt(base.p50us / r.p50us, 2)} |`,
      );
    }
  }
  out.push("");
}
console.log(out.join("\n"));

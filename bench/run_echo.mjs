#!/usr/bin/env node
// Runs bench/echo.ts under Node, Deno and Bun (Node runs tsc's compiled copy in .build/bench),
// then prints the markdown of the "echo and chat" section of docs/BENCHMARKS.md: per transport,
// each runtime's raw-API baseline beside unstuck's echo server and client, measured in the same
// process, with ratios against that baseline.
//
//   node bench/run_echo.mjs [--quick] [--runtime node,deno,bun]
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const bin = (name) => join(root, "node_modules", ".bin", name);
const argv = process.argv.slice(2);
const quick = argv.includes("--quick") ? ["--quick"] : [];
const runtimes = argv.includes("--runtime")
  ? argv[argv.indexOf("--runtime") + 1].split(",")
  : ["node", "deno", "bun"];

function commandFor(runtime) {
  const extra = ["--json", ...quick];
  if (runtime === "node") return [process.execPath, [".build/bench/bench/echo.js", ...extra]];
  if (runtime === "deno") {
    return [bin("deno"), ["run", "-A", "--unstable-net", "bench/echo.ts", ...extra]];
  }
  return [bin("bun"), ["bench/echo.ts", ...extra]];
}

if (runtimes.includes("node")) {
  const tsc = spawnSync(bin("tsc"), ["-p", "tsconfig.bench.json"], { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) process.exit(1);
}

const results = [];
for (const runtime of runtimes) {
  process.stderr.write(`running ${runtime}…\n`);
  const [cmd, args] = commandFor(runtime);
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 20 * 60_000 });
  process.stderr.write(r.stderr ?? "");
  const line = (r.stdout ?? "").trim().split("\n").pop();
  if (r.status !== 0 || !line) throw new Error(`${runtime} failed (${r.status})`);
  results.push(JSON.parse(line));
}

const fmt = (x, d = 0) =>
  x.toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: d });
const out = [];
out.push(
  `Command: \`node bench/run_echo.mjs${quick.length ? " --quick" : ""}\` — ${cpus().length} × ` +
    `${cpus()[0]?.model ?? "?"}, ${new Date().toISOString().slice(0, 10)}. Loopback, 64-byte ` +
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

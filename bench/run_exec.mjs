#!/usr/bin/env node
// Runs bench/exec.ts under Node, Deno and Bun (Node runs tsc's compiled copy in .build/bench),
// then prints the markdown of the exec section of docs/BENCHMARKS.md.
//
//   node bench/run_exec.mjs [--quick] [--runtime node,deno,bun]
import { compileForNode, flag, formatNumber, listOption, machine, runBench } from "./_driver.mjs";

const quick = flag("quick") ? ["--quick"] : [];
const runtimes = listOption("runtime");

compileForNode(runtimes);
const results = runtimes.map((runtime) =>
  runBench(runtime, "exec", ["--json", ...quick], { timeoutMs: 20 * 60_000 })
);

const n = (x) => formatNumber(x);
const ratio = (x) => `${x.toFixed(2)}×`;
const { commands, bytes, rounds } = results[0];
const out = [
  `Command: \`node bench/run_exec.mjs${quick.length ? " --quick" : ""}\` — ${machine()}. ` +
  "The server is " +
  "`unstuck exec serve` as its own process (same runtime), the client the library's `ExecClient` " +
  'over one authenticated connection on loopback; "local" spawns the same command with the ' +
  `same adapter in the client's process. Commands: ${commands} \`true\` one after another. ` +
  `Throughput: \`head -c ${bytes / 1024 / 1024}M /dev/zero\`, every byte counted; MB/s = 10^6 ` +
  `bytes/s. Best of ${rounds} run(s), commands after 10 warm-up runs. Ratio: exec ÷ local ` +
  "(1.00× = no overhead).",
  "",
  "| runtime (adapter) | `true` local | `true` via exec | ratio | bytes local | bytes via exec | ratio |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...results.map((r) =>
    `| ${r.version} (${r.adapter}) | ${n(r.localCps)} cmd/s | ${n(r.remoteCps)} cmd/s | ` +
    `${ratio(r.remoteCps / r.localCps)} | ${n(r.localMBps)} MB/s | ${n(r.remoteMBps)} MB/s | ` +
    `${ratio(r.remoteMBps / r.localMBps)} |`
  ),
];
console.log(out.join("\n"));

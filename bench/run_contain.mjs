#!/usr/bin/env node
// Runs bench/contain.ts under Node, Deno and Bun (Node runs tsc's compiled copy in .build/bench),
// then prints the markdown of the containment section of docs/BENCHMARKS.md.
//
//   node bench/run_contain.mjs [--quick] [--runtime node,deno,bun]
import { compileForNode, flag, formatNumber, listOption, machine, runBench } from "./_driver.mjs";

const quick = flag("quick") ? ["--quick"] : [];
const runtimes = listOption("runtime");

compileForNode(runtimes);
const results = runtimes.map((runtime) =>
  runBench(runtime, "contain", ["--json", ...quick], { timeoutMs: 20 * 60_000 })
);

const n = (x) => formatNumber(x);
const ratio = (x) => `${x.toFixed(2)}×`;
const { spawns, rounds, kills } = results[0];
const cell = (r, name) => `${n(r.rates[name])}/s (${ratio(r.rates[name] / r.rates.plain)})`;
const out = [
  `Command: \`node bench/run_contain.mjs${quick.length ? " --quick" : ""}\` — ${machine()}. ` +
  `Spawns per second of \`true\` with the native adapter, ${spawns} one after another, best of ` +
  `${rounds} round(s) after 10 warm-up spawns; in brackets the ratio to a plain spawn in the ` +
  "same run. `dieWithParent`: a lifeline watchdog (`/bin/sh`) per spawn and `setpriv " +
  "--pdeathsig KILL` in front of the program; `cgroup`: a cgroup v2 leaf per spawn, joined by " +
  "`/bin/sh`, removed at the end; both: what `exec serve` uses. Kill → gone: a parent with " +
  "`sleep 100` and a shell with a grandchild and a setsid'd one (all contained) is killed with " +
  `SIGKILL; time until /proc shows none of them running, median and worst of ${kills}.`,
  "",
  "| runtime | plain | `dieWithParent` | `cgroup` | both | kill → gone (median, max) |",
  "|---|---:|---:|---:|---:|---:|",
  ...results.map((r) =>
    `| ${r.version} | ${n(r.rates.plain)}/s | ${cell(r, "dieWithParent")} | ` +
    `${cell(r, "cgroup")} | ${cell(r, "both")} | ${formatNumber(r.killMedianMs, 1)} ms, ` +
    `${formatNumber(r.killMaxMs, 1)} ms |`
  ),
];
console.log(out.join("\n"));

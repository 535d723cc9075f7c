#!/usr/bin/env node
// Runs the struct benchmark in Node, Deno and Bun and CPython's in python3, one after another,
// and prints one Markdown table with the ratios the issue sets targets for.
//
//   node bench/run_struct.mjs [--ms N] [--only node,deno,bun,cpython]
//
// Node 20 cannot run TypeScript: bench/struct.ts is compiled by tsc (tsconfig.bench.json) into
// .build/bench first.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const bin = (name) => join(root, "node_modules", ".bin", name);
const argv = process.argv.slice(2);
const ms = argv.includes("--ms") ? argv[argv.indexOf("--ms") + 1] : "300";
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1].split(",") : undefined;
const want = (name) => !only || only.includes(name);

function run(label, cmd, args) {
  process.stderr.write(`running ${label}…\n`);
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 15 * 60_000 });
  if (r.status !== 0) {
    throw new Error(`${label} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

const rows = [];
if (want("cpython")) {
  rows.push(...run("CPython", "python3", ["bench/struct_cpython.py", "--json", "--ms", ms]));
}
if (want("node")) {
  const tsc = spawnSync(bin("tsc"), ["-p", "tsconfig.bench.json"], { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) throw new Error("tsc failed");
  rows.push(
    ...run("node", process.execPath, [".build/bench/bench/struct.js", "--json", "--ms", ms]),
  );
}
if (want("deno")) {
  rows.push(...run("deno", bin("deno"), ["run", "-A", "bench/struct.ts", "--json", "--ms", ms]));
}
if (want("bun")) rows.push(...run("bun", bin("bun"), ["bench/struct.ts", "--json", "--ms", ms]));

const fmt = (n) => (n === undefined ? "—" : (n / 1e6).toFixed(2) + "M");
const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
const showRatio = (r) => (r === undefined ? "—" : r.toFixed(2) + "×");
const cpython = (format, op) =>
  rows.find((r) => r.impl === "CPython" && r.format === format && r.op === op)?.opsPerSec;
const TARGETS = {
  pack: { cpython: 1, hand: 0.8 },
  unpack: { cpython: 1, peer: 2, hand: 0.8 },
  packInto: { cpython: 3, hand: 0.8 },
};

const cpyRuntime = rows.find((r) => r.impl === "CPython")?.runtime ?? "CPython (not run)";
console.log(
  `millions of ops per CPU second; ${cpyRuntime}; best of 3 samples of ${ms} ms of CPU each\n`,
);
console.log(
  "| runtime | format | op | unstuck | CPython | ×CPython | python-struct | ×python-struct | hand DataView | ×hand | targets | no codegen |",
);
console.log("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
let allMet = true;
for (
  const runtime of [...new Set(rows.filter((r) => r.impl !== "CPython").map((r) => r.runtime))]
) {
  for (const r of rows.filter((x) => x.runtime === runtime && x.impl === "unstuck")) {
    const get = (impl) =>
      rows.find((x) =>
        x.runtime === runtime && x.format === r.format && x.op === r.op &&
        x.impl === impl
      )?.opsPerSec;
    const cp = ratio(r.opsPerSec, cpython(r.format, r.op));
    const peer = ratio(r.opsPerSec, get("python-struct"));
    const hand = ratio(r.opsPerSec, get("hand DataView"));
    const t = TARGETS[r.op];
    const missed = [];
    if (cp !== undefined && cp < t.cpython) missed.push(`CPython ≥${t.cpython}×`);
    if (t.peer && peer !== undefined && peer < t.peer) missed.push(`python-struct ≥${t.peer}×`);
    if (hand !== undefined && hand < t.hand) missed.push(`hand ≥${t.hand}×`);
    if (missed.length) allMet = false;
    console.log(
      `| ${runtime} | \`${r.format}\` | ${r.op} | ${fmt(r.opsPerSec)} | ${
        fmt(cpython(r.format, r.op))
      } | ${showRatio(cp)} | ${fmt(get("python-struct"))} | ${showRatio(peer)} | ${
        fmt(get("hand DataView"))
      } | ${showRatio(hand)} | ${missed.length ? "missed: " + missed.join(", ") : "met"} | ${
        fmt(get("unstuck interpreter"))
      } |`,
    );
  }
}
console.log(`\n${allMet ? "all targets met" : "some targets missed (see the targets column)"}`);

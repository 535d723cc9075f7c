#!/usr/bin/env node
// Runs the struct benchmark in Node, Deno and Bun and CPython's in python3, one after another,
// and prints one Markdown table with the ratios the issue sets targets for.
//
//   node bench/run_struct.mjs [--ms N] [--only node,deno,bun,cpython]
//
// Node 20 cannot run TypeScript: bench/struct.ts is compiled by tsc (tsconfig.test.json) into
// .build/bench first.
import { benchCommand, compileForNode, listOption, option, runJsonLines } from "./_driver.mjs";

const ms = option("ms", "300");
const only = listOption("only", ["cpython", "node", "deno", "bun"]);
const TIMEOUT = 15 * 60_000;

const rows = [];
if (only.includes("cpython")) {
  const cpython = ["python3", ["bench/struct_cpython.py", "--json", "--ms", ms]];
  rows.push(...runJsonLines("CPython", cpython, TIMEOUT));
}
compileForNode(only);
for (const runtime of ["node", "deno", "bun"].filter((r) => only.includes(r))) {
  const command = benchCommand(runtime, "struct", ["--json", "--ms", ms]);
  rows.push(...runJsonLines(runtime, command, TIMEOUT));
}

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

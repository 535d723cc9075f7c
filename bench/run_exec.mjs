#!/usr/bin/env node
// Runs bench/exec.ts under Node, Deno and Bun (Node runs tsc's compiled copy in .build/bench),
// then prints the markdown of the exec section of docs/BENCHMARKS.md.
//
//   node bench/run_exec.mjs [--quick] [--runtime node,deno,bun]
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
  if (runtime === "node") return [process.execPath, [".build/bench/bench/exec.js", ...extra]];
  if (runtime === "deno") return [bin("deno"), ["run", "-A", "bench/exec.ts", ...extra]];
  return [bin("bun"), ["bench/exec.ts", ...extra]];
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

const n = (x) => x.toLocaleString("en", { maximumFractionDigits: 0 });
const ratio = (x) => `${x.toFixed(2)}×`;
const { commands, bytes, rounds } = results[0];
const out = [
  `Command: \`node bench/run_exec.mjs${quick.length ? " --quick" : ""}\` — ${cpus().length} × ` +
  `${cpus()[0]?.model ?? "?"}, ${new Date().toISOString().slice(0, 10)}. The server is ` +
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

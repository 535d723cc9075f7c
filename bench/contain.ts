// Containment benchmark, one runtime per run (the native adapter):
//
// - spawns per second of `true`, one after another, plain and with each containment option:
//   `dieWithParent` (lifeline watchdog + setpriv), `cgroup: "required"` (a leaf, joined by
//   /bin/sh), and both, as exec uses them; ratios against plain, measured in the same run;
// - how long after a SIGKILL of the parent its commands are gone: a copy of this script (same
//   runtime) spawns `sleep 100` and a shell with a grandchild and a setsid'd one, all contained,
//   and is killed; /proc is polled every millisecond until none of them runs.
//
// `bench/run_contain.mjs` runs this under Node, Deno and Bun and prints the table of
// docs/BENCHMARKS.md.
//
//   deno run -A bench/contain.ts [--quick] [--json]
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { containmentSupport, detectRuntime, getAdapter, spawn, type SpawnOptions } from "../mod.ts";

const quick = process.argv.includes("--quick");
const json = process.argv.includes("--json");
const SPAWNS = quick ? 50 : 300;
const KILLS = quick ? 3 : 10;
const ROUNDS = quick ? 1 : 3;
const runtime = detectRuntime();

/** What each column runs with. */
const VARIANTS: Record<string, SpawnOptions> = {
  plain: {},
  dieWithParent: { dieWithParent: true },
  cgroup: { cgroup: "required" },
  both: { dieWithParent: true, cgroup: "required" },
};

async function spawnsPerSecond(options: SpawnOptions): Promise<number> {
  const a = await getAdapter();
  const once = async (): Promise<void> => {
    const status = await a.spawn({ argv: ["true"], ...options }).status;
    if (status.code !== 0) throw new Error(`true failed: ${JSON.stringify(status)}`);
  };
  for (let i = 0; i < 10; i++) await once(); // warm-up
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < SPAWNS; i++) await once();
    best = Math.max(best, SPAWNS / ((performance.now() - start) / 1000));
  }
  return best;
}

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !"ZX".includes(stat.slice(stat.lastIndexOf(")") + 2)[0]);
  } catch {
    return false; // gone
  }
}

/** The argv that runs this script again, in this runtime. */
function selfArgv(...args: string[]): string[] {
  const file = fileURLToPath(import.meta.url);
  return runtime === "deno"
    ? [process.execPath, "run", "-A", file, ...args]
    : [process.execPath, file, ...args];
}

/** As the parent: spawns the contained commands, prints their pids, waits to be killed. */
async function beParent(): Promise<void> {
  const a = await getAdapter();
  const contain = { dieWithParent: true, cgroup: "auto" } as const;
  const sleeper = a.spawn({ argv: ["sleep", "100"], ...contain });
  const tree = a.spawn({
    shell: "sleep 100 & c=$!; setsid sleep 100 & e=$!; " +
      'until [ "$(cut -d" " -f6 /proc/$e/stat)" = $e ]; do sleep 0.01; done; echo $$ $c $e; wait',
    ...contain,
  });
  const { value } = await tree.stdout.getReader().read();
  console.log([sleeper.pid, ...new TextDecoder().decode(value).trim().split(" ")].join(" "));
  setInterval(() => {}, 60_000);
}

/** Milliseconds from SIGKILL of a parent to the end of all its commands' processes. */
async function killToGone(): Promise<number> {
  const parent = await spawn({ argv: selfArgv("--parent"), timeoutMs: 60_000 });
  const { value } = await parent.stdout.getReader().read();
  const pids = new TextDecoder().decode(value).trim().split(" ").map(Number);
  const start = performance.now();
  process.kill(parent.pid, "SIGKILL");
  while (pids.some(running)) {
    if (performance.now() - start > 10_000) throw new Error(`still running: ${pids}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const ms = performance.now() - start;
  await parent.status;
  return ms;
}

if (process.argv.includes("--parent")) {
  await beParent();
} else {
  const support = containmentSupport();
  if (support.cgroupParent === null) throw new Error("no writable cgroup v2 hierarchy here");
  const rates: Record<string, number> = {};
  for (const [name, options] of Object.entries(VARIANTS)) {
    rates[name] = await spawnsPerSecond(options);
  }
  const kills: number[] = [];
  for (let i = 0; i < KILLS; i++) kills.push(await killToGone());
  kills.sort((x, y) => x - y);
  const result = {
    runtime,
    version: `${runtime} ${
      runtime === "deno"
        ? process.versions.deno
        : runtime === "bun"
        ? process.versions.bun
        : process.version
    }`,
    spawns: SPAWNS,
    rounds: ROUNDS,
    rates,
    killMedianMs: kills[Math.floor(kills.length / 2)],
    killMaxMs: kills[kills.length - 1],
    kills: KILLS,
    setpriv: support.setpriv,
  };
  if (json) console.log(JSON.stringify(result));
  else console.log(result);
}

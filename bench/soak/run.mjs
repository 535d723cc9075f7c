#!/usr/bin/env node
// The bounded soak (`npm run soak`, not part of `npm test`): each part puts servers under honest
// and hostile load for a fixed time per runtime and reports what honest clients saw and what
// the servers held. Prints JSON lines (one per result) and the markdown tables of
// docs/BENCHMARKS.md.
//
//   node bench/soak/run.mjs [tcp ...] [--runtime node,deno,bun] [--seconds 60] [--json]
//
// Parts: tcp (echo and exec). Run it when the machine is otherwise quiet: it says what the load
// was (loadavg) before it started.
import { loadavg } from "node:os";
import { compileForNode, flag, listOption, machine, option } from "../_driver.mjs";

const PARTS = {
  tcp: () => import("./tcp.mjs"),
};

const argv = process.argv.slice(2);
const named = argv.filter((a, i) =>
  !a.startsWith("--") && !argv[i - 1]?.startsWith("--runtime") &&
  !argv[i - 1]?.startsWith("--seconds")
);
const parts = named.length > 0 ? named : Object.keys(PARTS);
for (const part of parts) {
  if (!(part in PARTS)) throw new Error(`unknown part ${part} (one of ${Object.keys(PARTS)})`);
}
const runtimes = listOption("runtime");
const durationMs = Number(option("seconds", "60")) * 1000;

compileForNode(runtimes);
const load = loadavg().map((x) => x.toFixed(2)).join(", ");
console.log(
  `soak: ${parts.join(", ")}; ${runtimes.join(", ")}; ${
    durationMs / 1000
  } s each — ${machine()}; load average before: ${load}`,
);
for (const part of parts) {
  const module = await PARTS[part]();
  const results = await module.run({ runtimes, durationMs });
  if (flag("json")) { for (const r of results) console.log(JSON.stringify(r)); }
  console.log(`\n${part}:\n\n${module.table(results)}\n`);
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(", ")}`);

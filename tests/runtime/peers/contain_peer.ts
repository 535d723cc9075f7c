// Run by tests/runtime/contain.test.ts: spawns, with one adapter and `dieWithParent`, `sleep 100`
// and a shell that starts a grandchild and a grandchild in a session of its own (setsid), prints
// their pids as one JSON line, then waits to be killed. With "exit" as third argument it lets both
// end instead, prints "done" and returns: the process must then end by itself.
//
//   contain_peer.ts ADAPTER CGROUP_MODE [exit]
import process from "node:process";
import { type AdapterName, getAdapter, type SpawnOptions } from "../../../mod.ts";
import { escapeScript } from "../contain_helpers.ts";

const [name, cgroup, exit] = process.argv.slice(2);
const a = await getAdapter(name as AdapterName);
const contain: SpawnOptions = { dieWithParent: true, cgroup: cgroup as SpawnOptions["cgroup"] };

const sleeper = a.spawn({ argv: ["sleep", exit ? "0.1" : "100"], ...contain });
const tree = a.spawn({
  shell: exit
    ? "echo $$ 0 0"
    : `sleep 100 & child=$!; ${escapeScript(100)}; echo $$ $child $escaped; wait`,
  ...contain,
});
const reader = tree.stdout.getReader();
let line = "";
while (!line.includes("\n")) {
  const { done, value } = await reader.read();
  if (done) break;
  line += new TextDecoder().decode(value);
}
const [leader, grandchild, escaped] = line.trim().split(" ").map(Number);
console.log(
  JSON.stringify({ pid: process.pid, sleeper: sleeper.pid, leader, grandchild, escaped }),
);
if (exit) {
  reader.releaseLock();
  await Promise.all([sleeper.status, tree.status]);
  console.log("done");
} else {
  setInterval(() => {}, 60_000);
}

// A worker thread for tests/runtime/contain.test.ts: spawns, with the adapter named in its
// workerData and `dieWithParent`, a shell that starts a grandchild, posts both pids, and idles
// until it is terminated (which must take both along: the parent-death signal follows the thread
// that forked, and the runtime closes the worker's pipes).
import { parentPort, workerData } from "node:worker_threads";
import { type AdapterName, getAdapter } from "../../../mod.ts";

const a = await getAdapter(workerData as AdapterName);
const proc = a.spawn({ shell: "sleep 100 & echo $$ $!; wait", dieWithParent: true });
const { value } = await proc.stdout.getReader().read();
parentPort!.postMessage(new TextDecoder().decode(value).trim().split(" ").map(Number));
setInterval(() => {}, 60_000);

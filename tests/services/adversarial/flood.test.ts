// A handshake flood from 127.0.0.2 (200 loops in a process of their own: half connect and close
// at once, half answer every hello with a wrong MAC) against an exec server with its default
// limits, on every adapter of this runtime. An honest client from 127.0.0.1 must get in and run
// a command at least 14 times in 15, trying once each time (the server's limits per address
// alone), and so must the library client (which tries a refused handshake again until its
// 10 s deadline); the test prints both counts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { availableAdapters, encodeFrame, ExecClient, serveExec } from "../../../mod.ts";
import { encodeControl } from "../../../src/services/exec/protocol/mod.ts";
import { projectPath } from "../../_helpers/paths.ts";
import { TOKEN } from "../exec/_helpers.ts";
import { sleep, within } from "../../runtime/helpers.ts";
import { Peer } from "./_peer.ts";

const ATTEMPTS = 15;
const FLOOD = { address: "127.0.0.2", churn: 100, wrongMac: 100 };

/** Starts the flood against `port`; resolves once it runs, with a function that stops it. */
async function startFlood(port: number): Promise<() => Promise<string>> {
  const script = projectPath("tests", "services", "adversarial", "flood.mjs");
  const child = spawn("node", [script, JSON.stringify({ port, ...FLOOD })], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (b: Uint8Array) => (out += new TextDecoder().decode(b)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await within(
    new Promise<void>((resolve) => child.stderr!.once("data", () => resolve())),
    10_000,
    "the flood to start",
  );
  return async () => {
    child.stdin!.end();
    await within(exited, 10_000, "the flood to stop").catch(() => child.kill("SIGKILL"));
    return out.trim();
  };
}

/** One try from 127.0.0.1, never repeated: hello, auth, ready, run `true`, exit 0. */
async function tryOnce(port: number): Promise<void> {
  const peer = await Peer.open(port, "127.0.0.1");
  try {
    await peer.authenticate(TOKEN);
    await peer.until(() => peer.controls().length >= 2, 10_000, "ready");
    const ready = peer.controls()[1];
    if (ready?.type !== "ready") throw new Error(`no ready: ${JSON.stringify(ready)}`);
    await peer.write(encodeFrame(encodeControl({ type: "run", argv: ["true"] })));
    await peer.until(() => peer.controls().length >= 3, 10_000, "exit");
    const exit = peer.controls()[2];
    if (exit?.type !== "exit" || exit.code !== 0) throw new Error(JSON.stringify(exit));
  } finally {
    peer.destroy();
  }
}

/** Tries `attempt` ATTEMPTS times; the successes, the time of each, why the others failed. */
async function honestAttempts(
  attempt: () => Promise<void>,
): Promise<{ succeeded: number; times: number[]; failures: string[] }> {
  const out = { succeeded: 0, times: [] as number[], failures: [] as string[] };
  for (let i = 0; i < ATTEMPTS; i++) {
    const started = performance.now();
    try {
      await attempt();
      out.succeeded++;
    } catch (error) {
      out.failures.push(String(error));
    }
    out.times.push(Math.round(performance.now() - started));
    await sleep(100);
  }
  return out;
}

for (const adapter of availableAdapters()) {
  describe(`exec under a handshake flood from another address (${adapter} adapter)`, () => {
    it(`lets an honest client in at least 14 times in ${ATTEMPTS}`, async () => {
      await using server = await serveExec({ token: TOKEN, port: 0, adapter, cgroup: "off" });
      const port = server.addr.port;
      const stopFlood = await startFlood(port);
      let once, library;
      try {
        await sleep(500); // the flood in full swing
        once = await honestAttempts(() => tryOnce(port));
        library = await honestAttempts(async () => {
          const client = await ExecClient.connect({ token: TOKEN, port, timeoutMs: 10_000 });
          try {
            const result = await within(client.run({ argv: ["true"] }), 10_000, "true");
            if (result.code !== 0) throw new Error(`exit ${result.code}`);
          } finally {
            client.close();
          }
        });
      } finally {
        const counts = await stopFlood();
        const show = (r?: { succeeded: number; times: number[] }): string =>
          r ? `${r.succeeded}/${ATTEMPTS} (ms each: ${r.times.join(" ")})` : "-";
        console.log(
          `handshake flood (${adapter} adapter): honest, one try each: ${show(once)}; ` +
            `library client: ${show(library)}; flood ${counts}`,
        );
      }
      assert.ok(once.succeeded >= 14, `one try each: ${once.failures.join("; ")}`);
      assert.ok(library.succeeded >= 14, `library client: ${library.failures.join("; ")}`);
    });
  });
}

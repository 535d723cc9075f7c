// `exec run` and a server that refuses or stalls its handshake: a refused handshake is tried
// again until --connect-timeout, and the command gives up at that time (plus the time to start
// and stop a process), with exit 255 and one line that says why.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeFrame, listen, type TcpServer } from "../../mod.ts";
import { encodeControl } from "../../src/services/exec/protocol/mod.ts";
import { killAll, runCli, startCli, startServer } from "../_helpers/cli.ts";
import { tempDir } from "../services/exec/_helpers.ts";
import { Peer } from "../services/adversarial/_peer.ts";

const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, "connect-test-token\n", { mode: 0o600 });
const NO_ENV_TOKEN = { UNSTUCK_TOKEN: undefined };
/** What starting and stopping the CLI may add to its deadline here (a shared, busy machine). */
const SLACK_MS = 3_000;

after(() => {
  killAll();
  tmp.remove();
});

const busy = encodeFrame(
  encodeControl({ type: "error", message: "too many connections awaiting authentication" }),
);

/** A server that answers every connection with `greet` (nothing: it never says hello). */
function fakeServer(greet?: Uint8Array): Promise<TcpServer> {
  return listen({ port: 0 }, async (conn) => {
    if (greet) await conn.write(greet).catch(() => {});
    for await (const _ of conn) { /* read until the client goes */ }
    conn.close();
  });
}

async function timedRun(port: number, seconds: number): Promise<{ ms: number; stderr: string }> {
  const started = performance.now();
  const r = await runCli(
    [
      "exec",
      "run",
      "--port",
      String(port),
      "--token-file",
      tokenFile,
      "--connect-timeout",
      String(seconds),
      "--",
      "true",
    ],
    { env: NO_ENV_TOKEN, timeoutMs: 30_000 },
  );
  const ms = performance.now() - started;
  assert.equal(r.code, 255, r.stderr);
  return { ms, stderr: r.stderr };
}

describe("unstuck exec run --connect-timeout", () => {
  for (
    const [what, greet] of [["never says hello", undefined], ["is always busy", busy]] as const
  ) {
    it(`gives up at the deadline against a server that ${what}`, async () => {
      await using server = await fakeServer(greet);
      const { ms, stderr } = await timedRun(server.addr.port, 2);
      console.log(
        `exec run --connect-timeout 2 against a server that ${what}: ${Math.round(ms)} ms`,
      );
      assert.match(stderr, /no connection and handshake within 2000 ms/);
      if (greet) assert.match(stderr, /last refusal: too many connections awaiting/);
      assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
      assert.ok(ms >= 2_000, `gave up early, after ${ms} ms`);
      assert.ok(ms < 2_000 + SLACK_MS, `gave up after ${ms} ms`);
    });
  }

  it("gets in once a busy server has room (a pending handshake displaced)", async () => {
    const args = [
      "exec",
      "serve",
      "--port",
      "0",
      "--token-file",
      tokenFile,
      "--max-pending",
      "1",
    ];
    const { proc, port } = await startServer([], startCli(args, NO_ENV_TOKEN));
    const holder = await Peer.open(port, "127.0.0.2"); // takes the only place, says nothing
    try {
      const r = await runCli(
        ["exec", "run", "--port", String(port), "--token-file", tokenFile, "--", "echo", "in"],
        { env: NO_ENV_TOKEN, timeoutMs: 30_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "in\n");
    } finally {
      holder.destroy();
      proc.signal("SIGTERM");
      await proc.wait();
    }
    assert.match(proc.stderr, /displaced while authenticating/);
  });
});

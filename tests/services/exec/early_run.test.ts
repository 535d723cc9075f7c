// A client that sends `run` behind its `auth` without waiting for `ready` (and checking the
// server's proof in it) breaks the protocol, and the answer must not depend on how TCP cuts its bytes: whether auth and run arrive in one chunk
// or two, however split, and whether the second part comes at once or a little later, the server
// sends an error, closes the connection, and runs nothing (a marker file is never created).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeFrame, type ExecServer } from "../../../mod.ts";
import { encodeControl } from "../../../src/services/exec/protocol/mod.ts";
import {
  killAll,
  type Running,
  startCli,
  startServer as startCliServer,
} from "../../_helpers/cli.ts";
import { RawPeer, startServer, tempDir, TOKEN, within } from "./_helpers.ts";
import { sleep } from "../../runtime/helpers.ts";

const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
after(() => {
  killAll();
  tmp.remove();
});

/** auth + run (touching `marker`) for a new connection to `port`, and the auth frame's length. */
async function openPipelined(
  port: number,
  marker: string,
): Promise<{ peer: RawPeer; bytes: Uint8Array; authLength: number }> {
  const peer = await RawPeer.open(port);
  const auth = encodeFrame(encodeControl(await peer.authMessage(TOKEN)));
  const run = encodeFrame(encodeControl({ type: "run", argv: ["touch", marker] }));
  return { peer, bytes: new Uint8Array([...auth, ...run]), authLength: auth.length };
}

/**
 * Sends auth + run in two writes cut at `at`, the second `gapMs` after the first (0: in the same
 * tick); returns what went wrong, if the server did not answer with the error and close.
 */
async function trial(port: number, marker: string, at: number, gapMs: number): Promise<string> {
  const { peer, bytes } = await openPipelined(port, marker);
  try {
    const first = peer.send(bytes.subarray(0, at));
    if (gapMs > 0) await first.then(() => sleep(gapMs));
    await peer.send(bytes.subarray(at)).catch(() => {}); // the server may have closed already
    const reply = await peer.control();
    const got = reply?.type === "error" ? reply.message : JSON.stringify(reply);
    if (!/before the server's ready/.test(got)) return `cut at ${at}: ${got}`;
    await peer.closedByServer();
    return "";
  } finally {
    peer.close();
  }
}

type Cuts = (length: number, authLength: number) => number[];
const everyCut: Cuts = (n) => Array.from({ length: n - 1 }, (_, i) => i + 1);

/** A trial at each cut: none may go wrong, and the command never runs. */
async function expectRefused(port: number, name: string, cuts: Cuts, gapMs: number) {
  const marker = join(tmp.dir, name);
  const { peer, bytes, authLength } = await openPipelined(port, marker);
  peer.close();
  const wrong: string[] = [];
  for (const at of cuts(bytes.length, authLength)) {
    const problem = await trial(port, marker, at, gapMs);
    if (problem) wrong.push(problem);
  }
  assert.deepEqual(wrong, []);
  assert.equal(existsSync(marker), false, "a run sent before ready was executed");
}

// The server in its own process, as the race needs (in one process, both writes are in before
// the server looks), with its default settle time.
describe("exec serve: run pipelined behind auth", () => {
  let proc: Running;
  let port: number;
  before(async () => {
    // Each trial is a failed handshake from 127.0.0.1, on purpose: no penalties.
    const args = ["exec", "serve", "--port", "0", "--token-file", tokenFile, "--penalty", "0"];
    ({ proc, port } = await startCliServer([], startCli(args, { UNSTUCK_TOKEN: undefined })));
  });
  after(async () => {
    proc.signal("SIGTERM");
    await proc.wait();
  });

  it("refuses it at every cut, the parts sent back to back", async () => {
    await expectRefused(port, "back-to-back", everyCut, 0);
  });

  it("refuses it every time when cut exactly between auth and run (the case that raced)", async () => {
    await expectRefused(port, "boundary", (_n, authLength) => Array(100).fill(authLength), 0);
  });

  it("logs each as a rejected connection, and no command", () => {
    assert.deepEqual(proc.stderr.match(/argv=.*/g) ?? [], []);
    assert.match(proc.stderr, /data sent before the server's ready message/);
  });

  it("runs the same run once the client has read ready (the marker can appear)", async () => {
    const marker = join(tmp.dir, "after-ready");
    const { peer, bytes, authLength } = await openPipelined(port, marker);
    try {
      await peer.send(bytes.subarray(0, authLength));
      assert.equal((await peer.control())?.type, "ready");
      await peer.send(bytes.subarray(authLength));
      assert.equal((await peer.control())?.type, "exit");
    } finally {
      peer.close();
    }
    assert.equal(existsSync(marker), true);
  });
});

// Whatever arrives between auth and ready is an error, however late in that span: with a long
// settle time, a gap between the parts cannot let the run in at any cut.
describe("serveExec: anything between auth and ready", () => {
  let server: ExecServer;
  before(async () => {
    server = await startServer({ readySettleMs: 5_000 });
  });
  after(() => within(server.close(), 5_000, "server close"));

  for (const gapMs of [2, 20]) {
    it(`refuses a run at every cut, the second part ${gapMs} ms later`, async () => {
      await expectRefused(server.addr.port, `gap-${gapMs}`, everyCut, gapMs);
    });
  }
});

// Idle and slow peers against echo and exec, on every adapter of this runtime: connections that
// hold a place and send nothing, a frame trickled a byte at a time (slowloris), a peer that sends
// and never reads. Each is closed by its limit, and an honest client from 127.0.0.1 is served;
// and the idle limit never cuts an exec command that runs silently for longer than it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  availableAdapters,
  connectEcho,
  encodeFrame,
  type ExecServerEvent,
  FrameTimeoutError,
  IdleTimeoutError,
  serveEcho,
  WriteTimeoutError,
} from "../../../mod.ts";
import { encodeControl } from "../../../src/services/exec/protocol/mod.ts";
import { collect, connectClient, startServer, TOKEN } from "../exec/_helpers.ts";
import { sleep, within } from "../../runtime/helpers.ts";
import { openPeers, Peer } from "./_peer.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Tries an echo request from 127.0.0.1 every 50 ms until one is answered, within `ms`. */
async function honestEchoWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const client = await connectEcho({ port }).catch(() => undefined);
    const reply = await client?.request(enc.encode("honest")).catch(() => undefined);
    await client?.close();
    if (reply !== undefined && dec.decode(reply) === "honest") return true;
    await sleep(50);
  }
  return false;
}

for (const adapter of availableAdapters()) {
  describe(`echo against idle and slow peers (${adapter} adapter)`, () => {
    it("closes idle connections that took every place, and then serves 127.0.0.1", async () => {
      const errors: Error[] = [];
      await using server = await serveEcho({
        port: 0,
        adapter,
        maxConnections: 4,
        idleTimeoutMs: 400,
        frameTimeoutMs: 0,
        onError: (e) => errors.push(e),
      });
      const idle = await openPeers(server.addr.port, "127.0.0.2", 4);
      await sleep(50); // all four accepted: the next connection finds no place
      assert.equal(await honestEchoWithin(server.addr.port, 5_000), true, "never served");
      await within(Promise.all(idle.map((p) => p.closed)), 5_000, "idle peers closed");
      assert.equal(errors.filter((e) => e instanceof IdleTimeoutError).length, 4);
    });

    it("closes a frame trickled a byte at a time (slowloris), idle timeout off", async () => {
      const errors: Error[] = [];
      await using server = await serveEcho({
        port: 0,
        adapter,
        idleTimeoutMs: 0,
        frameTimeoutMs: 500,
        onError: (e) => errors.push(e),
      });
      const peer = await Peer.open(server.addr.port, "127.0.0.2");
      const frame = encodeFrame(new Uint8Array(100));
      const trickle = (async () => {
        for (const byte of frame) {
          if (peer.isClosed) return;
          await peer.write(Uint8Array.of(byte));
          await sleep(50);
        }
      })();
      await within(peer.closed, 5_000, "slowloris closed");
      await trickle;
      assert.equal(peer.bytes.length, 0, "the frame never completed");
      assert.ok(errors.some((e) => e instanceof FrameTimeoutError), errors.join());
      assert.equal(await honestEchoWithin(server.addr.port, 5_000), true);
    });

    it("keeps a peer that sends a frame now and then, however slowly overall", async () => {
      await using server = await serveEcho({ port: 0, adapter, idleTimeoutMs: 300 });
      await using client = await connectEcho({ port: server.addr.port });
      for (let i = 0; i < 5; i++) {
        assert.equal(dec.decode(await client.request(enc.encode(`${i}`))), `${i}`);
        await sleep(150); // well within the idle timeout each time, past it in all
      }
    });

    it("closes a peer that sends and never reads its replies", async () => {
      const errors: Error[] = [];
      await using server = await serveEcho({
        port: 0,
        adapter,
        idleTimeoutMs: 500,
        onError: (e) => errors.push(e),
      });
      const peer = await Peer.open(server.addr.port, "127.0.0.2");
      peer.socket.pause(); // reads nothing: the replies fill the buffers, then the server's send waits
      const frame = encodeFrame(new Uint8Array(60_000));
      const sending = (async () => {
        for (let i = 0; i < 2_000 && !peer.isClosed; i++) {
          if (!peer.socket.write(frame)) {
            await Promise.race([
              new Promise((r) => peer.socket.once("drain", r)),
              peer.closed,
              sleep(1_000),
            ]);
          }
        }
      })();
      await within(
        (async () => {
          while (!errors.some((e) => e instanceof WriteTimeoutError)) await sleep(50);
        })(),
        15_000,
        "WriteTimeoutError",
      );
      peer.destroy();
      await sending;
      assert.equal(await honestEchoWithin(server.addr.port, 5_000), true);
    });
  });

  describe(`exec against idle and slow peers (${adapter} adapter)`, () => {
    it("runs a command that is silent for longer than the idle timeout", async () => {
      await using server = await startServer({ adapter, idleTimeoutMs: 300 });
      await using client = await connectClient(server);
      const silent = await collect(client, { argv: ["sleep", "1"] });
      assert.equal(silent.result.code, 0);
      // The client is the one to speak next: the idle clock runs again from the exit.
      assert.equal((await collect(client, { argv: ["echo", "after"] })).text, "after\n");
    });

    it("closes an authenticated connection that stays idle, telling it why", async () => {
      await using server = await startServer({ adapter, idleTimeoutMs: 300 });
      const peer = await Peer.open(server.addr.port, "127.0.0.2");
      await peer.authenticate(TOKEN);
      await within(peer.closed, 5_000, "idle connection closed");
      const [, ready, error] = peer.controls();
      assert.equal(ready?.type, "ready");
      assert.equal(error?.type, "error");
      assert.match(error.type === "error" ? error.message : "", /300 ms/);
    });

    it("closes a frame trickled a byte at a time after auth (frame timeout, idle off)", async () => {
      await using server = await startServer({ adapter, idleTimeoutMs: 0, frameTimeoutMs: 400 });
      const peer = await Peer.open(server.addr.port, "127.0.0.2");
      await peer.authenticate(TOKEN);
      await peer.until(() => peer.controls().length >= 2, 5_000, "ready");
      const run = encodeFrame(encodeControl({ type: "run", argv: ["echo", "never"] }));
      for (const byte of run.subarray(0, 20)) {
        if (peer.isClosed) break;
        await peer.write(Uint8Array.of(byte));
        await sleep(50);
      }
      await within(peer.closed, 5_000, "slowloris closed");
      const last = peer.controls().at(-1);
      assert.equal(last?.type, "error");
    });

    it("closes a client that does not take a command's output, after its time limit", async () => {
      const events: ExecServerEvent[] = [];
      await using server = await startServer({
        adapter,
        timeoutMs: 300,
        idleTimeoutMs: 300,
        onEvent: (e) => events.push(e),
      });
      const peer = await Peer.open(server.addr.port, "127.0.0.2");
      await peer.authenticate(TOKEN);
      await peer.until(() => peer.controls().length >= 2, 5_000, "ready");
      peer.socket.pause();
      const argv = ["head", "-c", "100000000", "/dev/zero"];
      await peer.write(encodeFrame(encodeControl({ type: "run", argv })));
      const taken = (): boolean =>
        events.some((e) => e.kind === "rejected" && /did not take/.test(e.reason));
      await within(
        (async () => {
          while (!taken()) await sleep(50);
        })(),
        10_000,
        "the stalled client closed",
      );
      await within(
        (async () => {
          while (!events.some((e) => e.kind === "command")) await sleep(50);
        })(),
        5_000,
        "the command's end",
      );
      peer.destroy();
    });

    it("an idle timeout paused by a command is not a frame timeout: stdin still flows", async () => {
      await using server = await startServer({ adapter, idleTimeoutMs: 200 });
      await using client = await connectClient(server);
      async function* slowly(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 4; i++) {
          await sleep(150);
          yield enc.encode(`${i}\n`);
        }
      }
      const got = await collect(client, { argv: ["cat"], stdin: slowly() });
      assert.equal(got.text, "0\n1\n2\n3\n");
    });
  });
}

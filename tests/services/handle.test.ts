// The services' ServerHandle: a listener that failed ends the whole server, visibly.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { serverHandle } from "../../src/services/handle.ts";
import { serveEcho } from "../../src/services/echo/server.ts";
import { serveExec } from "../../src/services/exec/server.ts";
import { connect, detectRuntime } from "../../src/runtime/adapter.ts";
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  ListenerError,
} from "../../src/runtime/errors.ts";
import { connectEcho } from "../../src/services/echo/client.ts";

const ADDR = { hostname: "127.0.0.1", port: 1 };

/** Resolves to what `promise` rejected with, or null; fails after `ms`. */
function settled(promise: Promise<unknown>, ms = 5000): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise.then(() => null, (e) => e), timeout]).finally(() =>
    clearTimeout(timer)
  );
}

describe("serverHandle", () => {
  it("rejects closed with the listener's failure, after shutting down once", async () => {
    let shutdowns = 0;
    let fail!: (e: unknown) => void;
    const listenerClosed = new Promise<void>((_, reject) => (fail = reject));
    const handle = serverHandle(ADDR, () => Promise.resolve(void shutdowns++), undefined, {
      closed: listenerClosed,
    });
    const failure = new ListenerError(ADDR, Object.assign(new Error("gone"), { code: "EINVAL" }));
    fail(failure);
    assert.equal(await settled(handle.closed), failure);
    assert.equal(shutdowns, 1);
    await handle.close(); // resolves: the server is closed
    assert.equal(shutdowns, 1);
  });

  it("resolves closed on close() when the listener closed normally", async () => {
    let stopListener!: () => void;
    const listenerClosed = new Promise<void>((resolve) => (stopListener = resolve));
    const handle = serverHandle(ADDR, () => Promise.resolve(stopListener()), undefined, {
      closed: listenerClosed,
    });
    await handle.close();
    assert.equal(await settled(handle.closed), null);
  });

  // A real failure: `ss -K` destroys the listening socket in the kernel. Only the deno adapter
  // can see it (see docs/RUNTIME.md), so this runs in Deno, as root.
  const skip = detectRuntime() !== "deno"
    ? "only the deno adapter sees a destroyed listener"
    : process.getuid?.() !== 0 || spawnSync("ss", ["-V"]).status !== 0
    ? "needs root and ss (iproute2) to destroy a socket"
    : false;
  it(
    "echo and exec: a destroyed listener closes every connection and rejects closed",
    { skip },
    async () => {
      const echo = await serveEcho({ port: 0 });
      const client = await connectEcho({ port: echo.addr.port });
      const hi = new TextEncoder().encode("hi");
      assert.deepEqual(await client.request(hi), hi); // accepted and served
      const exec = await serveExec({ port: 0, token: "a-token-long-enough-for-this-test" });
      for (const server of [echo, exec]) {
        const { port } = server.addr;
        const ss = spawnSync("ss", ["-K", "state", "listening", "sport", "=", `:${port}`]);
        assert.equal(ss.status, 0, String(ss.stderr));
        const error = await settled(server.closed);
        assert.ok(error instanceof ListenerError, String(error));
        assert.match(error.message, new RegExp(`^listener on 127\\.0\\.0\\.1:${port} failed`));
        await assert.rejects(connect({ port }), ConnectionRefusedError);
        await server.close();
      }
      // The echo server closed its open connection on the way down.
      await assert.rejects(client.request(hi), ConnectionClosedError);
      await client.close();
    },
  );
});

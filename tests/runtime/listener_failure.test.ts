// What a TCP server does when accepting fails: one connection's failure is reported and accepting
// goes on; a failure of the listening socket itself closes the server and rejects `closed`.
// The deno and node servers are driven here by listeners that fail on demand (so these cases run
// in every runtime); the last case destroys a real listening socket with `ss -K`.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import process from "node:process";
import { once } from "node:events";
import { spawnSync } from "node:child_process";
import { DenoServer } from "../../src/runtime/deno/tcp.ts";
import { NodeServer } from "../../src/runtime/node/tcp.ts";
import type { DenoConn, DenoListener } from "../../src/runtime/deno/api.ts";
import { ConnectionRefusedError, ListenerError, NetworkError } from "../../src/runtime/errors.ts";
import { acceptRetryDelay, defaultAcceptErrorReporter } from "../../src/runtime/shared/accept.ts";
import { availableAdapters, connect, getAdapter } from "../../src/runtime/adapter.ts";
import type { TcpConnection } from "../../src/runtime/types.ts";
import { request, stillPending, within } from "./helpers.ts";

/** An error as the runtimes throw them: a message and an OS code. */
function osError(code: string): Error {
  return Object.assign(new Error(`${code.toLowerCase()} (simulated)`), { code });
}

/** A `Deno.Listener` whose accept() fails with each error in turn, then waits until closed. */
class FailingListener implements DenoListener {
  readonly addr = { transport: "tcp", hostname: "127.0.0.1", port: 9 };
  accepts = 0;
  closedByServer = false;
  readonly #errors: Error[];
  #pending: ((e: Error) => void) | undefined;

  constructor(errors: Error[]) {
    this.#errors = [...errors];
  }

  accept(): Promise<DenoConn> {
    this.accepts++;
    const next = this.#errors.shift();
    if (next !== undefined) return Promise.reject(next);
    return new Promise((_, reject) => (this.#pending = reject));
  }

  close(): void {
    this.closedByServer = true;
    this.#pending?.(Object.assign(new Error("listener closed"), { name: "BadResource" }));
  }
}

async function echo(conn: TcpConnection): Promise<void> {
  for await (const chunk of conn) await conn.write(chunk);
  await conn.closeWrite();
}

const PER_CONNECTION = ["ECONNABORTED", "ENOTCONN", "ECONNRESET", "EPROTO", "EPERM"];

describe("accept failures", () => {
  it("sorts failures: one connection's, a want of descriptors, the listener's own", () => {
    for (const code of PER_CONNECTION) assert.equal(acceptRetryDelay(osError(code)), 0, code);
    for (const code of ["EMFILE", "ENFILE"]) assert.ok(acceptRetryDelay(osError(code))! > 0);
    for (const code of ["EBADF", "EINVAL", "ENOTSOCK"]) {
      assert.equal(acceptRetryDelay(osError(code)), undefined, code);
    }
    assert.equal(acceptRetryDelay(new Error("no code at all")), undefined);
  });

  it("deno server: reports each connection's failure and goes on accepting", async () => {
    const reported: NetworkError[] = [];
    const listener = new FailingListener([...PER_CONNECTION, "EMFILE"].map(osError));
    const server = new DenoServer(listener, () => {}, { onAcceptError: (e) => reported.push(e) });
    const accepts = PER_CONNECTION.length + 2; // every failure, then one that waits
    await within(
      (async () => {
        while (listener.accepts < accepts) await new Promise((r) => setTimeout(r, 5));
      })(),
      5000,
      "accepting again after each failure (and after the EMFILE backoff)",
    );
    assert.deepEqual(reported.map((e) => e.code), [...PER_CONNECTION, "EMFILE"]);
    for (const e of reported) assert.ok(e instanceof NetworkError && e.cause !== undefined);
    assert.ok(await stillPending(server.closed, 20), "the server is still open");
    await server.close();
    await within(server.closed, 1000, "closed resolves after close()");
    assert.ok(listener.closedByServer);
  });

  it("deno server: a failure of the listener closes the server and rejects closed", async () => {
    for (const fatal of [osError("EBADF"), Object.assign(new Error("gone"), { name: "Busy" })]) {
      const reported: NetworkError[] = [];
      const listener = new FailingListener([osError("ENOTCONN"), fatal]);
      const server = new DenoServer(listener, () => {}, { onAcceptError: (e) => reported.push(e) });
      const error = await within(server.closed.then(() => null, (e) => e), 5000, "closed");
      assert.ok(error instanceof ListenerError, String(error));
      assert.ok(error instanceof NetworkError);
      assert.equal(error.cause, fatal);
      assert.equal(error.code, (fatal as { code?: string }).code);
      assert.match(error.message, /^listener on 127\.0\.0\.1:9 failed, the server stopped: /);
      assert.ok(listener.closedByServer, "the listener is closed");
      assert.equal(reported.length, 1, "only the connection's failure is reported");
      await server.close(); // idempotent; resolves
    }
  });

  it("node server: an 'error' after listening is reported, or closes the server", async () => {
    const listening = net.createServer({ allowHalfOpen: true }).listen(0, "127.0.0.1");
    await once(listening, "listening");
    const reported: NetworkError[] = [];
    const server = new NodeServer(listening, echo, { onAcceptError: (e) => reported.push(e) });
    const { port } = server.addr;
    listening.emit("error", osError("EMFILE")); // as node:net emits a failed accept
    listening.emit("error", osError("ECONNRESET"));
    assert.deepEqual(reported.map((e) => e.code), ["EMFILE", "ECONNRESET"]);
    assert.ok(await stillPending(server.closed, 20), "the server is still open");
    const conn = await connect({ port, adapter: "node" });
    assert.equal(await within(request(conn, "still here"), 5000, "echo"), "still here");

    listening.emit("error", osError("EINVAL"));
    const error = await within(server.closed.then(() => null, (e) => e), 5000, "closed");
    assert.ok(error instanceof ListenerError, String(error));
    assert.equal(error.code, "EINVAL");
    await assert.rejects(connect({ port, adapter: "node" }), ConnectionRefusedError);
  });

  it("reports with one stderr line by default, at most once per 10 s per server", () => {
    const lines: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void lines.push(args.join(" "));
    try {
      const report = defaultAcceptErrorReporter({ hostname: "127.0.0.1", port: 8080 });
      const error = new NetworkError("accept failed: ENOTCONN: gone", { code: "ENOTCONN" });
      for (let i = 0; i < 100; i++) report(error);
    } finally {
      console.error = original;
    }
    assert.deepEqual(lines, [
      "unstuck: server 127.0.0.1:8080: accept failed: ENOTCONN: gone; still accepting",
    ]);
  });

  // A real failure of a listening socket: `ss -K` destroys it in the kernel (accept then fails
  // with EINVAL). Only Deno tells JavaScript: node:net (in Node and Bun) and Bun.listen retry it
  // in a busy loop, and Deno's node:net stops accepting, without a word; see docs/RUNTIME.md.
  const canDestroy = process.getuid?.() === 0 && spawnSync("ss", ["-V"]).status === 0;
  const skip = !availableAdapters().includes("deno")
    ? "the deno adapter runs only in Deno"
    : !canDestroy
    ? "needs root and ss (iproute2) to destroy a socket"
    : false;
  it(
    "deno adapter: a listening socket destroyed by the kernel rejects closed",
    { skip },
    async () => {
      const adapter = await getAdapter("deno");
      const server = await adapter.listen({}, echo);
      const { port } = server.addr;
      const ss = spawnSync("ss", ["-K", "state", "listening", "sport", "=", `:${port}`]);
      assert.equal(ss.status, 0, String(ss.stderr));
      const error = await within(server.closed.then(() => null, (e) => e), 5000, "closed");
      assert.ok(error instanceof ListenerError, String(error));
      assert.equal(error.code, "EINVAL");
      await assert.rejects(adapter.connect({ port }), ConnectionRefusedError);
    },
  );
});

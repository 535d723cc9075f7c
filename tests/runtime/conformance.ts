// The conformance suite: one set of cases that every runtime adapter must pass. Test files call
// `describeConformance(adapter)` for each adapter available in the runtime they run in.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Adapter, DatagramSocket, TcpConnection } from "../../src/runtime/types.ts";
import { detectRuntime } from "../../src/runtime/adapter.ts";
import { MAX_DATAGRAM_SIZE } from "../../src/runtime/types.ts";
import { kernelReceiveBuffer, receiveBufferMax } from "../_helpers/kernel_udp.ts";
import {
  AddressInUseError,
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  DatagramTooLargeError,
  NetworkError,
  PipeClosedError,
  SpawnError,
} from "../../src/runtime/errors.ts";
import { createFrameEncoder, decodeFrames, FrameTooLargeError } from "../../src/framing/mod.ts";
import {
  bytes,
  concat,
  eventually,
  exists,
  fnv1a,
  isRunning,
  pseudoRandom,
  readAll,
  readText,
  request,
  sleep,
  stillPending,
  within,
} from "./helpers.ts";
import { projectPath } from "../_helpers/paths.ts";
import { describeTls } from "./conformance_tls.ts";
import { overTls } from "./tls_helpers.ts";
import { testCerts } from "./tls_certs.ts";

const MiB = 1024 * 1024;

/** A server that echoes every byte, then half-closes once the client has. */
async function echoHandler(conn: TcpConnection): Promise<void> {
  for await (const chunk of conn) await conn.write(chunk);
  await conn.closeWrite();
}

async function streamText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(await readAll(stream as unknown as AsyncIterable<Uint8Array>));
}

/**
 * Registers the conformance cases for `adapter`: the TCP cases over plaintext and again over TLS
 * (every listen and connect given a pinned self-signed certificate), the TLS-only cases, UDP and
 * subprocesses.
 */
export function describeConformance(adapter: Adapter): void {
  const a = adapter;
  describeStream(a, "TCP");
  describeStream(overTls(a, testCerts()), "TCP over TLS");
  describeTls(a);

  describe(`${a.name} adapter: UDP`, () => {
    it("round-trips datagrams and reports the sender", async () => {
      await using server = await a.bindDatagram({ hostname: "127.0.0.1", port: 0 });
      await using client = await a.bindDatagram({});
      assert.ok(server.addr.port > 0);
      assert.equal(server.addr.hostname, "127.0.0.1");
      await client.send(bytes("ping"), server.addr);
      const ping = await within(
        (async () => {
          for await (const datagram of server) return datagram; // leaves the loop early
          return undefined;
        })(),
        5000,
        "ping",
      );
      assert.ok(ping);
      const { data, remote } = ping;
      assert.equal(new TextDecoder().decode(data), "ping");
      assert.deepEqual(remote, client.addr);
      await server.send(bytes("PONG"), remote);
      const reply = await within(client[Symbol.asyncIterator]().next(), 5000, "reply");
      assert.equal(new TextDecoder().decode(reply.value?.data), "PONG");
      // Leaving the loop did not close the server: it still receives.
      await client.send(bytes("again"), server.addr);
      const again = await within(server[Symbol.asyncIterator]().next(), 5000, "again");
      assert.equal(new TextDecoder().decode(again.value?.data), "again");
    });

    it("sends to a live peer right after a send to a dead port (a stale ICMP error)", async () => {
      await using live = await a.bindDatagram({});
      await using sender = await a.bindDatagram({});
      const dead = await a.bindDatagram({});
      const deadAddr = dead.addr;
      dead.close(); // nothing listens there now: each send to it draws an ICMP port unreachable
      const rounds = 50;
      const received = new Set<string>();
      const receiving = (async () => {
        for await (const { data } of live) {
          received.add(new TextDecoder().decode(data));
          if (received.size === 2 * rounds) return;
        }
      })();
      for (let i = 0; i < rounds; i++) {
        // In the same tick: the live send goes out right behind the dead one.
        await Promise.all([
          sender.send(bytes("dead"), deadAddr),
          sender.send(bytes(`same tick ${i}`), live.addr),
        ]);
        // One after the other: the ICMP error has surely arrived before the live send.
        await sender.send(bytes("dead"), deadAddr);
        await sleep(1);
        await sender.send(bytes(`after ${i}`), live.addr);
      }
      await within(receiving, 5000, `${2 * rounds} datagrams (got ${received.size})`);
    });

    it("carries a 65,507-byte datagram whole", async () => {
      await using server = await a.bindDatagram({});
      await using client = await a.bindDatagram({});
      const big = pseudoRandom(MAX_DATAGRAM_SIZE, 3);
      await client.send(big, server.addr);
      const got = await within(server[Symbol.asyncIterator]().next(), 5000, "datagram");
      assert.equal(got.value?.data.length, MAX_DATAGRAM_SIZE);
      assert.deepEqual(got.value?.data, big);
    });

    it("maps a port in use, naming EADDRINUSE", async () => {
      await using taken = await a.bindDatagram({});
      const port = taken.addr.port;
      const inUse = await a.bindDatagram({ port }).then((s) => (s.close(), null), (e) => e);
      assert.ok(inUse instanceof AddressInUseError, String(inUse));
      assert.equal(inUse.code, "EADDRINUSE");
      assert.match(inUse.message, new RegExp(`^bind 127\\.0\\.0\\.1:${port} failed: .*EADDRINUSE`));
    });

    it("applies receiveBufferSize where the runtime can, and reports what the kernel has", {
      skip: kernelReceiveBuffer(0) === undefined
        ? "needs Linux and iproute2's ss to read a socket's buffer"
        : false,
    }, async () => {
      // Linux grants at most net.core.rmem_max (root too: SO_RCVBUF) and reports twice that.
      const max = receiveBufferMax();
      const asked = Math.min(MiB, max);
      await using plain = await a.bindDatagram({});
      await using sized = await a.bindDatagram({ receiveBufferSize: asked });
      await using capped = await a.bindDatagram({ receiveBufferSize: 4 * max });
      const kernel = (s: DatagramSocket): number | undefined => kernelReceiveBuffer(s.addr.port);
      if (detectRuntime() === "deno") {
        // Deno has no way to set it (its node:dgram only pretends): not applied, not reported.
        assert.equal(sized.receiveBufferSize, undefined);
        assert.equal(kernel(sized), kernel(plain));
      } else {
        assert.equal(kernel(sized), 2 * asked);
        assert.equal(kernel(capped), 2 * max);
        for (const s of [plain, sized, capped]) assert.equal(s.receiveBufferSize, kernel(s));
      }
      for (const bad of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
        await assert.rejects(a.bindDatagram({ receiveBufferSize: bad }), RangeError, String(bad));
      }
    });

    it("refuses an oversize datagram and stays usable", async () => {
      await using sock = await a.bindDatagram({});
      const error = await sock.send(new Uint8Array(MAX_DATAGRAM_SIZE + 1), sock.addr)
        .then(() => null, (e) => e);
      assert.ok(error instanceof DatagramTooLargeError, String(error));
      assert.equal(error.size, MAX_DATAGRAM_SIZE + 1);
      assert.equal(error.limit, MAX_DATAGRAM_SIZE);
      await sock.send(bytes("small"), sock.addr);
      const got = await within(sock[Symbol.asyncIterator]().next(), 5000, "datagram");
      assert.equal(new TextDecoder().decode(got.value?.data), "small");
    });

    it("closes a socket whose signal aborts while it binds", async () => {
      const controller = new AbortController();
      const binding = a.bindDatagram({ signal: controller.signal });
      controller.abort();
      const sock = await within(binding, 5000, "bind").catch((e) => {
        assert.equal(e.name, "AbortError");
        return null;
      });
      if (sock !== null) {
        const next = await within(sock[Symbol.asyncIterator]().next(), 5000, "iteration ends");
        assert.equal(next.done, true);
        await assert.rejects(sock.send(bytes("x"), sock.addr), NetworkError);
      }
    });

    it("ends iteration on close, and on abort", async () => {
      const sock = await a.bindDatagram({});
      const next = sock[Symbol.asyncIterator]().next();
      sock.close();
      sock.close();
      assert.equal((await within(next, 5000, "iteration ends")).done, true);
      const controller = new AbortController();
      const other = await a.bindDatagram({ signal: controller.signal });
      const pending = other[Symbol.asyncIterator]().next();
      controller.abort();
      assert.equal((await within(pending, 5000, "abort ends iteration")).done, true);
      await assert.rejects(other.send(bytes("x"), other.addr), NetworkError);
    });
  });

  describeSubprocessConformance(a);
}

/** The cases of a byte stream: plain TCP, or TLS when `a` is wrapped by `overTls()`. */
function describeStream(a: Adapter, transport: "TCP" | "TCP over TLS"): void {
  describe(`${a.name} adapter: ${transport}`, () => {
    it("echoes a round trip and reports addresses", async () => {
      await using server = await a.listen({ hostname: "127.0.0.1", port: 0 }, echoHandler);
      assert.equal(server.addr.hostname, "127.0.0.1");
      assert.ok(server.addr.port > 0);
      await using conn = await a.connect({ hostname: "127.0.0.1", port: server.addr.port });
      assert.deepEqual(conn.remoteAddr, server.addr);
      assert.equal(conn.localAddr.hostname, "127.0.0.1");
      assert.ok(conn.localAddr.port > 0 && conn.localAddr.port !== server.addr.port);
      conn.setNoDelay(false);
      conn.setNoDelay(true);
      assert.equal(await within(request(conn, "hello, unstuck"), 5000, "echo"), "hello, unstuck");
      await within(conn.closed, 5000, "connection closes after EOF both ways");
    });

    it("reads through the readable stream view and writev", async () => {
      await using server = await a.listen({}, echoHandler);
      await using conn = await a.connect({ port: server.addr.port });
      await conn.writev([bytes("ab"), new Uint8Array(0), bytes("cd"), new Uint8Array(40_000)]);
      await conn.closeWrite();
      const got = await within(
        readAll(conn.readable as unknown as AsyncIterable<Uint8Array>),
        5000,
        "read",
      );
      assert.equal(got.length, 40_004);
      assert.equal(new TextDecoder().decode(got.subarray(0, 4)), "abcd");
    });

    it("keeps each writev's parts together while other writes wait", async () => {
      await using server = await a.listen({}, echoHandler);
      await using conn = await a.connect({ port: server.addr.port });
      // Parts over 16 KiB go as separate runtime writes in the adapters without a native writev;
      // the last call's parts add up to more than 256 KiB.
      const calls = [1, 2, 3, 4].map((tag) => {
        const size = tag === 4 ? 150_000 : 20_000;
        return [new Uint8Array(4).fill(tag), new Uint8Array(size).fill(tag)];
      });
      calls[3].push(new Uint8Array(150_000).fill(4));
      const reading = within(readAll(conn), 10_000, "read");
      await within(Promise.all(calls.map((parts) => conn.writev(parts))), 10_000, "writev");
      await conn.closeWrite();
      const got = await reading;
      const expected = calls.flat();
      let offset = 0;
      for (const part of expected) {
        const slice = got.subarray(offset, offset + part.length);
        assert.ok(slice.every((b) => b === part[0]), `a part of call ${part[0]} was split`);
        offset += part.length;
      }
      assert.equal(got.length, offset);
    });

    it("writes every writev byte for byte, whatever the parts' sizes", async () => {
      await using server = await a.listen({}, echoHandler);
      await using conn = await a.connect({ port: server.addr.port });
      // Sizes around the adapters' thresholds (16 KiB parts, 64 KiB runs, 256 KiB stages):
      // parts that fill a stage, cross it, and one that is larger than a stage after small ones.
      const calls = [
        [4, 16_383, 16_384, 1, 65_536, 262_143, 3, 262_144, 262_145, 0, 5],
        [7, 300_000, 2, 100_000, 200_000, 1, 250_000, 40_000],
        Array.from({ length: 5000 }, (_, i) => (i * 37) % 200),
      ].map((sizes, c) => sizes.map((n, i) => pseudoRandom(n, 100 * c + i + 1)));
      const reading = within(readAll(conn), 20_000, "read");
      for (const parts of calls) await within(conn.writev(parts), 20_000, "writev");
      await conn.closeWrite();
      const got = await reading;
      const expected = concat(calls.flat());
      assert.equal(got.length, expected.length);
      assert.equal(fnv1a(got), fnv1a(expected));
    });

    it("reads with a BYOB reader into a reused buffer, then with a default reader", async () => {
      const sent = pseudoRandom(300_000, 5);
      await using server = await a.listen({}, async (conn) => {
        await conn.write(sent);
        conn.close();
      });
      await using conn = await a.connect({ port: server.addr.port });
      const byob = conn.readable.getReader({ mode: "byob" });
      const got: Uint8Array[] = [];
      let buffer = new Uint8Array(7000);
      let total = 0;
      while (total < 100_000) {
        const r = await within(byob.read(buffer), 5000, "byob read");
        assert.equal(r.done, false);
        got.push(r.value!.slice());
        total += r.value!.length;
        buffer = new Uint8Array(r.value!.buffer); // the same memory, handed back
        assert.equal(buffer.length, 7000);
      }
      byob.releaseLock();
      got.push(
        await within(readAll(conn.readable as unknown as AsyncIterable<Uint8Array>), 5000, "rest"),
      );
      assert.deepEqual(concat(got), sent);
    });

    it("carries 64 MiB one way intact (checksum), then a large view", async () => {
      let received: Promise<{ length: number; hash: number }> | undefined;
      await using server = await a.listen({}, (conn) => {
        received = (async () => {
          let length = 0;
          let hash = undefined as number | undefined;
          for await (const chunk of conn) {
            length += chunk.length;
            hash = fnv1a(chunk, hash);
          }
          await conn.write(bytes(`${length} ${hash}`));
          conn.close();
          return { length, hash: hash ?? 0 };
        })();
      });
      await using conn = await a.connect({ port: server.addr.port });
      const base = pseudoRandom(MiB, 7);
      let hash: number | undefined;
      for (let k = 0; k < 64; k++) {
        const chunk = base.slice();
        chunk[0] = k;
        chunk[MiB - 1] = 255 - k;
        hash = fnv1a(chunk, hash);
        await within(conn.write(chunk), 10_000, `write chunk ${k}`);
      }
      // A view that starts inside its buffer, larger than any kernel buffer: short writes resume
      // at the right offset.
      const view = pseudoRandom(8 * MiB + 10, 9).subarray(3, 8 * MiB + 3);
      hash = fnv1a(view, hash);
      await within(conn.write(view), 10_000, "write view");
      await conn.closeWrite();
      const total = 72 * MiB;
      const reply = await within(readText(conn), 30_000, "checksum reply");
      assert.equal(reply, `${total} ${hash}`);
      assert.deepEqual(await received, { length: total, hash });
    });

    it("replies after the peer's half-close", async () => {
      await using server = await a.listen({}, async (conn) => {
        const got = await readText(conn); // to EOF: the client has closed its side
        await conn.write(bytes(`got ${got.length} bytes: ${got}`));
        await conn.write(bytes(" and more"));
        conn.close();
      });
      await using conn = await a.connect({ port: server.addr.port });
      await conn.write(bytes("question"));
      await conn.closeWrite();
      await assert.rejects(conn.write(bytes("x")), ConnectionClosedError);
      assert.equal(await within(readText(conn), 5000, "reply"), "got 8 bytes: question and more");
    });

    it("applies backpressure while the reader stalls", async () => {
      const chunk = new Uint8Array(64 * 1024);
      const cap = 512 * MiB; // without backpressure the writer would get this far in a second
      const bound = 96 * MiB; // kernel buffers (up to ~40 MiB here) plus the adapters' own
      let stalled = true;
      let readBytes = 0;
      const done = deferred();
      await using server = await a.listen({}, async (conn) => {
        await sleep(1000);
        stalled = false;
        for await (const c of conn) readBytes += c.length;
        done.resolve();
        conn.close();
      });
      await using conn = await a.connect({ port: server.addr.port });
      let written = 0;
      let writtenWhileStalled = 0;
      while (written < cap) {
        await within(conn.write(chunk), 10_000, "write");
        written += chunk.length;
        if (stalled) writtenWhileStalled = written;
        else if (written > writtenWhileStalled + 8 * MiB) break;
      }
      await conn.closeWrite();
      await within(done.promise, 20_000, "reader finishes");
      assert.ok(writtenWhileStalled < bound, `${writtenWhileStalled} bytes taken while stalled`);
      assert.ok(writtenWhileStalled > 0);
      if (process.env.UNSTUCK_DEBUG) {
        console.log(`${a.name}: ${writtenWhileStalled} bytes taken while stalled`);
      }
      assert.equal(readBytes, written);
    });

    it("reports a peer reset as ConnectionResetError and keeps serving", async () => {
      let first = true;
      await using server = await a.listen({}, async (conn) => {
        if (!first) return echoHandler(conn);
        first = false;
        const it = conn[Symbol.asyncIterator]();
        await it.next(); // some bytes arrived; more are unread when we close: the kernel resets
        conn.close();
      });
      await using conn = await a.connect({ port: server.addr.port });
      const big = new Uint8Array(16 * MiB);
      const writing = conn.write(big).then(() => conn.write(big)).then(() => conn.write(big));
      const error = await within(writing.then(() => null, (e) => e), 10_000, "write fails");
      // Unread bytes at the peer's close make its kernel reset the connection: EPIPE or
      // ECONNRESET here, in whichever write was pending.
      assert.ok(error instanceof ConnectionResetError, `write rejected with ${error}`);
      assert.match(String(error.code), /^(EPIPE|ECONNRESET)$/);
      assert.notEqual(error.cause, undefined);
      const read = await within(readAll(conn).then(() => null, (e) => e), 5000, "read ends");
      if (read !== null) assert.ok(read instanceof ConnectionClosedError, String(read));
      await within(conn.closed, 5000, "closed");
      await assert.rejects(conn.write(bytes("x")), ConnectionClosedError);
      await using again = await a.connect({ port: server.addr.port });
      assert.equal(await within(request(again, "still here"), 5000, "echo"), "still here");
    });

    it("keeps accepting after 100 clients reset before being accepted", async () => {
      let served = 0;
      const acceptErrors: NetworkError[] = [];
      const onAcceptError = (e: NetworkError): number => acceptErrors.push(e);
      await using server = await a.listen({ onAcceptError }, (conn) => {
        served++;
        return echoHandler(conn);
      });
      // spawnSync blocks this thread, the accept loop with it: each connection completes its
      // handshake in the kernel's backlog and is reset (SO_LINGER 0) there, before any accept.
      const resets = spawnSync(
        "python3",
        [projectPath("tests/runtime/peers/connect_reset.py"), String(server.addr.port), "100"],
        { encoding: "utf8", timeout: 30_000 },
      );
      assert.equal(resets.status, 0, `connect_reset.py: ${resets.error ?? resets.stderr}`);
      await using conn = await a.connect({ port: server.addr.port });
      assert.equal(await within(request(conn, "still here"), 5000, "echo"), "still here");
      // Each reset connection either failed its accept (Deno: ENOTCONN), reported once, or was
      // accepted and reset on its first read (Node, Bun: Linux hands it out).
      assert.equal(acceptErrors.length + served, 101, `${acceptErrors.length} + ${served}`);
      for (const e of acceptErrors) assert.ok(e instanceof NetworkError && e.code, String(e));
      assert.ok(await stillPending(server.closed, 50), "the server is still open");
      if (process.env.UNSTUCK_DEBUG) {
        console.log(`${a.name}: ${acceptErrors.length} accept errors, ${served} accepted`);
      }
    });

    it("serves 200 concurrent connections", async () => {
      await using server = await a.listen({}, echoHandler);
      const replies = await within(
        Promise.all(Array.from({ length: 200 }, async (_, i) => {
          const conn = await a.connect({ port: server.addr.port });
          try {
            return await request(conn, `client ${i} `.repeat(i + 1));
          } finally {
            conn.close();
          }
        })),
        30_000,
        "200 round trips",
      );
      replies.forEach((r, i) => assert.equal(r, `client ${i} `.repeat(i + 1)));
      await server.close({ waitForConnections: true });
      assert.equal(server.connections.size, 0);
    });

    it("closes the server while clients stay connected", async () => {
      const server = await a.listen({}, echoHandler);
      const port = server.addr.port;
      const clients = await Promise.all([1, 2, 3].map(() => a.connect({ port })));
      await eventually(() => server.connections.size === 3, 5000);
      assert.equal(server.connections.size, 3);
      await within(server.close(), 5000, "close without waiting");
      await assert.rejects(a.connect({ port }), ConnectionRefusedError);
      assert.equal(await within(request(clients[0], "after close"), 5000, "echo"), "after close");
      const waiting = server.close({ waitForConnections: true });
      await within(clients[0].closed, 5000, "first client closed");
      assert.ok(await stillPending(waiting, 200), "waits for the two open connections");
      clients[1].close();
      clients[2].close();
      await within(waiting, 5000, "close waits for connections");
      assert.equal(server.connections.size, 0);
      await server.close(); // idempotent
    });

    it("closes open connections on async dispose and on abort", async () => {
      const controller = new AbortController();
      const server = await a.listen({ signal: controller.signal }, () => {});
      const conn = await a.connect({ port: server.addr.port });
      await eventually(() => server.connections.size === 1, 5000);
      controller.abort();
      await within(server.close(), 5000, "aborted server closes");
      await assert.rejects(a.connect({ port: server.addr.port }), ConnectionRefusedError);
      await within(server[Symbol.asyncDispose](), 5000, "dispose");
      assert.equal(await within(readText(conn), 5000, "EOF from the disposed server"), "");
      conn.close();
    });

    it("closes a server whose signal aborts while it binds", async () => {
      const controller = new AbortController();
      const listening = a.listen({ signal: controller.signal }, echoHandler);
      controller.abort();
      const server = await within(listening, 5000, "listen").catch((e) => {
        assert.equal(e.name, "AbortError"); // refused outright: nothing is left listening
        return null;
      });
      if (server !== null) {
        // Closed by the abort, not by us: connecting is refused (once the runtime let go).
        let refused = false;
        for (let i = 0; i < 50 && !refused; i++) {
          const c = await a.connect({ port: server.addr.port }).catch((e) => e);
          refused = c instanceof ConnectionRefusedError;
          if (!refused) {
            if (!(c instanceof Error)) c.close();
            await sleep(20);
          }
        }
        await server.close();
        assert.ok(refused, "the aborted server still accepts connections");
      }
    });

    it("maps refused connects, ports in use and aborted connects", async () => {
      const server = await a.listen({}, echoHandler);
      const port = server.addr.port;
      const inUse = await a.listen({ port }, echoHandler).then(() => null, (e) => e);
      assert.ok(inUse instanceof AddressInUseError, String(inUse));
      assert.ok(inUse instanceof NetworkError);
      assert.equal(inUse.code, "EADDRINUSE");
      assert.match(
        inUse.message,
        new RegExp(`^listen on 127\\.0\\.0\\.1:${port} failed: .*EADDRINUSE`),
      );
      assert.notEqual(inUse.cause, undefined);
      await server.close();
      const refused = await a.connect({ port }).then(() => null, (e) => e);
      assert.ok(refused instanceof ConnectionRefusedError, String(refused));
      assert.equal(refused.name, "ConnectionRefusedError");
      await assert.rejects(a.connect({ port, signal: AbortSignal.abort() }), {
        name: "AbortError",
      });
      await assert.rejects(
        a.listen({ signal: AbortSignal.abort() }, echoHandler),
        { name: "AbortError" },
      );
    });

    it("refuses bad ports with RangeError before touching the network", async () => {
      for (const port of [-1, 65_536, 70_000, 1.5, NaN]) {
        await assert.rejects(a.listen({ port }, echoHandler), RangeError, `listen ${port}`);
        await assert.rejects(a.connect({ port }), RangeError, `connect ${port}`);
        await assert.rejects(a.bindDatagram({ port }), RangeError, `bind ${port}`);
      }
      // Port 0 means "any" only where we bind; nobody can be reached there.
      await assert.rejects(a.connect({ port: 0 }), RangeError, "connect 0");
      await using sock = await a.bindDatagram({});
      for (const port of [0, 65_536, 70_000, 1.5, NaN]) {
        await assert.rejects(sock.send(bytes("x"), { hostname: "127.0.0.1", port }), RangeError);
      }
    });

    it("round-trips frames with the framing layer; a bad frame closes that connection only", async () => {
      const options = { header: "!I" as const, maxFrameLength: 4 * MiB };
      const errors: unknown[] = [];
      await using server = await a.listen({}, async (conn) => {
        const encoder = createFrameEncoder(options);
        try {
          for await (const frame of decodeFrames(conn, options)) {
            await conn.writev(encoder.encodeParts(frame));
          }
          await conn.closeWrite();
        } catch (e) {
          errors.push(e);
          throw e; // the server closes this connection
        }
      });
      const payloads = [0, 1, 5, 100, 65_536, MiB + 3, 4 * MiB, 0, 7].map((n, i) =>
        pseudoRandom(n, i + 1)
      );
      await using conn = await a.connect({ port: server.addr.port });
      const encoder = createFrameEncoder(options);
      const sending = (async () => {
        for (const p of payloads) await conn.writev(encoder.encodeParts(p));
        // Many small frames in one write: they arrive stuck together.
        const small = Array.from({ length: 1000 }, (_, i) => encoder.encode(bytes(`#${i}`)));
        await conn.write(concat(small));
        await conn.closeWrite();
      })();
      const frames: Uint8Array[] = [];
      for await (const frame of decodeFrames(conn, options)) frames.push(frame.slice());
      await within(sending, 10_000, "send");
      assert.equal(frames.length, payloads.length + 1000);
      payloads.forEach((p, i) => assert.deepEqual(frames[i], p, `frame ${i}`));
      assert.equal(new TextDecoder().decode(frames[payloads.length + 999]), "#999");

      await using bad = await a.connect({ port: server.addr.port });
      await bad.write(new Uint8Array([0x40, 0, 0, 0, 1, 2, 3])); // claims 1 GiB
      assert.equal(await within(readText(bad), 5000, "bad connection closed"), "");
      assert.ok(errors[0] instanceof FrameTooLargeError, String(errors[0]));
      await using good = await a.connect({ port: server.addr.port });
      await good.write(encoder.encode(bytes("still serving")));
      await good.closeWrite();
      const [reply] = await within(
        collect(decodeFrames(good, options)),
        5000,
        "reply",
      );
      assert.equal(new TextDecoder().decode(reply), "still serving");
    });

    it("closes a connection whose handler rejects, and the server keeps serving", async () => {
      let n = 0;
      await using server = await a.listen({}, (conn) => {
        if (n++ === 0) return Promise.reject(new Error("handler failed"));
        return echoHandler(conn);
      });
      await using bad = await a.connect({ port: server.addr.port });
      assert.equal(await within(readText(bad), 5000, "EOF"), "");
      await using good = await a.connect({ port: server.addr.port });
      assert.equal(await within(request(good, "ok"), 5000, "echo"), "ok");
    });
  });
}

/**
 * Registers the subprocess cases for `adapter`; `label` names a variant (an adapter whose spawn
 * adds options, as tests/runtime/contain.test.ts passes), `leftovers` says what becomes of a
 * process left running in the group once the leader has exited and the pipes have closed.
 */
export function describeSubprocessConformance(
  adapter: Adapter,
  label = "",
  leftovers: "kept" | "killed" = "kept",
): void {
  const a = adapter;
  describe(`${a.name} adapter: subprocess${label}`, () => {
    it("reports the exit code and reaps the child", async () => {
      const proc = a.spawn({ argv: ["sh", "-c", "echo out; echo err >&2; exit 3"] });
      const [out, err, status] = await within(
        Promise.all([streamText(proc.stdout), streamText(proc.stderr), proc.status]),
        10_000,
        "exit",
      );
      assert.deepEqual(status, { code: 3, signal: null, timedOut: false });
      assert.equal(out, "out\n");
      assert.equal(err, "err\n");
      assert.ok(await eventually(() => !exists(proc.pid), 2000), "no zombie left");
      proc.kill(); // after exit: a no-op
      proc.kill("SIGKILL");
    });

    it("runs a shell string, with cwd and env", async () => {
      const proc = a.spawn({
        shell: 'echo "$((6 * 7)) $UNSTUCK_X $(pwd)"',
        cwd: "/tmp",
        env: { UNSTUCK_X: "y", PATH: "/usr/bin:/bin" },
      });
      const [out, status] = await within(
        Promise.all([streamText(proc.stdout), proc.status]),
        10_000,
        "exit",
      );
      assert.equal(out, "42 y /tmp\n");
      assert.equal(status.code, 0);
      assert.throws(() => a.spawn({}), TypeError);
      assert.throws(() => a.spawn({ argv: ["true"], shell: "true" }), TypeError);
      assert.throws(() => a.spawn({ argv: [] }), TypeError);
    });

    it("normalises a signal exit and kills idempotently", async () => {
      const proc = a.spawn({ argv: ["sleep", "30"] });
      proc.kill();
      proc.kill();
      const status = await within(proc.status, 10_000, "killed");
      assert.deepEqual(status, { code: null, signal: "SIGTERM", timedOut: false });
      proc.kill();
      const killed = a.spawn({ shell: "kill -KILL $$" });
      assert.deepEqual(await within(killed.status, 10_000, "self-kill"), {
        code: null,
        signal: "SIGKILL",
        timedOut: false,
      });
    });

    it("streams output as it arrives and takes stdin", async () => {
      const proc = a.spawn({
        shell: 'echo first; read line; echo "second $line"; echo warn >&2; cat',
        stdin: true,
      });
      const out = proc.stdout.getReader();
      const first = await within(out.read(), 5000, "first line before any stdin");
      assert.equal(new TextDecoder().decode(first.value), "first\n");
      await proc.writeStdin(bytes("reply\n"));
      const payload = pseudoRandom(200_000, 11);
      const writing = proc.writeStdin(payload).then(() => proc.closeStdin());
      const rest: Uint8Array[] = [];
      for (;;) {
        const r = await within(out.read(), 10_000, "stdout");
        if (r.done) break;
        rest.push(r.value);
      }
      await writing;
      const all = concat(rest);
      const head = new TextEncoder().encode("second reply\n");
      assert.deepEqual(all.subarray(0, head.length), head);
      assert.deepEqual(all.subarray(head.length), payload);
      assert.equal(await streamText(proc.stderr), "warn\n");
      assert.equal((await within(proc.status, 5000, "exit")).code, 0);
      await proc.closeStdin(); // idempotent
      await assert.rejects(proc.writeStdin(bytes("late")), PipeClosedError);
    });

    it("closes its stdin pipe once the process has finished", async () => {
      // The shell hands its stdin (fd 3) to a background reader and exits; the reader sees EOF,
      // and writes the marker, only once our end of the pipe is closed. A contained spawn kills
      // the reader instead, as it kills whatever a finished process left running.
      const dir = mkdtempSync(join(tmpdir(), "unstuck-stdin-"));
      const marker = join(dir, "eof");
      const proc = a.spawn({
        shell:
          `exec 3<&0; (cat <&3 >/dev/null; echo eof > '${marker}') </dev/null >/dev/null 2>&1 & ` +
          "echo $!",
        stdin: true,
      });
      try {
        const reader = Number(await streamText(proc.stdout));
        assert.equal((await within(proc.status, 5000, "exit")).code, 0);
        if (leftovers === "killed") {
          assert.ok(await eventually(() => !isRunning(reader), 5000), "the reader still runs");
        } else {
          assert.ok(
            await eventually(() => existsSync(marker), 5000),
            "the reader got EOF on stdin without closeStdin()",
          );
        }
        await assert.rejects(proc.writeStdin(bytes("late")), PipeClosedError);
      } finally {
        try {
          process.kill(-proc.pid, "SIGKILL"); // the reader, if it still waits
        } catch { /* gone */ }
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("refuses stdin writes when spawned without stdin", async () => {
      const proc = a.spawn({ argv: ["cat"] });
      await assert.rejects(proc.writeStdin(bytes("x")), PipeClosedError);
      assert.equal(await streamText(proc.stdout), ""); // stdin is /dev/null: cat ends at once
      assert.equal((await within(proc.status, 5000, "exit")).code, 0);
    });

    it("blocks a child whose output nobody reads (bounded memory)", async () => {
      const proc = a.spawn({ shell: "head -c 8000000 /dev/zero; echo done >&2" });
      const err = proc.stderr.getReader();
      const early = err.read();
      assert.ok(await stillPending(early, 1000), "the child must block on its full stdout pipe");
      const out = await within(
        readAll(proc.stdout as unknown as AsyncIterable<Uint8Array>),
        10_000,
        "stdout",
      );
      assert.equal(out.length, 8_000_000);
      assert.equal(new TextDecoder().decode((await early).value), "done\n");
      assert.equal((await within(proc.status, 5000, "exit")).code, 0);
    });

    it("kills the whole group, grandchild too, on timeout", async () => {
      const proc = a.spawn({ shell: "sleep 30 & echo $!; wait", timeoutMs: 300 });
      const reader = proc.stdout.getReader();
      const line = await within(reader.read(), 5000, "grandchild pid");
      const grandchild = Number(new TextDecoder().decode(line.value).trim());
      assert.ok(grandchild > 0 && isRunning(grandchild));
      const status = await within(proc.status, 5000, "timeout");
      assert.deepEqual(status, { code: null, signal: "SIGKILL", timedOut: true });
      assert.ok(await eventually(() => !isRunning(grandchild), 2000), "grandchild killed");
      assert.ok(await eventually(() => !exists(proc.pid), 2000), "child reaped");
    });

    it("kills the whole group on abort, and after the leader exited while a grandchild holds the pipe", async () => {
      const controller = new AbortController();
      const proc = a.spawn({ shell: "sleep 30 & echo $!", signal: controller.signal });
      const reader = proc.stdout.getReader();
      const line = await within(reader.read(), 5000, "grandchild pid");
      const grandchild = Number(new TextDecoder().decode(line.value).trim());
      // The shell has exited; the grandchild keeps stdout open, so the status waits for it.
      assert.ok(await stillPending(proc.status, 300));
      controller.abort();
      const status = await within(proc.status, 5000, "abort");
      assert.equal(status.timedOut, false);
      assert.equal(status.code, 0); // the leader had exited by itself
      assert.ok(await eventually(() => !isRunning(grandchild), 2000), "grandchild killed");
    });

    it("throws SpawnError for a program that does not exist", () => {
      const error = (() => {
        try {
          a.spawn({ argv: ["/no/such/program"] });
          return null;
        } catch (e) {
          return e;
        }
      })();
      assert.ok(error instanceof SpawnError, String(error));
      assert.equal(error.code, "ENOENT");
      assert.throws(() => a.spawn({ argv: ["no-such-program-unstuck"] }), SpawnError);
    });

    it("kills the group on async dispose", async () => {
      const proc = a.spawn({ argv: ["sleep", "30"] });
      await within(proc[Symbol.asyncDispose](), 5000, "dispose");
      assert.deepEqual(await proc.status, { code: null, signal: "SIGKILL", timedOut: false });
    });
  });
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

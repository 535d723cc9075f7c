// The TLS cases of the conformance suite (the TCP cases run over TLS as well, in conformance.ts):
// pinning and what it refuses, what a session offers, peers that are not TLS, stalled and
// flooding handshakes, bad credentials.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import type { Adapter, TcpConnection, TcpServer } from "../../src/runtime/types.ts";
import { ConnectionClosedError, NetworkError, TlsError } from "../../src/runtime/errors.ts";
import { tlsExporter } from "../../src/runtime/shared/tls.ts";
import { bytes, eventually, readAll, request, stillPending, within } from "./helpers.ts";
import { testCerts } from "./tls_certs.ts";
import { hasExporter } from "./tls_helpers.ts";

async function echoHandler(conn: TcpConnection): Promise<void> {
  for await (const chunk of conn) await conn.write(chunk);
  await conn.closeWrite();
}

/** Settles once `conn` was closed by its peer (EOF or a reset), with what it read. */
function closedByPeer(conn: TcpConnection): Promise<unknown> {
  return readAll(conn).then((r) => r, (e) => e);
}

/** DER of a PEM certificate, by node:crypto (not by the code under test). */
function der(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw);
}

/** The TLS-only conformance cases of `a`. */
export function describeTls(a: Adapter): void {
  const certs = testCerts();
  const pinned = { cert: certs.pinned.cert, key: certs.pinned.key };

  /** Asserts `connecting` fails with a TlsError carrying the runtime's reason (or a timeout). */
  async function refused(connecting: Promise<TcpConnection>, what: string): Promise<TlsError> {
    const error = await within(connecting.then((c) => (c.close(), null), (e) => e), 10_000, what);
    assert.ok(error instanceof TlsError, `${what}: ${error}`);
    assert.ok(error instanceof NetworkError);
    if (error.code !== "ETIMEDOUT") assert.notEqual(error.cause, undefined, `${what}: no cause`);
    return error;
  }

  /** Asserts the server still completes a pinned TLS round trip. */
  async function stillServes(server: TcpServer): Promise<void> {
    await using conn = await a.connect({ port: server.addr.port, tls: { ca: certs.pinned.cert } });
    assert.equal(await within(request(conn, "still here"), 5000, "echo"), "still here");
    assert.ok(await stillPending(server.closed, 20), "the server is still open");
  }

  describe(`${a.name} adapter: TLS`, () => {
    it("pins a self-signed certificate; both ends see what the session offers", async () => {
      let serverSide: TcpConnection | undefined;
      let served: Uint8Array | undefined;
      await using server = await a.listen({ tls: pinned }, (conn) => {
        serverSide = conn;
        served = tlsExporter(conn); // while it is open
        return echoHandler(conn);
      });
      await using conn = await a.connect({
        port: server.addr.port,
        tls: { ca: certs.pinned.cert },
      });
      const mine = tlsExporter(conn);
      const other = conn.tls?.exporter?.("EXPORTER-other", 32);
      assert.equal(await within(request(conn, "pinned"), 5000, "echo"), "pinned");
      const client = conn.tls;
      const server_ = serverSide?.tls;
      assert.ok(client && server_, "both ends are TLS");
      assert.equal(client.protocol, "TLSv1.3");
      assert.equal(server_.protocol, "TLSv1.3");
      assert.deepEqual(client.peerCertificate, der(certs.pinned.cert));
      assert.equal(client.localCertificate, undefined);
      assert.deepEqual(server_.localCertificate, der(certs.pinned.cert));
      assert.equal(server_.peerCertificate, undefined);
      const exporter = hasExporter() ? "function" : "undefined";
      assert.equal(typeof client.exporter, exporter);
      assert.equal(typeof server_.exporter, exporter);
      if (hasExporter()) {
        assert.equal(mine?.length, 32);
        assert.deepEqual(mine, served, "both ends export the same channel binding");
        assert.notDeepEqual(other, mine, "the label matters");
        await within(conn.closed, 5000, "closed");
        assert.throws(() => client.exporter!("EXPORTER-other", 32), ConnectionClosedError);
      } else {
        assert.equal(mine ?? served, undefined);
      }
      await using plain = await a.listen({}, echoHandler);
      await using plainConn = await a.connect({ port: plain.addr.port });
      assert.equal(plainConn.tls, undefined);
    });

    it("trusts a certificate through its CA, by IP and by name, from PEM bytes too", async () => {
      const signed = { cert: certs.signed.cert, key: certs.signed.key };
      await using server = await a.listen({ tls: signed }, echoHandler);
      const port = server.addr.port;
      const ca = new TextEncoder().encode(certs.ca.cert);
      for (const tls of [{ ca }, { ca: [ca], serverName: "localhost" }]) {
        await using conn = await a.connect({ port, tls });
        assert.equal(await within(request(conn, "by CA"), 5000, "echo"), "by CA");
      }
      const bytesPem = new TextEncoder();
      await using fromBytes = await a.listen({
        tls: { cert: bytesPem.encode(pinned.cert), key: bytesPem.encode(pinned.key) },
      }, echoHandler);
      await using conn = await a.connect({
        port: fromBytes.addr.port,
        tls: { ca: bytesPem.encode(certs.pinned.cert) },
      });
      assert.equal(await within(request(conn, "bytes"), 5000, "echo"), "bytes");
    });

    it("refuses another certificate, the default store, a wrong name; serves on", async () => {
      const reported: NetworkError[] = [];
      await using server = await a.listen(
        { tls: pinned, onAcceptError: (e) => reported.push(e) },
        echoHandler,
      );
      const port = server.addr.port;
      const other = await refused(a.connect({ port, tls: { ca: certs.other.cert } }), "other pin");
      assert.match(
        other.message,
        new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${port} failed: `),
      );
      await refused(a.connect({ port, tls: { ca: certs.ca.cert } }), "a CA that did not sign it");
      await refused(a.connect({ port, tls: {} }), "the default store");
      const name = await refused(
        a.connect({ port, tls: { ca: certs.pinned.cert, serverName: "example.com" } }),
        "a wrong name",
      );
      assert.match(String(name.code), /ALTNAME|HOSTNAME/);
      await stillServes(server);

      await using localhost = await a.listen({
        tls: { cert: certs.localhostOnly.cert, key: certs.localhostOnly.key },
      }, echoHandler);
      const tls = { ca: certs.localhostOnly.cert };
      await refused(a.connect({ port: localhost.addr.port, tls }), "an IP the certificate lacks");
      await using byName = await a.connect({
        port: localhost.addr.port,
        tls: { ...tls, serverName: "localhost" },
      });
      assert.equal(await within(request(byName, "by name"), 5000, "echo"), "by name");
    });

    it("a plaintext client on a TLS port costs one reported error each; the server serves on", async () => {
      const reported: NetworkError[] = [];
      let handled = 0;
      await using server = await a.listen(
        { tls: pinned, onAcceptError: (e) => reported.push(e) },
        (conn) => {
          handled++;
          return echoHandler(conn);
        },
      );
      const clients = await Promise.all(
        Array.from({ length: 20 }, () => a.connect({ port: server.addr.port })),
      );
      await Promise.all(clients.map((c, i) => c.write(bytes(`GET /${i} HTTP/1.0\r\n\r\n`))));
      await within(Promise.all(clients.map(closedByPeer)), 10_000, "plaintext clients closed");
      assert.ok(await eventually(() => reported.length === 20, 5000), `${reported.length} reports`);
      for (const e of reported) assert.ok(e instanceof TlsError && e.cause, String(e));
      assert.equal(handled, 0, "no plaintext connection reaches the handler");
      await stillServes(server);
      assert.equal(reported.length, 20);
    });

    it("a TLS client on a plaintext port fails with TlsError in bounded time", async () => {
      await using echo = await a.listen({}, echoHandler);
      await refused(
        a.connect({ port: echo.addr.port, tls: { ca: certs.pinned.cert } }),
        "TLS to a plaintext echo",
      );
      const silent = new Set<TcpConnection>();
      await using mute = await a.listen({}, (conn) => {
        silent.add(conn);
        return readAll(conn).then(() => conn.close());
      });
      const port = mute.addr.port;
      const timedOut = await refused(
        a.connect({ port, tls: { ca: certs.pinned.cert, handshakeTimeoutMs: 300 } }),
        "TLS to a silent plaintext server",
      );
      assert.equal(timedOut.code, "ETIMEDOUT");
      assert.match(timedOut.message, /timed out after 300 ms/);
      const controller = new AbortController();
      const aborted = a.connect({
        port,
        signal: controller.signal,
        tls: { ca: certs.pinned.cert },
      });
      await eventually(() => silent.size === 2, 5000);
      controller.abort();
      await assert.rejects(within(aborted, 5000, "aborted handshake"), { name: "AbortError" });
      for (const conn of silent) await within(conn.closed, 5000, "the client let go");
    });

    it("closes a handshake that stalls past handshakeTimeoutMs, and reports it", async () => {
      const reported: NetworkError[] = [];
      await using server = await a.listen(
        { tls: { ...pinned, handshakeTimeoutMs: 300 }, onAcceptError: (e) => reported.push(e) },
        echoHandler,
      );
      const stalled = await a.connect({ port: server.addr.port });
      const closed = closedByPeer(stalled);
      assert.ok(await stillPending(closed, 100), "not closed before its deadline");
      await within(closed, 5000, "the stalled handshake is closed");
      assert.ok(await eventually(() => reported.length === 1, 2000), `${reported.length} reports`);
      assert.ok(reported[0] instanceof TlsError, String(reported[0]));
      assert.equal(reported[0].code, "ETIMEDOUT");
      await stillServes(server);
    });

    it("keeps at most maxPendingHandshakes, dropping the oldest; honest clients get through", async () => {
      const reported: NetworkError[] = [];
      await using server = await a.listen({
        tls: { ...pinned, maxPendingHandshakes: 5, handshakeTimeoutMs: 60_000 },
        onAcceptError: (e) => reported.push(e),
      }, echoHandler);
      const stalled: TcpConnection[] = [];
      const closed: Promise<unknown>[] = [];
      const ended = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const conn = await a.connect({ port: server.addr.port });
        stalled.push(conn);
        closed.push(closedByPeer(conn).then(() => ended.add(i)));
      }
      assert.ok(await eventually(() => ended.size >= 15, 10_000), `${ended.size} dropped of 20`);
      // The oldest went first: the last five are the ones still waiting.
      for (let i = 0; i < 15; i++) assert.ok(ended.has(i), `stalled client ${i} still open`);
      await stillServes(server);
      assert.ok(reported.length >= 15 && reported.every((e) => e instanceof TlsError));
      assert.match(reported[0].message, /^TLS handshake dropped: 5 handshakes were pending/);
      await server.close();
      await within(Promise.all(closed), 5000, "closing the server ends the pending handshakes");
    });

    it("refuses bad credentials and options with TypeError or RangeError", async () => {
      const cases: [string, () => Promise<unknown>, new (...args: never[]) => Error][] = [
        [
          "cert not PEM",
          () => a.listen({ tls: { ...pinned, cert: "nonsense" } }, () => {}),
          TypeError,
        ],
        [
          "DER",
          () => a.listen({ tls: { ...pinned, cert: der(pinned.cert) } }, () => {}),
          TypeError,
        ],
        [
          "key of another",
          () => a.listen({ tls: { ...pinned, key: certs.other.key } }, () => {}),
          TypeError,
        ],
        [
          "a key as cert",
          () => a.listen({ tls: { cert: pinned.key, key: pinned.key } }, () => {}),
          TypeError,
        ],
        [
          "timeout 0",
          () => a.listen({ tls: { ...pinned, handshakeTimeoutMs: 0 } }, () => {}),
          RangeError,
        ],
        [
          "pending 1.5",
          () => a.listen({ tls: { ...pinned, maxPendingHandshakes: 1.5 } }, () => {}),
          RangeError,
        ],
        ["ca not PEM", () => a.connect({ port: 1, tls: { ca: "nonsense" } }), TypeError],
        ["empty name", () => a.connect({ port: 1, tls: { serverName: "" } }), TypeError],
      ];
      for (const [what, call, type] of cases) {
        const error = await within(call().then((r) => r, (e) => e), 5000, what);
        if (!(error instanceof Error)) (error as { close(): void }).close();
        assert.ok(error instanceof type, `${what}: ${error}`);
      }
    });
  });
}

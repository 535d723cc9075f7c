// The echo service over TLS, as a library: a round trip with a pinned certificate and through a
// CA, a client nobody here wrote (Python's ssl module), a plaintext client on the TLS port and a
// TLS client on the plaintext port (each fails in bounded time, costs the server one report, and
// the server goes on serving).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  connectEcho,
  type EchoServer,
  type NetworkError,
  serveEcho,
  TlsError,
} from "../../../mod.ts";
import { projectPath } from "../../_helpers/paths.ts";
import { runPython } from "../../_helpers/python.ts";
import { within } from "../../runtime/helpers.ts";
import { pin, serveWith, testCerts } from "../_tls.ts";

const certs = testCerts();
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe("echo over TLS", () => {
  let server: EchoServer;
  const reports: NetworkError[] = [];
  const errors: Error[] = [];
  before(async () => {
    server = await serveEcho({
      port: 0,
      upper: true,
      tls: serveWith(certs.pinned, { handshakeTimeoutMs: 500 }),
      onAcceptError: (e) => reports.push(e),
      onError: (e) => errors.push(e),
    });
  });
  after(() => within(server.close(), 5_000, "server close"));

  async function stillServes(): Promise<void> {
    await using client = await connectEcho({ port: server.addr.port, tls: pin(certs.pinned) });
    assert.equal(text(await client.request(utf8("still"))), "STILL");
  }

  it("echoes frames, pipelined and large, for a client pinning the certificate", async () => {
    await using client = await connectEcho({ port: server.addr.port, tls: pin(certs.pinned) });
    const big = new Uint8Array(5 * 1024 * 1024).fill(0x61);
    const replies = await Promise.all([
      client.request(utf8("hi")),
      client.request(new Uint8Array(0)),
      client.request(big),
    ]);
    assert.equal(text(replies[0]), "HI");
    assert.equal(replies[1].length, 0);
    assert.deepEqual(replies[2], big.fill(0x41));
  });

  it("echoes for a client trusting the CA, by name (the CA-signed certificate)", async () => {
    await using ca = await serveEcho({ port: 0, tls: serveWith(certs.signed) });
    await using client = await connectEcho({
      port: ca.addr.port,
      tls: pin(certs.ca, { serverName: "localhost" }),
    });
    assert.equal(text(await client.request(utf8("via CA"))), "via CA");
  });

  it("refuses a client that does not trust the certificate: one report each, nothing else", async () => {
    const reported = reports.length;
    for (const tls of [pin(certs.other), pin(certs.pinned, { serverName: "example.com" })]) {
      await assert.rejects(connectEcho({ port: server.addr.port, tls }), TlsError);
    }
    await until(() => reports.length >= reported + 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reports.length, reported + 2);
    assert.ok(reports.slice(reported).every((e) => e instanceof TlsError));
    assert.deepEqual(errors, []);
    await stillServes();
  });

  it("a plaintext client on the TLS port fails in bounded time; one report", async () => {
    const reported = reports.length;
    await using client = await connectEcho({ port: server.addr.port });
    await assert.rejects(within(client.request(utf8("plain")), 5_000, "the plaintext request"));
    await until(() => reports.length >= reported + 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reports.length, reported + 1);
    assert.ok(reports[reported] instanceof TlsError);
    await stillServes();
  });
});

describe("echo: Python's ssl module against a TLS echo server", () => {
  it("gets every frame back over TLS 1.3 from the pinned certificate", async () => {
    await using server = await serveEcho({ port: 0, tls: serveWith(certs.pinned) });
    const r = await runPython([
      projectPath("tests/python/echo_tls_client.py"),
      String(server.addr.port),
      certs.pinned.certFile,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { protocol: "TLSv1.3", pinned: true, frames: 103 });
  });
});

describe("echo: a TLS client on a plaintext port", () => {
  it("fails at once with TlsError; the server closes that connection and goes on", async () => {
    const errors: Error[] = [];
    await using server = await serveEcho({ port: 0, onError: (e) => errors.push(e) });
    await assert.rejects(
      within(connectEcho({ port: server.addr.port, tls: pin(certs.pinned) }), 5_000, "connect"),
      TlsError,
    );
    await until(() => errors.length >= 1);
    assert.equal(errors.length, 1);
    await using client = await connectEcho({ port: server.addr.port });
    assert.equal(text(await client.request(utf8("plain"))), "plain");
  });
});

// The exec service over TLS, as a library: a pinned self-signed certificate or a CA, the binding
// each end agrees on in this runtime, a certificate or CA the client does not trust (nothing
// runs), a plaintext client on the TLS port and a TLS client on the plaintext port (each fails in
// bounded time, costs the server one report, and the server goes on serving), and the refusal of
// plaintext beyond loopback.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ExecAuthError,
  ExecClient,
  type ExecServer,
  type ExecServerEvent,
  type NetworkError,
  TlsError,
} from "../../../mod.ts";
import { refusesPlaintext } from "../../../src/services/mod.ts";
import { collect, startServer, TOKEN, within } from "./_helpers.ts";
import { expectedBinding, nonLoopbackAddress, pin, serveWith, testCerts } from "../_tls.ts";

const certs = testCerts();

function connectTo(server: ExecServer, tls = pin(certs.pinned), timeoutMs = 5_000) {
  return within(
    ExecClient.connect({ token: TOKEN, port: server.addr.port, tls, timeoutMs }),
    timeoutMs + 5_000,
    "connect",
  );
}

describe("exec over TLS", () => {
  let server: ExecServer;
  const events: ExecServerEvent[] = [];
  const reports: NetworkError[] = [];
  before(async () => {
    server = await startServer({
      tls: serveWith(certs.pinned, { handshakeTimeoutMs: 500 }),
      onEvent: (e) => events.push(e),
      onAcceptError: (e) => reports.push(e),
    });
  });
  after(() => within(server.close(), 5_000, "server close"));

  /** The server still runs commands for an honest TLS client. */
  async function stillServes(): Promise<void> {
    await using client = await connectTo(server);
    assert.equal((await collect(client, { argv: ["echo", "still"] })).text, "still\n");
  }

  it("runs a command for a client pinning the server's self-signed certificate", async () => {
    await using client = await connectTo(server);
    assert.equal(client.binding, expectedBinding());
    const r = await collect(client, { argv: ["sh", "-c", "echo out; echo err >&2; exit 4"] });
    assert.deepEqual([r.text, r.errText, r.result.code], ["out\n", "err\n", 4]);
    const ran = events.find((e) => e.kind === "command");
    assert.equal(ran?.kind === "command" && ran.binding, expectedBinding());
  });

  it("carries stdin and large output exactly", async () => {
    await using client = await connectTo(server);
    const input = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const r = await collect(client, { argv: ["cat"], stdin: input });
    assert.equal(r.result.code, 0);
    assert.deepEqual(r.stdout, input);
  });

  /** Waits (bounded) until the server has made `n` reports in all. */
  async function reportsReach(n: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (reports.length < n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("refuses a certificate the client does not trust, or another name: nothing runs", async () => {
    const before = events.length;
    const reported = reports.length;
    const wrong = [
      pin(certs.other),
      pin(certs.ca),
      pin(certs.pinned, { serverName: "example.com" }),
    ];
    for (const tls of wrong) {
      await assert.rejects(connectTo(server, tls), (err: unknown) => {
        assert.ok(err instanceof TlsError, String(err));
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    }
    assert.deepEqual(events.slice(before), [], "the server heard of an exec session");
    // Each refusing client costs the server one report (one log line), nothing more.
    await reportsReach(reported + wrong.length);
    assert.equal(reports.length, reported + wrong.length);
    assert.ok(reports.slice(reported).every((e) => e instanceof TlsError));
    await stillServes();
  });

  it("a plaintext client on the TLS port fails in bounded time; the server reports it once", async () => {
    const reported = reports.length;
    await assert.rejects(
      within(
        ExecClient.connect({ token: TOKEN, port: server.addr.port, timeoutMs: 300 }),
        5_000,
        "c",
      ),
      (err: unknown) => {
        assert.ok(err instanceof ExecAuthError, String(err));
        assert.match(err.message, /within 300 ms \(is it a TLS server\? then connect with tls\)/);
        return true;
      },
    );
    // The server reports the failed handshake once: its deadline, or the client leaving first.
    await reportsReach(reported + 1);
    await new Promise((r) => setTimeout(r, 100)); // and makes no second report
    assert.equal(reports.length, reported + 1);
    assert.ok(reports[reported] instanceof TlsError);
    await stillServes();
  });
});

describe("exec: a TLS client on a plaintext port", () => {
  let server: ExecServer;
  const events: ExecServerEvent[] = [];
  before(async () => (server = await startServer({ onEvent: (e) => events.push(e) })));
  after(() => within(server.close(), 5_000, "server close"));

  it("fails at once with TlsError; the server logs one rejected connection and goes on", async () => {
    await assert.rejects(connectTo(server), TlsError);
    const deadline = Date.now() + 5_000;
    while (events.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(events.length, 1);
    assert.equal(events[0].kind, "rejected");
    await using client = await within(
      ExecClient.connect({ token: TOKEN, port: server.addr.port }),
      5_000,
      "connect",
    );
    assert.equal(client.binding, "none");
    assert.equal((await collect(client, { argv: ["true"] })).result.code, 0);
  });
});

describe("exec: plaintext beyond loopback", () => {
  it("is refused unless TLS or insecurePlaintext (the one rule, by address as written)", () => {
    const cases: [string, boolean][] = [
      ["127.0.0.1", false],
      ["127.0.0.2", false],
      ["localhost", false],
      ["::1", false],
      ["::ffff:127.0.0.1", false],
      ["0.0.0.0", true],
      ["::", true],
      ["198.51.100.1", true],
      ["myhost", true],
    ];
    for (const [host, refused] of cases) {
      assert.equal(refusesPlaintext(host, {}), refused, host);
      assert.equal(refusesPlaintext(host, { tls: {} }), false, `${host} with TLS`);
      assert.equal(refusesPlaintext(host, { insecurePlaintext: true }), false, `${host} insecure`);
    }
  });

  it("serveExec refuses to listen on 0.0.0.0 or :: without TLS, before binding anything", async () => {
    for (const hostname of ["0.0.0.0", "::"]) {
      await assert.rejects(
        startServer({ hostname }),
        /exec refuses to listen on .* without TLS: .*pass tls, or insecurePlaintext: true/,
      );
    }
  });

  it("ExecClient.connect refuses a host beyond loopback without TLS, before connecting", async () => {
    // 198.51.100.1 (TEST-NET-2) is never reached: the refusal comes first.
    await assert.rejects(
      within(ExecClient.connect({ token: TOKEN, hostname: "198.51.100.1", port: 1 }), 1_000, "c"),
      /exec refuses to connect to 198\.51\.100\.1 without TLS/,
    );
  });

  const address = nonLoopbackAddress();
  it(
    "serves and connects beyond loopback with TLS, or with insecurePlaintext",
    { skip: address === undefined && "this machine has no non-loopback IPv4 address" },
    async () => {
      for (const mode of ["tls", "insecure"] as const) {
        const tls = mode === "tls" ? serveWith(certs.pinned) : undefined;
        const insecurePlaintext = mode === "insecure";
        await using server = await startServer({ hostname: address, tls, insecurePlaintext });
        await using client = await within(
          ExecClient.connect({
            token: TOKEN,
            hostname: address,
            port: server.addr.port,
            tls: tls && pin(certs.pinned, { serverName: "localhost" }),
            insecurePlaintext,
          }),
          5_000,
          "connect",
        );
        assert.equal((await collect(client, { argv: ["echo", mode] })).text, `${mode}\n`);
      }
    },
  );
});

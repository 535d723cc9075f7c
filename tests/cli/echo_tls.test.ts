// `unstuck echo serve --tls-cert/--tls-key` and `unstuck echo send --tls-ca` as processes: a
// round trip over TLS with the pinned certificate, one stderr line for a client that fails its
// handshake (a plaintext one, one that refuses the certificate) while the server goes on, the
// TLS flags refused with --udp, and `openssl s_client` seeing TLS 1.3 and the certificate.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { killAll, runCli, type Running, startCli, startServer } from "../_helpers/cli.ts";
import { testCerts } from "../services/_tls.ts";
import { assertSClientSees, oneNewStderrLine } from "./_tls.ts";

const certs = testCerts();
after(killAll);

describe("unstuck echo over TLS (CLI)", () => {
  let server: Running;
  let port: string;
  before(async () => {
    const started = await startServer(
      [],
      startCli([
        "echo",
        "serve",
        "--port",
        "0",
        "--upper",
        "--tls-cert",
        certs.pinned.certFile,
        "--tls-key",
        certs.pinned.keyFile,
        // A Node server hears of a client that refused its certificate only at this deadline.
        "--tls-handshake-timeout",
        "1",
      ]),
    );
    server = started.proc;
    port = String(started.port);
  });
  after(async () => {
    server.signal("SIGTERM");
    assert.equal((await server.wait()).code, 0);
  });

  it("announces tls:// and echoes for a client pinning the certificate", async () => {
    assert.match(server.stdout, /^listening on tls:\/\/127\.0\.0\.1:\d+\n/);
    const r = await runCli([
      "echo",
      "send",
      "--port",
      port,
      "--tls-ca",
      certs.pinned.certFile,
      "hi",
      "there",
    ]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "HI\nTHERE\n");
    assert.equal(r.code, 0);
  });

  it("a client refusing the certificate fails with one line; the server writes one", async () => {
    const before = server.stderr.length;
    const r = await runCli(["echo", "send", "--port", port, "--tls-ca", certs.other.certFile, "x"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^unstuck echo send: error: TLS handshake with 127\.0\.0\.1:\d+ failed: [^\n]+\n$/,
    );
    const line = await oneNewStderrLine(server, before);
    assert.match(line, /^echo serve: TlsError: TLS handshake with 127\.0\.0\.1:\d+/);
  });

  it("a plaintext client costs the server one line, and fails in bounded time", async () => {
    const before = server.stderr.length;
    const r = await runCli(["echo", "send", "--port", port, "--timeout", "2", "plain"]);
    assert.notEqual(r.code, 0);
    assert.match(await oneNewStderrLine(server, before), /^echo serve: TlsError: /);
    const again = await runCli([
      "echo",
      "send",
      "--port",
      port,
      "--tls-ca",
      certs.pinned.certFile,
      "ok",
    ]);
    assert.equal(again.stdout, "OK\n");
  });

  it("shows openssl s_client TLS 1.3 and the server's certificate", () => {
    assertSClientSees(Number(port), certs.pinned);
  });
});

describe("unstuck echo: TLS flags (CLI)", () => {
  it("refuses them with --udp, and --tls-cert without --tls-key", async () => {
    const cases = [
      [
        "echo",
        "serve",
        "--udp",
        "--tls-cert",
        certs.pinned.certFile,
        "--tls-key",
        certs.pinned.keyFile,
      ],
      ["echo", "send", "--udp", "--tls", "x"],
      ["echo", "serve", "--tls-cert", certs.pinned.certFile],
      ["echo", "serve", "--tls-cert", "/nonexistent.pem", "--tls-key", certs.pinned.keyFile],
      ["echo", "serve", "--tls-handshake-timeout", "5"],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.split("\n").length, 2, r.stderr);
    }
  });
});

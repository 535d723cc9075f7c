// Python clients against the exec server: the version 2 client of tests/python/exec_client.py
// (written from docs/PROTOCOL.md alone) over TLS with Python's ssl module, which has no exporter,
// so it binds the server's certificate even where the server offers the exporter; and the
// version 1 client (a fixture), which must be told clearly that the versions do not meet.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecServer, ExecServerEvent } from "../../../mod.ts";
import { projectPath } from "../../_helpers/paths.ts";
import { type PythonResult, runPython } from "../../_helpers/python.ts";
import { startServer, tempDir, TOKEN, within } from "./_helpers.ts";
import { serveWith, testCerts } from "../_tls.ts";

const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
after(() => tmp.remove());
const certs = testCerts();

function python(script: string, port: number, args: string[]): Promise<PythonResult> {
  return runPython([
    projectPath(script),
    "--port",
    String(port),
    "--token-file",
    tokenFile,
    ...args,
  ]);
}

const V2 = "tests/python/exec_client.py";
const V1 = "tests/fixtures/exec/exec_client_v1.py";

describe("python3 exec client v2 over TLS (ssl module)", () => {
  let server: ExecServer;
  const events: ExecServerEvent[] = [];
  before(async () => {
    // A short TLS handshake deadline: the plaintext client below waits for it.
    const tls = serveWith(certs.pinned, { handshakeTimeoutMs: 1_000 });
    server = await startServer({ tls, onEvent: (e) => events.push(e) });
  });
  after(() => within(server.close(), 5_000, "server close"));

  it("runs a command, pinning the certificate, bound to it", async () => {
    const r = await python(V2, server.addr.port, [
      "--tls-ca",
      certs.pinned.certFile,
      "--show-binding",
      "--",
      "sh",
      "-c",
      "echo hi; exit 3",
    ]);
    assert.equal(r.stdout, "hi\n");
    assert.equal(r.stderr, "binding: tls-server-cert\n");
    assert.equal(r.status, 3);
    // The server offered the exporter where it has one; the client took what it can compute.
    const ran = events.find((e) => e.kind === "command");
    assert.equal(ran?.kind === "command" && ran.binding, "tls-server-cert");
  });

  it("exits 255 for a certificate it does not trust, and nothing runs", async () => {
    const marker = join(tmp.dir, "python-wrong-ca");
    const r = await python(V2, server.addr.port, [
      "--tls-ca",
      certs.other.certFile,
      "--",
      "touch",
      marker,
    ]);
    assert.equal(r.status, 255);
    assert.match(r.stderr, /^exec_client: .*CERTIFICATE_VERIFY_FAILED.*\n$/);
    assert.equal(existsSync(marker), false);
  });

  it("exits 255 speaking plaintext to the TLS port (at the server's TLS deadline)", async () => {
    const r = await python(V2, server.addr.port, ["--", "true"]);
    assert.equal(r.status, 255);
  });
});

describe("python3 exec client v1 (a fixture) against a v2 server", () => {
  let server: ExecServer;
  const events: ExecServerEvent[] = [];
  before(async () => (server = await startServer({ onEvent: (e) => events.push(e) })));
  after(() => within(server.close(), 5_000, "server close"));

  it("stops at the hello, naming the version the server speaks; nothing runs", async () => {
    const marker = join(tmp.dir, "v1-marker");
    const r = await python(V1, server.addr.port, ["--", "touch", marker]);
    assert.equal(r.status, 255);
    assert.match(r.stderr, /unexpected greeting .*'protocol': 'unstuck-exec\/2'/);
    assert.equal(existsSync(marker), false);
    assert.deepEqual(events.filter((e) => e.kind === "command"), []);
  });
});

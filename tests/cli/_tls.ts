// What the CLI TLS tests share: `openssl s_client` against a port (its stdin closed at once, so
// it prints the handshake and the certificate and leaves), and what it must show; the one line a
// server writes about a client.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { Running } from "../_helpers/cli.ts";

/** Runs `openssl s_client` against 127.0.0.1:`port` trusting `caFile`; returns what it printed. */
function sClient(port: number, caFile: string): { code: number | null; text: string } {
  const r = spawnSync("openssl", [
    "s_client",
    "-connect",
    `127.0.0.1:${port}`,
    "-CAfile",
    caFile,
    "-verify_return_error",
  ], { input: "", encoding: "utf8", timeout: 20_000 });
  return { code: r.status, text: `${r.stdout}${r.stderr}` };
}

/** The base64 body of the first PEM certificate in `text`, without line breaks. */
function pemBody(text: string): string {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return (m?.[1] ?? "").replace(/\s+/g, "");
}

/**
 * `openssl s_client`, trusting only `cert` (its PEM file `certFile`), completes a TLS 1.3
 * handshake with 127.0.0.1:`port`, verifies it, and was shown exactly that certificate.
 */
export function assertSClientSees(port: number, cert: { cert: string; certFile: string }): void {
  const s = sClient(port, cert.certFile);
  assert.equal(s.code, 0, s.text);
  assert.match(s.text, /New, TLSv1\.3, Cipher is TLS_/);
  assert.match(s.text, /Verify return code: 0 \(ok\)/);
  assert.equal(pemBody(s.text), pemBody(cert.cert));
}

/**
 * Waits for what `server` writes to stderr past offset `from` (its length before the client
 * came), gives it 200 ms more to write a second line it must not, and returns its one line.
 */
export async function oneNewStderrLine(server: Running, from: number): Promise<string> {
  await server.until((_o, err) => err.length > from, "the server's line");
  await new Promise((r) => setTimeout(r, 200));
  const lines = server.stderr.slice(from).split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, lines.join("\n"));
  return lines[0];
}

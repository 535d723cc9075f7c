// What the CLI TLS tests share: `openssl s_client` against a port (its stdin closed at once, so
// it prints the handshake and the certificate and leaves), and the PEM body of a certificate.
import { spawnSync } from "node:child_process";

/** Runs `openssl s_client` against 127.0.0.1:`port` trusting `caFile`; returns what it printed. */
export function sClient(port: number, caFile: string): { code: number | null; text: string } {
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
export function pemBody(text: string): string {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return (m?.[1] ?? "").replace(/\s+/g, "");
}

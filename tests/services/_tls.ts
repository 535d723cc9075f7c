// TLS fixtures of the service tests: the certificates of tests/runtime/tls_certs.ts (made at run
// time with openssl, removed at exit), a server's options for one of them, a client's options
// pinning one, whether this runtime's TLS has an exporter (docs/RUNTIME.md), and the machine's
// first non-loopback IPv4 address, if it has one.
import { networkInterfaces } from "node:os";
import type { TlsClientOptions, TlsServerOptions } from "../../mod.ts";
import { type CertAndKey, testCerts } from "../runtime/tls_certs.ts";
import { hasExporter } from "../runtime/tls_helpers.ts";

export { hasExporter, testCerts };
export type { CertAndKey };

/** A server's TLS options for `c` (certificate and key), with `more` limits. */
export function serveWith(
  c: CertAndKey,
  more: Omit<TlsServerOptions, "cert" | "key"> = {},
): TlsServerOptions {
  return { cert: c.cert, key: c.key, ...more };
}

/** A client's TLS options that trust `c` alone (pinning it). */
export function pin(c: CertAndKey, more: Omit<TlsClientOptions, "ca"> = {}): TlsClientOptions {
  return { ca: c.cert, ...more };
}

/** The binding unstuck's client and server agree on in this runtime, over TLS 1.3. */
export function expectedBinding(): "tls-exporter" | "tls-server-cert" {
  return hasExporter() ? "tls-exporter" : "tls-server-cert";
}

/** This machine's first non-loopback IPv4 address, or undefined (then: skip, saying why). */
export function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === "IPv4" && !a.internal && !a.address.startsWith("169.254.")) {
        return a.address;
      }
    }
  }
  return undefined;
}

// Helpers of the TLS tests: an adapter whose every listen and connect speaks TLS (the conformance
// suite's TCP cases run over it), and which runtimes offer an exporter (the table of
// docs/RUNTIME.md, which the tests hold the adapters to).
import type { Adapter, TlsClientOptions } from "../../src/runtime/types.ts";
import { detectRuntime } from "../../src/runtime/adapter.ts";
import type { TestCerts } from "./tls_certs.ts";

/**
 * `a`, with every server serving the pinned self-signed certificate and every client trusting
 * only it (unless a call passes `tls` options of its own, which win).
 */
export function overTls(
  a: Adapter,
  certs: TestCerts,
  client: TlsClientOptions = { ca: certs.pinned.cert },
): Adapter {
  const server = { cert: certs.pinned.cert, key: certs.pinned.key };
  return {
    name: a.name,
    listen: (options, handler) =>
      a.listen({ ...options, tls: { ...server, ...options.tls } }, handler),
    connect: (options) => a.connect({ ...options, tls: { ...client, ...options.tls } }),
    bindDatagram: (options) => a.bindDatagram(options),
    spawn: (options) => a.spawn(options),
  };
}

/**
 * Whether TLS connections of this runtime have an RFC 5705 exporter, in every adapter and on
 * both sides: Node's and Bun's do; Deno's node:tls (what the deno adapter's TLS is too) does not.
 */
export function hasExporter(): boolean {
  return detectRuntime() !== "deno";
}

/**
 * What every adapter's TLS has in common: checking the options (PEM text, the names to verify,
 * the limits) the same way before any runtime call, the DER of a PEM certificate, and the
 * RFC 9266 `tls-exporter` channel binding.
 *
 * @module
 */
import type { Pem, TcpConnection, TlsClientOptions, TlsInfo, TlsServerOptions } from "../types.ts";
import { integerOption } from "../../framing/mod.ts";
import {
  ConnectionClosedError,
  errorCode,
  type NetworkError,
  TlsError,
  toNetworkError,
} from "../errors.ts";

/**
 * How long a TLS handshake may take, by default, before the connection is closed (`listen`) or
 * the connect fails (`connect`): `tls.handshakeTimeoutMs` changes it.
 *
 * @example
 * ```ts
 * import { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS } from "@unstuck/unstuck";
 * console.log(DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS); // 10000
 * ```
 */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * How many connections a TLS server lets be in their handshake at once, by default (one more
 * closes the oldest): `tls.maxPendingHandshakes` changes it.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_PENDING_HANDSHAKES } from "@unstuck/unstuck";
 * console.log(DEFAULT_MAX_PENDING_HANDSHAKES); // 1024
 * ```
 */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 1024;

/**
 * The RFC 9266 exporter label of the `tls-exporter` channel binding.
 *
 * @example
 * ```ts
 * import { connect, TLS_EXPORTER_LABEL, TLS_EXPORTER_LENGTH } from "@unstuck/unstuck";
 * const conn = await connect({ port: 8443, tls: { ca: "-----BEGIN CERTIFICATE-----…" } });
 * // What tlsExporter(conn) returns, where the runtime has an exporter:
 * console.log(conn.tls?.exporter?.(TLS_EXPORTER_LABEL, TLS_EXPORTER_LENGTH, new Uint8Array(0)));
 * conn.close();
 * ```
 */
export const TLS_EXPORTER_LABEL = "EXPORTER-Channel-Binding";

/**
 * The length of the `tls-exporter` channel binding, in bytes (RFC 9266).
 *
 * @example
 * ```ts
 * import { TLS_EXPORTER_LENGTH } from "@unstuck/unstuck";
 * console.log(TLS_EXPORTER_LENGTH); // 32
 * ```
 */
export const TLS_EXPORTER_LENGTH = 32;

/** A TLS server's options, checked: PEM text, our certificate's DER, the limits. */
export interface ServerTlsConfig {
  /** The certificate chain, PEM text. */
  cert: string;
  /** The private key, PEM text. */
  key: string;
  /** DER of the first certificate of `cert` (the server's own). */
  localCertificate: Uint8Array;
  /** Milliseconds a handshake may take. */
  handshakeTimeoutMs: number;
  /** Connections that may be in their handshake at once. */
  maxPendingHandshakes: number;
}

/** A TLS client's options, checked. */
export interface ClientTlsConfig {
  /** The only certificates to trust, one PEM block each; undefined: the default store. */
  ca: string[] | undefined;
  /** The name the server's certificate must carry. */
  serverName: string;
  /** `serverName` when it is a DNS name (SNI carries no IP literal, RFC 6066), else undefined. */
  sni: string | undefined;
  /** Milliseconds the handshake may take. */
  handshakeTimeoutMs: number;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * The PEM text of `pem` (bytes are decoded as UTF-8). Throws `TypeError` when it holds no PEM
 * block of a type `accept` allows (DER, or a key where a certificate belongs).
 */
function pemBlocks(pem: Pem, what: string, accept: (type: string) => boolean): string[] {
  if (typeof pem !== "string" && !(pem instanceof Uint8Array)) {
    throw new TypeError(`${what} must be PEM text (a string or its bytes)`);
  }
  const text = typeof pem === "string" ? pem : new TextDecoder().decode(pem);
  const blocks: string[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    if (accept(match[1])) blocks.push(match[0] + "\n");
  }
  if (blocks.length === 0) {
    throw new TypeError(`${what} holds no PEM block of the right type (-----BEGIN …-----)`);
  }
  return blocks;
}

const isCertificate = (type: string): boolean => type === "CERTIFICATE";

/**
 * The DER bytes of the first certificate in `pem`.
 *
 * @example
 * ```ts
 * import { certificateDer } from "./tls.ts";
 * const pem = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
 * console.log(certificateDer(pem)); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export function certificateDer(pem: Pem): Uint8Array {
  const block = pemBlocks(pem, "certificate", isCertificate)[0];
  const base64 = block.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const binary = atob(base64);
  const der = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) der[i] = binary.charCodeAt(i);
  return der;
}

/**
 * Checks a server's TLS options: `cert` must hold a certificate, `key` a private key that is not
 * encrypted (Deno cannot take a passphrase), both as PEM; the limits must be positive integers.
 * Throws `TypeError` or `RangeError`.
 *
 * @example
 * ```ts
 * import { serverTlsConfig } from "./tls.ts";
 * const cert = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
 * const key = "-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----\n";
 * console.log(serverTlsConfig({ cert, key }).handshakeTimeoutMs); // 10000
 * ```
 */
export function serverTlsConfig(options: TlsServerOptions): ServerTlsConfig {
  const cert = pemBlocks(options.cert, "tls.cert", isCertificate).join("");
  const key = pemBlocks(options.key, "tls.key", (type) => type.endsWith("PRIVATE KEY"));
  if (key.length !== 1) throw new TypeError("tls.key must hold exactly one private key");
  if (key[0].startsWith("-----BEGIN ENCRYPTED")) {
    throw new TypeError("tls.key is encrypted: pass the key without a passphrase");
  }
  return {
    cert,
    key: key[0],
    localCertificate: certificateDer(cert),
    handshakeTimeoutMs: integerOption(
      "tls.handshakeTimeoutMs",
      options.handshakeTimeoutMs,
      DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
      1,
    ),
    maxPendingHandshakes: integerOption(
      "tls.maxPendingHandshakes",
      options.maxPendingHandshakes,
      DEFAULT_MAX_PENDING_HANDSHAKES,
      1,
    ),
  };
}

/**
 * Checks a client's TLS options for a connection to `hostname`: each `ca` must hold at least one
 * certificate (as PEM); the name to verify is `serverName`, else `hostname`. Throws `TypeError`
 * or `RangeError`.
 *
 * @example
 * ```ts
 * import { clientTlsConfig } from "./tls.ts";
 * console.log(clientTlsConfig({}, "127.0.0.1")); // serverName "127.0.0.1", sni undefined, …
 * ```
 */
export function clientTlsConfig(options: TlsClientOptions, hostname: string): ClientTlsConfig {
  let ca: string[] | undefined;
  if (options.ca !== undefined) {
    const list = Array.isArray(options.ca) ? options.ca : [options.ca as Pem];
    ca = list.flatMap((pem) => pemBlocks(pem, "tls.ca", isCertificate));
    if (ca.length === 0) throw new TypeError("tls.ca holds no certificate");
  }
  const serverName = options.serverName ?? hostname;
  if (typeof serverName !== "string" || serverName === "") {
    throw new TypeError("tls.serverName must be a non-empty string");
  }
  return {
    ca,
    serverName,
    sni: isIpLiteral(serverName) ? undefined : serverName,
    handshakeTimeoutMs: integerOption(
      "tls.handshakeTimeoutMs",
      options.handshakeTimeoutMs,
      DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
      1,
    ),
  };
}

/** An IPv4 or IPv6 literal (a DNS name has no colon and does not end in a number). */
function isIpLiteral(name: string): boolean {
  return name.includes(":") || /^\d+\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * The RFC 9266 `tls-exporter` channel binding of a TLS 1.3 connection: 32 bytes exported with
 * the label `EXPORTER-Channel-Binding` and an empty context. Undefined for plaintext, for TLS
 * before 1.3 (RFC 9266 needs the extended master secret there, which no runtime reports), and
 * where the runtime has no exporter or does not say which version it negotiated (docs/RUNTIME.md).
 * Both ends of one connection get the same bytes; a relay between two TLS connections cannot
 * make them agree.
 *
 * @example
 * ```ts
 * import { connect, tlsExporter } from "@unstuck/unstuck";
 * const conn = await connect({ port: 8443, tls: { ca: "-----BEGIN CERTIFICATE-----…" } });
 * console.log(tlsExporter(conn)); // Uint8Array(32) […], or undefined
 * conn.close();
 * ```
 */
export function tlsExporter(conn: Pick<TcpConnection, "tls">): Uint8Array | undefined {
  const tls: TlsInfo | undefined = conn.tls;
  if (tls?.exporter === undefined || tls.protocol !== "TLSv1.3") return undefined;
  return tls.exporter(TLS_EXPORTER_LABEL, TLS_EXPORTER_LENGTH, new Uint8Array(0));
}

/**
 * The error for a certificate and key the runtime refused (not a certificate, a key that is not
 * the certificate's): a bad argument, so a `TypeError`, the runtime's error as `cause`.
 *
 * @example
 * ```ts
 * import { credentialsError } from "./tls.ts";
 * console.log(credentialsError(new Error("KeyMismatch")).message);
 * // "tls.cert and tls.key were refused: KeyMismatch"
 * ```
 */
export function credentialsError(cause: unknown): TypeError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TypeError(`tls.cert and tls.key were refused: ${detail}`, { cause });
}

/**
 * The error for a TLS listen that failed: an OS error (`EADDRINUSE`…) is the network's, as for
 * plain TCP; anything else is the runtime refusing the certificate or key.
 *
 * @example
 * ```ts
 * import { tlsListenError } from "./tls.ts";
 * const e = tlsListenError(Object.assign(new Error("in use"), { code: "EADDRINUSE" }), "x:1");
 * console.log(e.name); // "AddressInUseError"
 * ```
 */
export function tlsListenError(error: unknown, where: string): NetworkError | TypeError {
  const code = errorCode(error);
  if (code !== undefined && /^E[A-Z]+$/.test(code)) {
    return toNetworkError(error, `listen on ${where}`);
  }
  return credentialsError(error);
}

/** An RFC 5705 exporter as the runtimes have it: `(length, label, context)`. */
export type RuntimeExporter = (length: number, label: string, context?: Uint8Array) => Uint8Array;

/**
 * The `TlsInfo.exporter` over a runtime's exporter: the same answer in every runtime once the
 * connection is closed (Node throws, Bun returns nothing): `ConnectionClosedError`.
 *
 * @example
 * ```ts
 * import { exporterOf } from "./tls.ts";
 * const exporter = exporterOf((length) => new Uint8Array(length));
 * console.log(exporter("EXPORTER-Channel-Binding", 32).length); // 32
 * ```
 */
export function exporterOf(
  derive: RuntimeExporter,
): (label: string, length: number, context?: Uint8Array) => Uint8Array {
  return (label, length, context) => {
    let bytes: Uint8Array;
    try {
      // Bun's exporter refuses an explicit undefined context.
      bytes = context === undefined ? derive(length, label) : derive(length, label, context);
    } catch (cause) {
      throw new ConnectionClosedError("no keying material: the TLS session is closed", { cause });
    }
    // After the close, Bun's exporter returns nothing, or no bytes.
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      throw new ConnectionClosedError("no keying material: the TLS session is closed");
    }
    return new Uint8Array(bytes);
  };
}

/**
 * The error of a TLS handshake with `peer` that did not complete within `ms` milliseconds.
 *
 * @example
 * ```ts
 * import { handshakeTimeoutError } from "./tls.ts";
 * console.log(handshakeTimeoutError("127.0.0.1:8443", 10_000).code); // "ETIMEDOUT"
 * ```
 */
export function handshakeTimeoutError(peer: string, ms: number): TlsError {
  return new TlsError(`TLS handshake with ${peer} timed out after ${ms} ms`, { code: "ETIMEDOUT" });
}

/**
 * Settles as `pending` does, unless `ms` pass first: then `onTimeout()` runs (it should close
 * what is pending) and the result rejects with what it returns.
 *
 * @example
 * ```ts
 * import { withDeadline } from "./tls.ts";
 * const never = new Promise<void>(() => {});
 * await withDeadline(never, 10, () => new Error("too slow")).catch((e) => console.log(e.message));
 * ```
 */
export function withDeadline<T>(
  pending: Promise<T>,
  ms: number,
  onTimeout: () => unknown,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}

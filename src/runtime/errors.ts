/**
 * The errors the runtime adapters throw. Whatever a runtime threw (`Deno.errors.AddrInUse`, a
 * Node `Error` with `code: "EADDRINUSE"`, a Bun `SystemError`…) is mapped to one of these, with the
 * original kept as `cause`.
 *
 * @module
 */

/**
 * Base class of every network error from the adapters.
 *
 * @example Catch any network failure
 * ```ts
 * import { connect, NetworkError } from "@unstuck/unstuck";
 * try {
 *   const conn = await connect({ port: 1 });
 *   conn.close();
 * } catch (e) {
 *   if (!(e instanceof NetworkError)) throw e;
 *   console.log(e.name, e.message);
 * }
 * ```
 */
export class NetworkError extends Error {
  /** The OS error code when known, e.g. `"ECONNRESET"`. */
  readonly code: string | undefined;

  /** Creates the error; `code` defaults to the one found on `options.cause`, if any. */
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "NetworkError";
    this.code = options?.code ?? errorCode(options?.cause);
  }
}

/**
 * The connection is closed (by us, or by the peer) and cannot carry this operation.
 *
 * @example
 * ```ts
 * import { ConnectionClosedError, connect, listen } from "@unstuck/unstuck";
 * await using server = await listen({}, (c) => c.close());
 * const conn = await connect({ port: server.addr.port });
 * conn.close();
 * await conn.write(new Uint8Array(1)).catch((e) => console.log(e instanceof ConnectionClosedError));
 * ```
 */
export class ConnectionClosedError extends NetworkError {
  /** Creates the error. */
  constructor(message = "connection closed", options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.name = "ConnectionClosedError";
  }
}

/**
 * The peer reset the connection (ECONNRESET, EPIPE): it closed without reading what we sent.
 * A subclass of {@linkcode ConnectionClosedError}, so catching that catches this too.
 *
 * @example
 * ```ts
 * import { ConnectionResetError } from "@unstuck/unstuck";
 * const e = new ConnectionResetError();
 * console.log(e.name); // "ConnectionResetError"
 * ```
 */
export class ConnectionResetError extends ConnectionClosedError {
  /** Creates the error. */
  constructor(message = "connection reset by peer", options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.name = "ConnectionResetError";
  }
}

/**
 * Nothing listens at the address we tried to connect to (ECONNREFUSED).
 *
 * @example
 * ```ts
 * import { connect, ConnectionRefusedError } from "@unstuck/unstuck";
 * await connect({ port: 1 }).catch((e) => console.log(e instanceof ConnectionRefusedError));
 * ```
 */
export class ConnectionRefusedError extends NetworkError {
  /** Creates the error. */
  constructor(message = "connection refused", options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.name = "ConnectionRefusedError";
  }
}

/**
 * The address (host and port) is already bound by another socket (EADDRINUSE).
 *
 * @example
 * ```ts
 * import { AddressInUseError, listen } from "@unstuck/unstuck";
 * await using a = await listen({}, (c) => c.close());
 * await listen({ port: a.addr.port }, (c) => c.close())
 *   .catch((e) => console.log(e instanceof AddressInUseError));
 * ```
 */
export class AddressInUseError extends NetworkError {
  /** Creates the error. */
  constructor(message = "address already in use", options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.name = "AddressInUseError";
  }
}

/**
 * A TLS handshake failed or timed out, or the peer's certificate did not verify (untrusted,
 * wrong name, expired), or a TLS record was bad: the runtime's error is the `cause`, its code
 * (e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, `ERR_SSL_WRONG_VERSION_NUMBER`)
 * the `code` when it has one; `ETIMEDOUT` for a handshake that took too long.
 *
 * @example Connect to a server whose certificate is not the pinned one
 * ```ts
 * import { connect, TlsError } from "@unstuck/unstuck";
 * const pinned = "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n";
 * try {
 *   const conn = await connect({ port: 8443, tls: { ca: pinned } });
 *   conn.close();
 * } catch (e) {
 *   if (e instanceof TlsError) console.error(e.message); // names the runtime's reason
 * }
 * ```
 */
export class TlsError extends NetworkError {
  /** Creates the error. */
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.name = "TlsError";
  }
}

/**
 * A server's listening socket failed in a way that accepting again cannot cure (not one
 * connection's failure, which the server reports and survives): the server has closed. Its
 * `closed` promise rejects with this error; the runtime's error is the `cause`.
 *
 * @example Notice that a server stopped by itself
 * ```ts
 * import { listen, ListenerError } from "@unstuck/unstuck";
 * const server = await listen({ port: 0 }, (conn) => conn.close());
 * server.closed.catch((e) => {
 *   if (e instanceof ListenerError) console.error(e.message); // one line, then exit 1, say
 * });
 * await server.close(); // a close of ours resolves `closed`
 * ```
 */
export class ListenerError extends NetworkError {
  /** Creates the error for the listener at `addr` that failed with `cause`. */
  constructor(addr: { hostname: string; port: number }, cause: unknown) {
    const code = errorCode(cause);
    const detail = cause instanceof Error ? cause.message : String(cause);
    const where = `${addr.hostname}:${addr.port}`;
    super(`listener on ${where} failed, the server stopped${withCode(detail, code)}`, {
      cause,
      code,
    });
    this.name = "ListenerError";
  }
}

/**
 * A datagram larger than one UDP packet can carry (65,507 bytes over IPv4) was passed to `send`.
 *
 * @example
 * ```ts
 * import { bindDatagram, DatagramTooLargeError } from "@unstuck/unstuck";
 * await using sock = await bindDatagram({});
 * await sock.send(new Uint8Array(70_000), sock.addr)
 *   .catch((e) => console.log(e instanceof DatagramTooLargeError, e.size));
 * ```
 */
export class DatagramTooLargeError extends NetworkError {
  /** The size that was refused, in bytes. */
  readonly size: number;
  /** The largest size allowed, in bytes. */
  readonly limit: number;

  /** Creates the error for a datagram of `size` bytes against `limit`. */
  constructor(size: number, limit: number, options?: { cause?: unknown }) {
    super(`datagram of ${size} bytes exceeds the limit of ${limit} bytes`, {
      ...options,
      code: "EMSGSIZE",
    });
    this.name = "DatagramTooLargeError";
    this.size = size;
    this.limit = limit;
  }
}

/**
 * A subprocess could not be started (program not found, not executable, bad working directory).
 *
 * @example
 * ```ts
 * import { spawn, SpawnError } from "@unstuck/unstuck";
 * try {
 *   await spawn({ argv: ["/no/such/program"] });
 * } catch (e) {
 *   console.log(e instanceof SpawnError, (e as SpawnError).code); // true "ENOENT"
 * }
 * ```
 */
export class SpawnError extends Error {
  /** The OS error code when known, e.g. `"ENOENT"` or `"EACCES"`. */
  readonly code: string | undefined;

  /** Creates the error. */
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SpawnError";
    this.code = options?.code ?? errorCode(options?.cause);
  }
}

/**
 * A subprocess's stdin is closed (by us, or because the process exited), so it takes no more bytes.
 *
 * @example
 * ```ts
 * import { PipeClosedError, spawn } from "@unstuck/unstuck";
 * const proc = await spawn({ argv: ["true"], stdin: true });
 * await proc.closeStdin();
 * await proc.writeStdin(new Uint8Array(1)).catch((e) => console.log(e instanceof PipeClosedError));
 * await proc.status;
 * ```
 */
export class PipeClosedError extends Error {
  /** Creates the error. */
  constructor(message = "stdin is closed", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PipeClosedError";
  }
}

/**
 * An adapter was requested in a runtime that cannot run it (the `deno` adapter outside Deno, the
 * `bun` adapter outside Bun).
 *
 * @example
 * ```ts
 * import { getAdapter, UnsupportedRuntimeError } from "@unstuck/unstuck";
 * await getAdapter("bun").catch((e) => console.log(e instanceof UnsupportedRuntimeError));
 * ```
 */
export class UnsupportedRuntimeError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedRuntimeError";
  }
}

/**
 * The OS error code carried by an error from any runtime: Node's and Bun's `code`
 * (`"ECONNRESET"`), or Deno's error class name mapped to the same code.
 *
 * @example
 * ```ts
 * import { errorCode } from "./errors.ts";
 * console.log(errorCode(Object.assign(new Error("x"), { code: "EPIPE" }))); // "EPIPE"
 * ```
 */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code !== "") return code;
  const name = (error as { name?: unknown }).name;
  return typeof name === "string" ? DENO_ERROR_CODES[name] : undefined;
}

/** Deno's error classes (`Deno.errors.*`) and the OS codes they stand for. */
const DENO_ERROR_CODES: Record<string, string> = {
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  BrokenPipe: "EPIPE",
  ConnectionAborted: "ECONNABORTED",
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  NotConnected: "ENOTCONN",
  NotFound: "ENOENT",
  PermissionDenied: "EACCES",
  TimedOut: "ETIMEDOUT",
};

/**
 * Maps an error a runtime threw during a network operation to one of the classes above, keeping
 * it as `cause`. Errors already of these classes pass through unchanged.
 *
 * @example
 * ```ts
 * import { toNetworkError } from "./errors.ts";
 * const e = toNetworkError(Object.assign(new Error("boom"), { code: "ECONNREFUSED" }), "connect");
 * console.log(e.name); // "ConnectionRefusedError"
 * ```
 */
export function toNetworkError(error: unknown, operation: string): NetworkError {
  if (error instanceof NetworkError) return error;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${operation} failed${withCode(detail, code)}`;
  switch (code) {
    case "ECONNREFUSED":
      return new ConnectionRefusedError(message, { cause: error, code });
    case "EADDRINUSE":
      return new AddressInUseError(message, { cause: error, code });
    case "ECONNRESET":
    case "EPIPE":
    case "ECONNABORTED":
      return new ConnectionResetError(message, { cause: error, code });
    case "ENOTCONN":
    case "EBADF":
    case "ERR_SOCKET_CLOSED":
    case "ERR_STREAM_DESTROYED":
    case "ERR_STREAM_WRITE_AFTER_END":
      return new ConnectionClosedError(message, { cause: error, code });
    case "EMSGSIZE":
      return new NetworkError(message, { cause: error, code });
  }
  if (isClosedResource(error)) return new ConnectionClosedError(message, { cause: error, code });
  if (isTlsFailure(error, code)) return new TlsError(message, { cause: error, code });
  return new NetworkError(message, { cause: error, code });
}

/**
 * Maps an error of a TLS handshake (after the TCP connection opened) to a `TlsError`, whatever
 * the runtime said: a reset or an EOF in the middle of a handshake is a failed handshake too.
 *
 * @example
 * ```ts
 * import { toTlsError } from "./errors.ts";
 * const e = toTlsError(Object.assign(new Error("self-signed certificate"), {
 *   code: "DEPTH_ZERO_SELF_SIGNED_CERT",
 * }), "TLS handshake with 127.0.0.1:8443");
 * console.log(e.message); // "TLS handshake with 127.0.0.1:8443 failed: DEPTH_ZERO_SELF_SIGNED_CERT: …"
 * ```
 */
export function toTlsError(error: unknown, operation: string): TlsError {
  if (error instanceof TlsError) return error;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new TlsError(`${operation} failed${withCode(detail, code)}`, { cause: error, code });
}

/** OpenSSL's verification results, as Node and Bun name them in `code`. */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "HOSTNAME_MISMATCH",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);

/**
 * A TLS failure after the handshake too (a bad record, an alert): Node's and Bun's `ERR_SSL_*`
 * and `ERR_TLS_*` codes and certificate codes, Deno's `InvalidData` (what rustls errors become).
 */
function isTlsFailure(error: unknown, code: string | undefined): boolean {
  if (code !== undefined) {
    return code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") ||
      CERTIFICATE_CODES.has(code);
  }
  return (error as { name?: unknown } | null)?.name === "InvalidData";
}

/**
 * `: CODE: detail`, or `: detail` when the runtime's message names the code already (Node's
 * does; Deno's and Bun's often do not), so every runtime's message says `EADDRINUSE`.
 */
function withCode(detail: string, code: string | undefined): string {
  return code === undefined || detail.includes(code) ? `: ${detail}` : `: ${code}: ${detail}`;
}

/** Deno's errors for an operation on a resource that was closed meanwhile. */
function isClosedResource(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "BadResource" || name === "Interrupted";
}

/**
 * Errors of the services layer.
 *
 * @module
 */

/**
 * No reply came in time (a UDP datagram can be lost; nothing resends it).
 *
 * @example
 * ```ts
 * import { ReplyTimeoutError } from "@unstuck/unstuck";
 * console.log(new ReplyTimeoutError(2000).message); // "no reply within 2000 ms"
 * ```
 */
export class ReplyTimeoutError extends Error {
  /** Always `"ReplyTimeoutError"`. */
  override name = "ReplyTimeoutError";
  /** How long we waited, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param timeoutMs How long we waited, in milliseconds.
   */
  constructor(timeoutMs: number) {
    super(`no reply within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A server refused a connection because it already serves its limit of them; the connection is
 * closed at once and the others are served as before.
 *
 * @example
 * ```ts
 * import { TooManyConnectionsError } from "@unstuck/unstuck";
 * console.log(new TooManyConnectionsError(128).message);
 * // "connection refused: already serving 128 connections (the limit)"
 * ```
 */
export class TooManyConnectionsError extends Error {
  /** Always `"TooManyConnectionsError"`. */
  override name = "TooManyConnectionsError";
  /** The limit that was reached. */
  readonly limit: number;

  /**
   * Creates the error.
   *
   * @param limit The limit that was reached.
   */
  constructor(limit: number) {
    super(`connection refused: already serving ${limit} connections (the limit)`);
    this.limit = limit;
  }
}

/**
 * A connection was refused because its peer's address holds as many connections as one address
 * may (`maxConnectionsPerIp`); other addresses are still served.
 *
 * @example
 * ```ts
 * import { TooManyConnectionsError, TooManyConnectionsFromAddressError } from "@unstuck/unstuck";
 * const error = new TooManyConnectionsFromAddressError("127.0.0.2", 16);
 * console.log(error instanceof TooManyConnectionsError, error.message);
 * // true connection refused: 127.0.0.2 has 16 connections already (the limit per address)
 * ```
 */
export class TooManyConnectionsFromAddressError extends TooManyConnectionsError {
  /** Always `"TooManyConnectionsFromAddressError"`. */
  override name = "TooManyConnectionsFromAddressError";
  /** The peer's address. */
  readonly address: string;

  /**
   * Creates the error.
   *
   * @param address The peer's address.
   * @param limit The limit per address.
   */
  constructor(address: string, limit: number) {
    super(limit);
    this.address = address;
    this.message =
      `connection refused: ${address} has ${limit} connections already (the limit per address)`;
  }
}

/**
 * What we sent was not taken in time: the peer does not read (Netty's `WriteTimeoutException`).
 * The connection is closed.
 *
 * @example
 * ```ts
 * import { WriteTimeoutError } from "@unstuck/unstuck";
 * console.log(new WriteTimeoutError(60_000).message); // the peer did not read what we sent within 60000 ms
 * ```
 */
export class WriteTimeoutError extends Error {
  /** Always `"WriteTimeoutError"`. */
  override name = "WriteTimeoutError";
  /** How long we waited, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param timeoutMs How long we waited, in milliseconds.
   */
  constructor(timeoutMs: number) {
    super(`the peer did not read what we sent within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

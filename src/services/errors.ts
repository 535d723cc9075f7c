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

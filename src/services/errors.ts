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

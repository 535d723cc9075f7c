/**
 * Tells a peer going away (reset, closed) from a real failure, so servers log only the latter.
 *
 * @module
 */
import { ConnectionClosedError } from "../runtime/mod.ts";

/**
 * True for errors that only mean the peer went away.
 *
 * @example
 * ```ts
 * import { isDisconnect } from "./disconnect.ts";
 * console.log(isDisconnect(new Error("boom"))); // false
 * ```
 */
export function isDisconnect(error: unknown): boolean {
  return error instanceof ConnectionClosedError;
}

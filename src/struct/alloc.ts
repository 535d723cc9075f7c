/**
 * Allocation of the Uint8Arrays that `pack` and `unpack` return.
 *
 * @module
 */

/** A new zero-filled Uint8Array of `n` bytes. */
export function allocBytes(n: number): Uint8Array {
  return new Uint8Array(n);
}

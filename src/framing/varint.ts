/**
 * Unsigned LEB128 ("varint") lengths, as protobuf-delimited streams and `it-length-prefixed`
 * write them: seven bits per byte, least significant group first, high bit set on all but the
 * last byte. Plain arithmetic (no 32-bit operators) keeps lengths up to 2^53 exact.
 *
 * @module
 */

/**
 * Bytes needed to write `value` as a varint.
 *
 * @param value A non-negative safe integer.
 * @returns 1 to 8.
 *
 * @example
 * ```ts
 * import { varintLength } from "./varint.ts";
 * console.log(varintLength(127), varintLength(128)); // 1 2
 * ```
 */
export function varintLength(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/**
 * Writes `value` as a varint into `out` at `pos`.
 *
 * @param value A non-negative safe integer.
 * @param out Where to write; must have room for `varintLength(value)` bytes.
 * @param pos Where the varint starts.
 * @returns The index after the varint.
 *
 * @example
 * ```ts
 * import { writeVarint } from "./varint.ts";
 * const out = new Uint8Array(2);
 * writeVarint(300, out, 0);
 * console.log(out); // Uint8Array(2) [ 172, 2 ]
 * ```
 */
export function writeVarint(value: number, out: Uint8Array, pos: number): number {
  while (value >= 128) {
    out[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

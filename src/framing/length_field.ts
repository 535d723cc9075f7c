/**
 * Reads and writes the integer of a fixed-size length header, straight from and into the bytes
 * (no DataView per chunk, no BigInt: 8-byte fields are read as two 32-bit halves).
 *
 * @module
 */

import type { IntegerHeader } from "./header_format.ts";

/** Reads a header's integer from `bytes` at `pos`; the caller has checked that it is all there. */
export type LengthReader = (bytes: Uint8Array, pos: number) => number;

const TWO_32 = 2 ** 32;

/**
 * Returns the reader for a header. 8-byte values beyond 2^53 come back inexact but still huge,
 * which is all the limit check needs.
 *
 * @param header A parsed header format.
 * @returns A function reading that header's integer.
 *
 * @example
 * ```ts
 * import { parseHeaderFormat } from "./header_format.ts";
 * import { lengthReader } from "./length_field.ts";
 * const read = lengthReader(parseHeaderFormat("!I"));
 * console.log(read(new Uint8Array([0, 0, 1, 0]), 0)); // 256
 * ```
 */
export function lengthReader(header: IntegerHeader): LengthReader {
  const { size, signed, littleEndian: le } = header;
  switch (size) {
    case 1:
      return signed ? (b, p) => (b[p] << 24) >> 24 : (b, p) => b[p];
    case 2:
      if (le) {
        return signed
          ? (b, p) => (b[p + 1] << 24 | b[p] << 16) >> 16
          : (b, p) => b[p] | b[p + 1] << 8;
      }
      return signed
        ? (b, p) => (b[p] << 24 | b[p + 1] << 16) >> 16
        : (b, p) => b[p] << 8 | b[p + 1];
    case 4:
      if (le) {
        return signed
          ? (b, p) => b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24
          : (b, p) => (b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24) >>> 0;
      }
      return signed
        ? (b, p) => b[p] << 24 | b[p + 1] << 16 | b[p + 2] << 8 | b[p + 3]
        : (b, p) => (b[p] << 24 | b[p + 1] << 16 | b[p + 2] << 8 | b[p + 3]) >>> 0;
    case 8: {
      const lo = le ? 0 : 4;
      const hi = le ? 4 : 0;
      const u32 = le
        ? (b: Uint8Array, p: number) =>
          (b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24) >>> 0
        : (b: Uint8Array, p: number) =>
          (b[p] << 24 | b[p + 1] << 16 | b[p + 2] << 8 | b[p + 3]) >>> 0;
      return signed
        ? (b, p) => (u32(b, p + hi) | 0) * TWO_32 + u32(b, p + lo)
        : (b, p) => u32(b, p + hi) * TWO_32 + u32(b, p + lo);
    }
  }
}

/**
 * Writes `value` (0 ≤ value ≤ `header.max`, checked by the caller) into `out` at `pos`.
 *
 * @param header A parsed header format.
 * @param value The length to write.
 * @param out Where to write it.
 * @param pos Offset of the header in `out`.
 *
 * @example
 * ```ts
 * import { parseHeaderFormat } from "./header_format.ts";
 * import { writeLength } from "./length_field.ts";
 * const out = new Uint8Array(2);
 * writeLength(parseHeaderFormat("<H"), 258, out, 0);
 * console.log(out); // Uint8Array(2) [ 2, 1 ]
 * ```
 */
export function writeLength(
  header: IntegerHeader,
  value: number,
  out: Uint8Array,
  pos: number,
): void {
  const { size, littleEndian: le } = header;
  if (size === 8) {
    const hi = Math.floor(value / TWO_32);
    writeLength32(value >>> 0, le, out, pos + (le ? 0 : 4));
    writeLength32(hi, le, out, pos + (le ? 4 : 0));
    return;
  }
  for (let i = 0; i < size; i++) {
    out[pos + (le ? i : size - 1 - i)] = (value >>> (8 * i)) & 0xff;
  }
}

function writeLength32(value: number, le: boolean, out: Uint8Array, pos: number): void {
  for (let i = 0; i < 4; i++) out[pos + (le ? i : 3 - i)] = (value >>> (8 * i)) & 0xff;
}

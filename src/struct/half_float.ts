/**
 * IEEE 754 half precision (`e`), as CPython's PyFloat_Pack2/Unpack2: round half to even, an
 * error for values too large for a half, infinities kept, NaN packed as the quiet NaN 0x7e00
 * (JavaScript cannot observe the sign of a NaN, so it is always positive here).
 *
 * @module
 */

const scratch = new DataView(new ArrayBuffer(8));

/** The message of CPython's OverflowError for `e`. */
export const HALF_OVERFLOW = "float too large to pack with e format";

function roundHalfEven(y: number): number {
  const f = Math.floor(y);
  const d = y - f;
  return d > 0.5 || (d === 0.5 && (f & 1) === 1) ? f + 1 : f;
}

/**
 * The 16 bits of the half float nearest to `x` (ties to even). Throws a RangeError with
 * CPython's message when `x` is finite and rounds beyond the largest half (65504).
 *
 * @example
 * ```ts
 * import { packHalf } from "./half_float.ts";
 * console.log(packHalf(1).toString(16)); // 3c00
 * ```
 */
export function packHalf(x: number): number {
  if (x !== x) return 0x7e00;
  let sign = 0;
  if (x < 0 || (x === 0 && 1 / x < 0)) {
    sign = 0x8000;
    x = -x;
  }
  if (x === Infinity) return sign | 0x7c00;
  if (x >= 65520) throw new RangeError(HALF_OVERFLOW);
  // Subnormal halves are multiples of 2**-24; the rounding may carry into the smallest normal.
  if (x < 2 ** -14) return sign | roundHalfEven(x * 2 ** 24);
  scratch.setFloat64(0, x);
  const e = ((scratch.getUint16(0) >> 4) & 0x7ff) - 1023;
  // 1024 <= m <= 2048; m === 2048 carries into the exponent, which the sum does by itself.
  const m = roundHalfEven(x * 2 ** (10 - e));
  return sign | (((e + 15) << 10) + (m - 1024));
}

/**
 * The value of the half float with the 16 bits `h`.
 *
 * @example
 * ```ts
 * import { unpackHalf } from "./half_float.ts";
 * console.log(unpackHalf(0x3c00)); // 1
 * ```
 */
export function unpackHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0x1f) return f === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * f * 2 ** -24;
  return sign * (1024 + f) * 2 ** (e - 25);
}

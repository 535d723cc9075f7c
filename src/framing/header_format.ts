/**
 * Reads a length-header format: one integer in Python `struct` notation (`"!I"`, `"<H"`, `"q"`,
 * …). The struct layer parses and validates it (a bad format raises the same `StructError` as
 * `pack` would); it is parsed once per format, and the hot path then reads bytes directly.
 *
 * @module
 */

import { integerLayout } from "../struct/mod.ts";

/** What a single-integer header format means. */
export interface IntegerHeader {
  /** The format as given, e.g. `"!I"`. */
  readonly format: string;
  /** Bytes on the wire. */
  readonly size: 1 | 2 | 4 | 8;
  /** Whether the integer is signed (negative lengths are then possible, and rejected). */
  readonly signed: boolean;
  /** Byte order on the wire. */
  readonly littleEndian: boolean;
  /** The largest length the header can carry (capped at `Number.MAX_SAFE_INTEGER`). */
  readonly max: number;
}

/** The integer format characters a length header may use (not `?` or the pointer `P`). */
const LENGTH_CHARS = "bBhHiIlLqQnN";

const cache = new Map<string, IntegerHeader>();

/**
 * Parses a header format such as `"!I"` (the default of the length-prefixed codec), `"<H"`,
 * `">Q"` or `"i"` (native, as Python's `struct.pack('i', n)`). The format must hold exactly one
 * integer item (`b B h H i I l L q Q n N`, count absent or 1), with Python's sizes and byte
 * orders (native `@` as CPython on x86_64 Linux).
 *
 * @param format A Python `struct` format holding one integer.
 * @returns The header's size, signedness and byte order.
 * @throws {StructError} If the format is not valid `struct` syntax.
 * @throws {TypeError} If it is valid but not a single integer.
 *
 * @example
 * ```ts
 * import { parseHeaderFormat } from "./header_format.ts";
 * const header = parseHeaderFormat("<H");
 * console.log(header.size, header.littleEndian); // 2 true
 * ```
 */
export function parseHeaderFormat(format: string): IntegerHeader {
  let header = cache.get(format);
  if (header === undefined) {
    header = parseUncached(format);
    if (cache.size < 64) cache.set(format, header);
  }
  return header;
}

function parseUncached(format: string): IntegerHeader {
  const layout = integerLayout(format);
  if (layout === undefined || !LENGTH_CHARS.includes(layout.char)) {
    throw new TypeError(
      `header format ${JSON.stringify(format)} must hold exactly one integer ` +
        '(one of b B h H i I l L q Q n N, count 1), e.g. "!I"',
    );
  }
  const { size, littleEndian, signed } = layout;
  return {
    format,
    size,
    signed,
    littleEndian,
    max: Math.min(2 ** (size * 8 - (signed ? 1 : 0)) - 1, Number.MAX_SAFE_INTEGER),
  };
}

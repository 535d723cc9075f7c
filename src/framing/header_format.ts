/**
 * Reads a length-header format: one integer in Python `struct` notation (`"!I"`, `"<H"`, `"q"`,
 * …). Parsed once per codec; the hot path then reads bytes directly.
 *
 * @module
 */

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

/** Byte order of this machine, which `@` and `=` (and no prefix) mean in Python's `struct`. */
const NATIVE_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Standard sizes (`< > ! =`); native `@` differs only for l/L (8 on x86_64 Linux) and n/N. */
const STANDARD_SIZES: Readonly<Record<string, 1 | 2 | 4 | 8>> = {
  b: 1,
  B: 1,
  h: 2,
  H: 2,
  i: 4,
  I: 4,
  l: 4,
  L: 4,
  q: 8,
  Q: 8,
};
const NATIVE_SIZES: Readonly<Record<string, 1 | 2 | 4 | 8>> = {
  ...STANDARD_SIZES,
  l: 8,
  L: 8,
  n: 8,
  N: 8,
};

/** Every format character Python's `struct` knows, integer or not. */
const STRUCT_CHARS = "xcbB?hHiIlLqQnNefdspP";
const NATIVE_ONLY_CHARS = "nNP";
/** Python's `bytes.isspace()`: whitespace is allowed between items. */
const WHITESPACE = " \t\n\v\f\r";

const cache = new Map<string, IntegerHeader>();

/**
 * Parses a header format such as `"!I"` (the default of the length-prefixed codec), `"<H"`,
 * `">Q"` or `"i"` (native, as Python's `struct.pack('i', n)`). The format must hold exactly one
 * integer item (`b B h H i I l L q Q n N`, count absent or 1).
 *
 * @param format A Python `struct` format holding one integer.
 * @returns The header's size, signedness and byte order.
 * @throws {TypeError} If the format is not valid `struct` syntax, or is not a single integer.
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
  if (typeof format !== "string") {
    throw new TypeError(`header format must be a string, got ${typeof format}`);
  }
  let i = 0;
  let order = "@";
  if (format.length > 0 && "@=<>!".includes(format[0])) order = format[i++];
  const items: { count: number; char: string }[] = [];
  while (i < format.length) {
    const c = format[i];
    if (WHITESPACE.includes(c)) {
      i++;
      continue;
    }
    let digits = "";
    while (i < format.length && format[i] >= "0" && format[i] <= "9") digits += format[i++];
    const char = format[i++];
    if (
      char === undefined || !STRUCT_CHARS.includes(char) ||
      (order !== "@" && NATIVE_ONLY_CHARS.includes(char))
    ) {
      throw new TypeError(`bad char in struct format: ${JSON.stringify(format)}`);
    }
    items.push({ count: digits === "" ? 1 : Number(digits), char });
  }
  const sizes = order === "@" ? NATIVE_SIZES : STANDARD_SIZES;
  const only = items.length === 1 ? items[0] : undefined;
  const size = only && only.count === 1 ? sizes[only.char] : undefined;
  if (only === undefined || size === undefined) {
    throw new TypeError(
      `header format ${JSON.stringify(format)} must hold exactly one integer ` +
        '(one of b B h H i I l L q Q n N, count 1), e.g. "!I"',
    );
  }
  const signed = only.char === only.char.toLowerCase();
  const bits = size * 8 - (signed ? 1 : 0);
  return {
    format,
    size,
    signed,
    littleEndian: order === "<" || ((order === "@" || order === "=") && NATIVE_LITTLE_ENDIAN),
    max: Math.min(2 ** bits - 1, Number.MAX_SAFE_INTEGER),
  };
}

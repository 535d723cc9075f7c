/**
 * Parses a struct format into a plan: the byte order, the total size, and the items with their
 * offsets (alignment applied as CPython does in native mode). The result is the internal
 * representation every other file of the struct layer works from; other layers (framing) read
 * it through {@linkcode parseFormat} and {@linkcode integerLayout}.
 *
 * @module
 */
import { BIG_TABLE, type CodeSpec, LITTLE_TABLE, NATIVE_TABLE, PAD, PSTR, STR } from "./codes.ts";
import { pyTypeName, StructError } from "./errors.ts";

/** One run of same-typed values in a format, e.g. `3h` or `10s`. */
export interface FormatItem {
  /** The format character. */
  readonly char: string;
  /** How each value is stored (a kind constant of codes.ts, big-endian ones with `BE` added). */
  readonly kind: number;
  /** Byte offset of the first value within the struct. */
  readonly offset: number;
  /** Number of values; 1 for `s` and `p`; for `x`, the number of pad bytes. */
  readonly count: number;
  /** Bytes per value; for `s` and `p`, the length of the field. */
  readonly size: number;
  /** The table entry of the character, with its range rules. */
  readonly spec: CodeSpec;
  /**
   * True for an `s` item on the stray 0xff byte of a `0p` just before it (same offset): CPython
   * 3.11's `s` writes only its value's bytes, so an empty value leaves the 0xff there.
   */
  readonly onStrayByte?: boolean;
}

/** The parsed form of a struct format. */
export interface FormatPlan {
  /** The format string as given. */
  readonly format: string;
  /** The byte-order character (`@` when the format has none). */
  readonly byteOrder: "@" | "=" | "<" | ">" | "!";
  /** True for native mode (`@`): native sizes and alignment. */
  readonly native: boolean;
  /** True when multi-byte values are little-endian (`@`, `=`, `<` on this little-endian model). */
  readonly littleEndian: boolean;
  /** Total size in bytes, as `calcsize` returns it. */
  readonly size: number;
  /** Number of values `pack` takes and `unpack` returns. */
  readonly length: number;
  /** The items in order; value-less items with count 0 are left out, as CPython does. */
  readonly items: readonly FormatItem[];
}

const SSIZE_MAX = 2n ** 63n - 1n;
const TOO_LONG = "total struct size too long";

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Python's `str.encode("ascii")` error, which CPython raises before it parses anything. */
function checkAscii(fmt: string): void {
  // deno-lint-ignore no-control-regex -- exactly the non-ASCII range is wanted
  if (!/[^\x00-\x7f]/.test(fmt)) return;
  const points = Array.from(fmt);
  const first = points.findIndex((ch) => ch.codePointAt(0)! > 127);
  let end = first + 1;
  while (end < points.length && points[end].codePointAt(0)! > 127) end++;
  const msg = end - first === 1
    ? `character '${pyEscape(points[first].codePointAt(0)!)}' in position ${first}`
    : `characters in position ${first}-${end - 1}`;
  // UnicodeEncodeError is a ValueError; RangeError is its closest JavaScript kin.
  throw new RangeError(`'ascii' codec can't encode ${msg}: ordinal not in range(128)`);
}

function pyEscape(cp: number): string {
  if (cp <= 0xff) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp <= 0xffff) return "\\u" + cp.toString(16).padStart(4, "0");
  return "\\U" + cp.toString(16).padStart(8, "0");
}

function tableFor(order: string): ReadonlyMap<string, CodeSpec> {
  if (order === "@") return NATIVE_TABLE;
  return order === ">" || order === "!" ? BIG_TABLE : LITTLE_TABLE;
}

function alignUp(size: number, spec: CodeSpec): number {
  const a = spec.align;
  return a && size > 0 ? size + (a - 1) - ((size - 1) % a) : size;
}

/**
 * CPython's first pass in exact (bigint) arithmetic, for formats whose counts or size leave the
 * safe-integer range: throws the error CPython raises, or, when CPython would accept the format,
 * a RangeError because the size cannot be represented here.
 */
function checkHugeFormat(fmt: string, start: number, table: ReadonlyMap<string, CodeSpec>): never {
  let size = 0n;
  let i = start;
  while (i < fmt.length) {
    let c = fmt.charCodeAt(i++);
    if (isSpace(c)) continue;
    let num = 1n;
    if (isDigit(c)) {
      num = BigInt(c - 48);
      while (i < fmt.length && isDigit(c = fmt.charCodeAt(i))) {
        num = num * 10n + BigInt(c - 48);
        if (num > SSIZE_MAX) throw new StructError(TOO_LONG);
        i++;
      }
      if (i >= fmt.length) throw new StructError("repeat count given without format specifier");
      i++;
    }
    const spec = table.get(String.fromCharCode(c));
    if (spec === undefined) throw new StructError("bad char in struct format");
    const a = BigInt(spec.align);
    if (a && size > 0n) size += (a - 1n) - ((size - 1n) % a);
    if (size > SSIZE_MAX || num > (SSIZE_MAX - size) / BigInt(spec.size)) {
      throw new StructError(TOO_LONG);
    }
    size += num * BigInt(spec.size);
  }
  throw new RangeError(`struct size ${size} is beyond Number.MAX_SAFE_INTEGER`);
}

/**
 * Parses a format as CPython 3.11's `Struct()` does, with its checks in its order and its
 * messages. Internal to unstuck (the framing layer reads headers with it); the public API is
 * `calcsize` and `Struct`.
 *
 * @example The plan of a length header
 * ```ts
 * import { parseFormat } from "./format.ts";
 * const plan = parseFormat("!I");
 * console.log(plan.size, plan.littleEndian, plan.items[0].char); // 4 false I
 * ```
 */
export function parseFormat(fmt: string): FormatPlan {
  if (typeof fmt !== "string") {
    throw new TypeError(
      `Struct() argument 1 must be a str or bytes object, not ${pyTypeName(fmt)}`,
    );
  }
  checkAscii(fmt);
  if (fmt.includes("\0")) throw new StructError("embedded null character");
  const first = fmt[0];
  const explicit = first === "@" || first === "=" || first === "<" || first === ">" ||
    first === "!";
  const byteOrder = (explicit ? first : "@") as FormatPlan["byteOrder"];
  const table = tableFor(byteOrder);
  const start = explicit ? 1 : 0;
  const items: FormatItem[] = [];
  let size = 0;
  let length = 0;
  let zeroP = -1; // offset of the last 0p, where CPython writes a stray 0xff
  let i = start;
  while (i < fmt.length) {
    let c = fmt.charCodeAt(i++);
    if (isSpace(c)) continue;
    let num = 1;
    if (isDigit(c)) {
      const from = i - 1;
      while (i < fmt.length && isDigit(fmt.charCodeAt(i))) i++;
      num = Number(fmt.slice(from, i));
      if (num > Number.MAX_SAFE_INTEGER) checkHugeFormat(fmt, start, table);
      if (i >= fmt.length) throw new StructError("repeat count given without format specifier");
      c = fmt.charCodeAt(i++);
    }
    const spec = table.get(String.fromCharCode(c));
    if (spec === undefined) throw new StructError("bad char in struct format");
    size = alignUp(size, spec);
    const offset = size;
    size += num * spec.size;
    if (size > Number.MAX_SAFE_INTEGER) checkHugeFormat(fmt, start, table);
    if (spec.kind === STR || spec.kind === PSTR) {
      const item = { char: spec.char, kind: spec.kind, offset, count: 1, size: num, spec };
      if (spec.kind === PSTR && num === 0) zeroP = offset;
      items.push(
        spec.kind === STR && num > 0 && offset === zeroP ? { ...item, onStrayByte: true } : item,
      );
      length++;
    } else if (num > 0) {
      items.push({ char: spec.char, kind: spec.kind, offset, count: num, size: spec.size, spec });
      if (spec.kind !== PAD) length += num;
    }
  }
  return {
    format: fmt,
    byteOrder,
    native: byteOrder === "@",
    littleEndian: byteOrder !== ">" && byteOrder !== "!",
    size,
    length,
    items,
  };
}

/** The layout of a format that holds exactly one integer, e.g. a frame's length header. */
export interface IntegerLayout {
  /** Bytes: 1, 2, 4 or 8. */
  readonly size: 1 | 2 | 4 | 8;
  /** True for signed formats (`b h i l q n`). */
  readonly signed: boolean;
  /** Byte order of the value. */
  readonly littleEndian: boolean;
  /** True when the value unpacks as a bigint (8-byte formats). */
  readonly bigint: boolean;
  /** The format character. */
  readonly char: string;
}

/**
 * Describes a format made of exactly one integer and nothing else (no padding, no repeat), such
 * as `!I`, `<H`, `>Q`, `i` or `b`; undefined for any other format. Throws like
 * {@linkcode parseFormat} for a bad format.
 *
 * @example Read a length header's layout
 * ```ts
 * import { integerLayout } from "@unstuck/unstuck";
 * console.log(integerLayout("!I")); // { size: 4, signed: false, littleEndian: false, bigint: false, char: "I" }
 * ```
 */
export function integerLayout(fmt: string): IntegerLayout | undefined {
  const plan = parseFormat(fmt);
  if (plan.items.length !== 1 || plan.length !== 1) return undefined;
  const item = plan.items[0];
  if (item.spec.int === undefined || item.offset !== 0 || item.size !== plan.size) return undefined;
  return {
    size: item.size as 1 | 2 | 4 | 8,
    // Signedness comes from the character: the range in `spec.int` is what CPython accepts before
    // its range check, which for native B and H includes negative numbers.
    signed: "bhilqn".includes(item.char),
    littleEndian: plan.littleEndian,
    bigint: item.size === 8,
    char: item.char,
  };
}

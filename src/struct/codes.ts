/**
 * The format characters of CPython 3.11's `struct` on x86_64 Linux: size, native alignment, how a
 * value is stored (its "kind"), and the range checks with their exact error messages. CPython
 * keeps three tables (native, little-endian, big-endian); on a little-endian host it swaps the
 * native pack functions into the little-endian table wherever the sizes agree, which is why `<h`
 * and `>h` report different messages. These tables reproduce that.
 *
 * @module
 */
import { INT_TOO_LARGE } from "./errors.ts";

// Value kinds. A big-endian kind is its little-endian kind plus BE.
/** Pad bytes (`x`). */
export const PAD = 0;
/** Signed byte (`b`). */
export const I8 = 1;
/** Unsigned byte (`B`). */
export const U8 = 2;
/** Boolean byte (`?`). */
export const BOOL = 3;
/** One byte as bytes (`c`). */
export const CHAR = 4;
/** Fixed-length bytes (`s`). */
export const STR = 5;
/** Pascal string (`p`). */
export const PSTR = 6;
/** Signed 16-bit little-endian. */
export const I16 = 8;
/** Unsigned 16-bit little-endian. */
export const U16 = 9;
/** Signed 32-bit little-endian. */
export const I32 = 10;
/** Unsigned 32-bit little-endian. */
export const U32 = 11;
/** Signed 64-bit little-endian (unpacks as bigint). */
export const I64 = 12;
/** Unsigned 64-bit little-endian (unpacks as bigint). */
export const U64 = 13;
/** Native pointer `P`: packs -2**63 … 2**64-1, unpacks unsigned (bigint). */
export const PTR = 14;
/** IEEE half float little-endian. */
export const F16 = 16;
/** IEEE single little-endian, standard mode (overflow is an error). */
export const F32 = 17;
/** IEEE single, native mode (a C cast: overflow gives infinity). */
export const F32N = 18;
/** IEEE double little-endian. */
export const F64 = 19;
/** Added to a little-endian kind for its big-endian twin. */
export const BE = 32;

/** How an integer format converts and range-checks a value, with CPython's messages. */
export interface IntRule {
  /** Smallest value the C conversion accepts. */
  readonly lo: bigint;
  /** Largest value the C conversion accepts. */
  readonly hi: bigint;
  /** Message when the C conversion fails. */
  readonly convertMessage: string;
  /** Smallest value of the format's own range check. */
  readonly min: bigint;
  /** Largest value of the format's own range check. */
  readonly max: bigint;
  /** Message of the format's own range check; undefined when it has none. */
  readonly rangeMessage: string | undefined;
}

/** One format character in one of CPython's tables. */
export interface CodeSpec {
  /** The format character. */
  readonly char: string;
  /** Bytes per value (per byte for `s`, `p` and `x`). */
  readonly size: number;
  /** Alignment in native mode; 0 for none. */
  readonly align: number;
  /** How a value is stored: one of the kind constants above. */
  readonly kind: number;
  /** Range rule, for integer formats. */
  readonly int?: IntRule;
  /** OverflowError message for float formats that check overflow. */
  readonly floatOverflow?: string;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const ULONG_MAX = 2n ** 64n - 1n;
const OUT_OF_RANGE = "argument out of range";

// C conversions: PyLong_AsLong / AsUnsignedLong (and their long long / ssize_t / size_t
// siblings), PyLong_AsVoidPtr, and _PyLong_AsByteArray (big-endian q/Q).
const signedLong = { lo: LONG_MIN, hi: LONG_MAX, convertMessage: OUT_OF_RANGE };
const unsignedLong = { lo: 0n, hi: ULONG_MAX, convertMessage: OUT_OF_RANGE };
const voidPtr = { lo: LONG_MIN, hi: ULONG_MAX, convertMessage: INT_TOO_LARGE };
const signedBytes = { lo: LONG_MIN, hi: LONG_MAX, convertMessage: INT_TOO_LARGE };
const unsignedBytes = { lo: 0n, hi: ULONG_MAX, convertMessage: INT_TOO_LARGE };
type Conversion = typeof signedLong;

function noCheck(conv: Conversion): IntRule {
  return { ...conv, min: conv.lo, max: conv.hi, rangeMessage: undefined };
}

function checked(conv: Conversion, min: bigint, max: bigint, message: string): IntRule {
  return { ...conv, min, max, rangeMessage: message };
}

/** `_range_error`: "'h' format requires -32768 <= number <= 32767" and the unsigned form. */
function rangeError(conv: Conversion, char: string, size: number, signed: boolean): IntRule {
  const bits = BigInt(size * 8);
  const [min, max] = signed
    ? [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n]
    : [0n, 2n ** bits - 1n];
  return checked(conv, min, max, `'${char}' format requires ${min} <= number <= ${max}`);
}

// The np_byte/np_ubyte/np_short/np_ushort functions have messages of their own.
const byteRule = checked(signedLong, -128n, 127n, "byte format requires -128 <= number <= 127");
const ubyteRule = checked(signedLong, 0n, 255n, "ubyte format requires 0 <= number <= 255");
const shortRule = checked(
  signedLong,
  -32768n,
  32767n,
  "short format requires -32768 <= number <= 32767",
);
const ushortRule = checked(signedLong, 0n, 65535n, "ushort format requires 0 <= number <= 65535");

function spec(char: string, size: number, kind: number, extra: Partial<CodeSpec> = {}): CodeSpec {
  return { char, size, align: 0, kind, ...extra };
}

// Formats every table shares: bytes, pad, bool (no byte order, no alignment).
const common: CodeSpec[] = [
  spec("x", 1, PAD),
  spec("c", 1, CHAR),
  spec("s", 1, STR),
  spec("p", 1, PSTR),
  spec("b", 1, I8, { int: byteRule }),
  spec("B", 1, U8, { int: ubyteRule }),
  spec("?", 1, BOOL),
];

function floats(be: number, f32: number): CodeSpec[] {
  return [
    spec("e", 2, F16 + be, { floatOverflow: "float too large to pack with e format" }),
    f32 === F32N
      ? spec("f", 4, F32N)
      : spec("f", 4, F32 + be, { floatOverflow: "float too large to pack with f format" }),
    spec("d", 8, F64 + be),
  ];
}

function table(entries: CodeSpec[], aligned: boolean): ReadonlyMap<string, CodeSpec> {
  const map = new Map<string, CodeSpec>();
  for (const e of entries) {
    const align = aligned && e.kind !== PAD && e.kind !== CHAR && e.kind !== STR &&
        e.kind !== PSTR && e.kind !== I8 && e.kind !== U8
      ? e.size
      : 0;
    map.set(e.char, { ...e, align });
  }
  return map;
}

/** `@`: native sizes and alignment of x86_64 Linux (LP64), little-endian. */
export const NATIVE_TABLE: ReadonlyMap<string, CodeSpec> = table([
  ...common,
  spec("h", 2, I16, { int: shortRule }),
  spec("H", 2, U16, { int: ushortRule }),
  spec("i", 4, I32, { int: rangeError(signedLong, "i", 4, true) }),
  spec("I", 4, U32, { int: rangeError(unsignedLong, "I", 4, false) }),
  spec("l", 8, I64, { int: noCheck(signedLong) }),
  spec("L", 8, U64, { int: noCheck(unsignedLong) }),
  spec("q", 8, I64, { int: noCheck(signedLong) }),
  spec("Q", 8, U64, { int: noCheck(unsignedLong) }),
  spec("n", 8, I64, { int: noCheck(signedLong) }),
  spec("N", 8, U64, { int: noCheck(unsignedLong) }),
  spec("P", 8, PTR, { int: noCheck(voidPtr) }),
  ...floats(0, F32N),
], true);

/** `<` and `=` (the host is little-endian): standard sizes, native functions where sizes agree. */
export const LITTLE_TABLE: ReadonlyMap<string, CodeSpec> = table([
  ...common,
  spec("h", 2, I16, { int: shortRule }),
  spec("H", 2, U16, { int: ushortRule }),
  spec("i", 4, I32, { int: rangeError(signedLong, "i", 4, true) }),
  spec("I", 4, U32, { int: rangeError(unsignedLong, "I", 4, false) }),
  spec("l", 4, I32, { int: rangeError(signedLong, "l", 4, true) }),
  spec("L", 4, U32, { int: rangeError(unsignedLong, "L", 4, false) }),
  spec("q", 8, I64, { int: noCheck(signedLong) }),
  spec("Q", 8, U64, { int: noCheck(unsignedLong) }),
  ...floats(0, F32),
], false);

/** `>` and `!`: standard sizes, big-endian, CPython's bp_* functions. */
export const BIG_TABLE: ReadonlyMap<string, CodeSpec> = table([
  ...common,
  spec("h", 2, I16 + BE, { int: rangeError(signedLong, "h", 2, true) }),
  spec("H", 2, U16 + BE, { int: rangeError(unsignedLong, "H", 2, false) }),
  spec("i", 4, I32 + BE, { int: rangeError(signedLong, "i", 4, true) }),
  spec("I", 4, U32 + BE, { int: rangeError(unsignedLong, "I", 4, false) }),
  spec("l", 4, I32 + BE, { int: rangeError(signedLong, "l", 4, true) }),
  spec("L", 4, U32 + BE, { int: rangeError(unsignedLong, "L", 4, false) }),
  spec("q", 8, I64 + BE, { int: noCheck(signedBytes) }),
  spec("Q", 8, U64 + BE, { int: noCheck(unsignedBytes) }),
  ...floats(BE, F32),
], false);

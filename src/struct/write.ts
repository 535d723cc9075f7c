/**
 * Writes one value into bytes: a fast path for the ordinary cases (a number in range, a
 * Uint8Array for `s`), and an exact path that converts and checks any value as CPython does and
 * throws CPython's error. Both produce the same bytes; the fast path never throws.
 *
 * @module
 */
import {
  BE,
  BOOL,
  CHAR,
  F16,
  F32,
  F32N,
  F64,
  I16,
  I32,
  I64,
  I8,
  PSTR,
  PTR,
  STR,
  U16,
  U32,
  U64,
  U8,
} from "./codes.ts";
import { INT_TOO_LARGE, StructError } from "./errors.ts";
import type { FormatItem } from "./format.ts";
import { packHalf } from "./half_float.ts";
import { checkInt, isBytes, pyTruthy, toPyFloat, toPyInt } from "./values.ts";

const scratch = new ArrayBuffer(8);
const s8 = new Uint8Array(scratch);
const sdv = new DataView(scratch);
const F32_OVERFLOW = "float too large to pack with f format";

function put16(b: Uint8Array, o: number, v: number, be: boolean): void {
  if (be) {
    b[o] = v >> 8;
    b[o + 1] = v;
  } else {
    b[o] = v;
    b[o + 1] = v >> 8;
  }
}

function put32(b: Uint8Array, o: number, v: number, be: boolean): void {
  if (be) {
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
  } else {
    b[o] = v;
    b[o + 1] = v >>> 8;
    b[o + 2] = v >>> 16;
    b[o + 3] = v >>> 24;
  }
}

/** A safe integer as 64-bit two's complement: low and high 32-bit halves. */
function put64(b: Uint8Array, o: number, v: number, be: boolean): void {
  const hi = Math.floor(v / 4294967296);
  const lo = v - hi * 4294967296;
  if (be) {
    put32(b, o, hi, true);
    put32(b, o + 4, lo, true);
  } else {
    put32(b, o, lo, false);
    put32(b, o + 4, hi, false);
  }
}

/** Copies `n` bytes of the scratch buffer (written little-endian) in the requested order. */
function putScratch(b: Uint8Array, o: number, n: number, be: boolean): void {
  if (be) { for (let k = 0; k < n; k++) b[o + k] = s8[n - 1 - k]; }
  else for (let k = 0; k < n; k++) b[o + k] = s8[k];
}

function putFloat32(b: Uint8Array, o: number, y: number, be: boolean): void {
  if (y !== y) put32(b, o, 0x7fc00000, be);
  else {
    sdv.setFloat32(0, y, true);
    putScratch(b, o, 4, be);
  }
}

function putFloat64(b: Uint8Array, o: number, x: number, be: boolean): void {
  if (x !== x) {
    put32(b, be ? o : o + 4, 0x7ff80000, be);
    put32(b, be ? o + 4 : o, 0, be);
  } else {
    sdv.setFloat64(0, x, true);
    putScratch(b, o, 8, be);
  }
}

/** `s`: the bytes of `v`, cut or zero-padded to `size`. */
export function putBytes(b: Uint8Array, o: number, v: Uint8Array, size: number): void {
  const n = v.length < size ? v.length : size;
  // set() is a copy in native code, worth its call beyond a few bytes; a cut source would need
  // a subarray view first, which costs more than a short loop.
  if (n === v.length && n > 8) b.set(v, o);
  else if (n > 64) b.set(v.subarray(0, n), o);
  else for (let k = 0; k < n; k++) b[o + k] = v[k];
  if (size - n > 64) b.fill(0, o + n, o + size);
  else for (let k = n; k < size; k++) b[o + k] = 0;
}

/** `p`: a length byte (at most 255), then up to size-1 bytes, zero-filled. */
export function putPascal(b: Uint8Array, o: number, v: Uint8Array, size: number): void {
  if (size === 0) return; // CPython's 0p writes one stray 0xff byte; the caller places it
  const n = v.length < size - 1 ? v.length : size - 1;
  b[o] = n > 255 ? 255 : n;
  putBytes(b, o + 1, v.subarray(0, n), size - 1);
}

/**
 * Writes value `v` of `item` at `b[o]`. The item's kind must be passed as `kind` (the caller has
 * it at hand; the switch on a small integer is what makes this fast).
 */
export function writeValue(
  b: Uint8Array,
  o: number,
  kind: number,
  v: unknown,
  item: FormatItem,
): void {
  if (typeof v === "number") {
    switch (kind) {
      case I8:
        if ((v << 24) >> 24 === v) return void (b[o] = v);
        break;
      case U8:
        if ((v & 255) === v) return void (b[o] = v);
        break;
      case I16:
      case I16 + BE:
        if ((v << 16) >> 16 === v) return put16(b, o, v, kind !== I16);
        break;
      case U16:
      case U16 + BE:
        if ((v & 0xffff) === v) return put16(b, o, v, kind !== U16);
        break;
      case I32:
      case I32 + BE:
        if ((v | 0) === v) return put32(b, o, v, kind !== I32);
        break;
      case U32:
      case U32 + BE:
        if (v >>> 0 === v) return put32(b, o, v, kind !== U32);
        break;
      case I64:
      case I64 + BE:
      case PTR:
        if (Number.isSafeInteger(v)) return put64(b, o, v, kind === I64 + BE);
        break;
      case U64:
      case U64 + BE:
        if (Number.isSafeInteger(v) && v >= 0) return put64(b, o, v, kind !== U64);
        break;
      // e and f: a finite value too large for the format (and, for e, NaN and infinities) takes
      // the exact path, whose error depends on whether v is an int.
      case F16:
      case F16 + BE:
        if (v < 65520 && v > -65520) return put16(b, o, packHalf(v), kind !== F16);
        break;
      case F32:
      case F32 + BE: {
        const y = Math.fround(v);
        if (y - y === 0 || v - v !== 0) return putFloat32(b, o, y, kind !== F32);
        break;
      }
      case F32N:
      case F64:
      case F64 + BE:
        return writeFloat(b, o, kind, v);
    }
  } else if (typeof v === "boolean") {
    if (kind === BOOL) return void (b[o] = v ? 1 : 0);
  } else if (kind === STR && isBytes(v)) return putBytes(b, o, v, item.size);
  else if (kind === PSTR && isBytes(v)) return putPascal(b, o, v, item.size);
  writeExact(b, o, kind, v, item);
}

/** The exact path: Python's conversions and checks, CPython's errors. */
function writeExact(b: Uint8Array, o: number, kind: number, v: unknown, item: FormatItem): void {
  const rule = item.spec.int;
  if (rule !== undefined) {
    const n = toPyInt(v);
    // Big-endian q and Q convert with _PyLong_AsByteArray, which has written the low 8 bytes by
    // the time it finds the overflow (a negative value for Q it refuses before writing); in
    // pack_into they stay in the buffer.
    if (
      kind >= BE && item.size === 8 && (n < rule.lo || n > rule.hi) && (n >= 0n || rule.lo < 0n)
    ) {
      sdv.setBigUint64(0, BigInt.asUintN(64, n), true);
      putScratch(b, o, 8, true);
    }
    checkInt(rule, n);
    sdv.setBigUint64(0, BigInt.asUintN(64, n), true);
    return putScratch(b, o, item.size, kind >= BE);
  }
  switch (kind) {
    case BOOL:
      b[o] = pyTruthy(v) ? 1 : 0;
      return;
    case CHAR:
      if (!isBytes(v) || v.length !== 1) {
        throw new StructError("char format requires a bytes object of length 1");
      }
      b[o] = v[0];
      return;
    case STR:
    case PSTR:
      if (!isBytes(v)) throw new StructError(`argument for '${item.char}' must be a bytes object`);
      return kind === STR ? putBytes(b, o, v, item.size) : putPascal(b, o, v, item.size);
  }
  // A float format: Python's float(v), then the write. CPython reports its OverflowError (a value
  // too large for e or f) on an int argument (an integral number, a bigint) as a StructError.
  const x = toPyFloat(v);
  try {
    writeFloat(b, o, kind, x);
  } catch (e) {
    const int = typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v));
    throw e instanceof RangeError && int ? new StructError(INT_TOO_LARGE) : e;
  }
}

/** A float format's bytes of `x`; a RangeError with CPython's message when it is too large. */
function writeFloat(b: Uint8Array, o: number, kind: number, x: number): void {
  switch (kind) {
    case F16:
    case F16 + BE:
      return put16(b, o, packHalf(x), kind !== F16);
    case F32:
    case F32 + BE: {
      const y = Math.fround(x);
      if ((y === Infinity || y === -Infinity) && Number.isFinite(x)) {
        throw new RangeError(F32_OVERFLOW);
      }
      return putFloat32(b, o, y, kind !== F32);
    }
    case F32N:
      return putFloat32(b, o, Math.fround(x), false);
    default:
      return putFloat64(b, o, x, kind !== F64);
  }
}

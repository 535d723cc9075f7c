/**
 * Reads one value from bytes, as CPython's unpack functions return it: integers up to 4 bytes as
 * numbers, 8-byte integers as bigints, floats as numbers, `?` as a boolean, `c`/`s`/`p` as a new
 * Uint8Array (a copy, as Python's bytes are).
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
import { allocBytes } from "./alloc.ts";
import { unpackHalf } from "./half_float.ts";

/** A value `unpack` returns. */
export type StructValue = number | bigint | boolean | Uint8Array;

const scratch = new ArrayBuffer(8);
const s8 = new Uint8Array(scratch);
const sdv = new DataView(scratch);

function u16(b: Uint8Array, o: number, be: boolean): number {
  return be ? (b[o] << 8) | b[o + 1] : b[o] | (b[o + 1] << 8);
}

function i32(b: Uint8Array, o: number, be: boolean): number {
  return be
    ? (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]
    : b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

/** A 64-bit integer; one BigInt allocation when it is a safe integer, as it mostly is. */
function big64(b: Uint8Array, o: number, be: boolean, signed: boolean): bigint {
  const lo = i32(b, be ? o + 4 : o, be) >>> 0;
  const h = i32(b, be ? o : o + 4, be);
  const hi = signed ? h : h >>> 0;
  if (hi >= -0x200000 && hi < 0x200000) return BigInt(hi * 4294967296 + lo);
  return (BigInt(hi) << 32n) + BigInt(lo);
}

function float(b: Uint8Array, o: number, n: 4 | 8, be: boolean): number {
  if (be) { for (let k = 0; k < n; k++) s8[k] = b[o + n - 1 - k]; }
  else for (let k = 0; k < n; k++) s8[k] = b[o + k];
  return n === 4 ? sdv.getFloat32(0, true) : sdv.getFloat64(0, true);
}

/** A copy of `n` bytes at `b[o]`. */
export function copyBytes(b: Uint8Array, o: number, n: number): Uint8Array {
  const out = allocBytes(n);
  // For short fields a loop beats creating the subarray view that set() needs.
  if (n > 64) out.set(b.subarray(o, o + n));
  else for (let k = 0; k < n; k++) out[k] = b[o + k];
  return out;
}

/** A `p` field of `size` bytes at `b[o]`: a length byte, clamped to size - 1, then the bytes. */
export function readPascal(b: Uint8Array, o: number, size: number): Uint8Array {
  // CPython 3.11 asks PyBytes_FromStringAndSize for -1 bytes when the field is 0p.
  if (size === 0) throw new Error("Negative size passed to PyBytes_FromStringAndSize");
  return copyBytes(b, o + 1, b[o] < size ? b[o] : size - 1);
}

/** Reads the value of kind `kind` (and field size `size`, for `s` and `p`) at `b[o]`. */
export function readValue(b: Uint8Array, o: number, kind: number, size: number): StructValue {
  switch (kind) {
    case I8:
      return (b[o] << 24) >> 24;
    case U8:
      return b[o];
    case BOOL:
      return b[o] !== 0;
    case I16:
    case I16 + BE:
      return (u16(b, o, kind !== I16) << 16) >> 16;
    case U16:
    case U16 + BE:
      return u16(b, o, kind !== U16);
    case I32:
    case I32 + BE:
      return i32(b, o, kind !== I32);
    case U32:
    case U32 + BE:
      return i32(b, o, kind !== U32) >>> 0;
    case I64:
    case I64 + BE:
      return big64(b, o, kind !== I64, true);
    case U64:
    case U64 + BE:
    case PTR:
      return big64(b, o, kind === U64 + BE, false);
    case F16:
    case F16 + BE:
      return unpackHalf(u16(b, o, kind !== F16));
    case F32:
    case F32 + BE:
    case F32N:
      return float(b, o, 4, kind === F32 + BE);
    case F64:
    case F64 + BE:
      return float(b, o, 8, kind !== F64);
    case CHAR:
      return copyBytes(b, o, 1);
    case STR:
      return copyBytes(b, o, size);
    case PSTR:
      return readPascal(b, o, size);
  }
  throw new Error(`unknown value kind ${kind}`);
}

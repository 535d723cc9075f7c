/**
 * Buffers and offsets as CPython's argument parsing sees them: which values are bytes-like, and
 * where a struct starts in a buffer for `pack_into`/`unpack_from` (negative offsets count from
 * the end), with CPython's messages.
 *
 * @module
 */
import { pyTypeName, StructError } from "./errors.ts";

/** What struct functions read from and write into: any view of bytes, or the bytes themselves. */
export type BytesLike = ArrayBufferView | ArrayBufferLike;

function asBytes(buffer: unknown): Uint8Array | undefined {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) {
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer) {
    return new Uint8Array(buffer);
  }
  return undefined;
}

/** The bytes of a buffer to read, or CPython's TypeError. */
export function readableBytes(buffer: unknown): Uint8Array {
  const b = asBytes(buffer);
  if (b === undefined) {
    throw new TypeError(`a bytes-like object is required, not '${pyTypeName(buffer)}'`);
  }
  return b;
}

/** The bytes of a buffer to write into, or CPython's TypeError. */
export function writableBytes(buffer: unknown): Uint8Array {
  const b = asBytes(buffer);
  if (b === undefined) {
    // CPython's "w*" conversion names None itself, other values by their type.
    const what = buffer === null || buffer === undefined ? "None" : pyTypeName(buffer);
    throw new TypeError(`argument must be read-write bytes-like object, not ${what}`);
  }
  return b;
}

const SSIZE_MIN = -(2n ** 63n);
const SSIZE_MAX = 2n ** 63n - 1n;

/** An offset as Python's Py_ssize_t conversion takes it (ints and bools; not floats). */
function toIndex(v: unknown, overflow: string): bigint {
  let n: bigint;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === "boolean") n = v ? 1n : 0n;
  else throw new TypeError(`'${pyTypeName(v)}' object cannot be interpreted as an integer`);
  if (n < SSIZE_MIN || n > SSIZE_MAX) throw new RangeError(overflow);
  return n;
}

/** The call whose checks and messages {@linkcode structStart} applies. */
export type RegionCall = "pack_into" | "unpack_from";

/**
 * Where a struct of `size` bytes starts in a buffer of `length` bytes when the caller gives
 * `offset`: checked as CPython does (negative offsets count from the end), or CPython's error.
 */
export function structStart(
  call: RegionCall,
  size: number,
  length: number,
  offset: unknown,
): number {
  if (typeof offset === "number" && offset >= 0 && length - offset >= size) {
    if (Number.isInteger(offset)) return offset;
  }
  const packing = call === "pack_into";
  let o = toIndex(
    offset,
    packing
      ? "cannot fit 'int' into an index-sized integer"
      : "Python int too large to convert to C ssize_t",
  );
  const n = BigInt(size);
  const len = BigInt(length);
  if (o < 0n) {
    if (o + n > 0n) {
      throw new StructError(
        packing
          ? `no space to pack ${size} bytes at offset ${o}`
          : `not enough data to unpack ${size} bytes at offset ${o}`,
      );
    }
    if (o + len < 0n) throw new StructError(`offset ${o} out of range for ${length}-byte buffer`);
    o += len;
  }
  if (len - o < n) {
    throw new StructError(
      `${call} requires a buffer of at least ${n + o} bytes for ${
        packing ? "packing" : "unpacking"
      } ${size} bytes at offset ${o} (actual buffer size is ${length})`,
    );
  }
  return Number(o);
}

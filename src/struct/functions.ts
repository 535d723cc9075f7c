/**
 * The module-level functions of Python's `struct` (`calcsize`, `pack`, `unpack`, …), backed by a
 * bounded cache of parsed formats as CPython keeps one.
 *
 * @module
 */
import type { BytesLike } from "./buffers.ts";
import { pyTypeName } from "./errors.ts";
import type { StructValue } from "./read.ts";
import { type PackValue, Struct } from "./struct_class.ts";

/** CPython's cache holds 100 formats and is emptied when full; so is this one. */
const MAX_CACHE = 100;
const cache = new Map<string, Struct>();

function compiled(format: string): Struct {
  const hit = cache.get(format);
  if (hit !== undefined) return hit;
  // CPython looks the format up in a dict first, which fails for unhashable values.
  const type = pyTypeName(format);
  if (type === "list" || type === "dict") throw new TypeError(`unhashable type: '${type}'`);
  const s = new Struct(format);
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(format, s);
  return s;
}

/**
 * The size in bytes of the struct that `format` describes.
 *
 * @example
 * ```ts
 * import { calcsize } from "@unstuck/unstuck";
 * console.log(calcsize("<IHHqd"), calcsize("@bq")); // 24 16
 * ```
 */
export function calcsize(format: string): number {
  return compiled(format).size;
}

/**
 * Packs `values` by `format` into a new Uint8Array.
 *
 * @example Pack a length header
 * ```ts
 * import { pack } from "@unstuck/unstuck";
 * console.log(pack("!I", 5)); // Uint8Array(4) [ 0, 0, 0, 5 ]
 * ```
 */
export function pack(format: string, ...values: PackValue[]): Uint8Array {
  return compiled(format).pack(...values);
}

/**
 * Packs `values` by `format` into `buffer` at `offset` (negative: from the end).
 *
 * @example
 * ```ts
 * import { packInto } from "@unstuck/unstuck";
 * const buf = new Uint8Array(8);
 * packInto("<I", buf, 4, 1);
 * console.log(buf); // Uint8Array(8) [ 0, 0, 0, 0, 1, 0, 0, 0 ]
 * ```
 */
export function packInto(
  format: string,
  buffer: BytesLike,
  offset: number,
  ...values: PackValue[]
): void {
  const s = compiled(format);
  // without a buffer or offset, CPython says which is missing
  if (arguments.length < 3) return Reflect.apply(s.packInto, s, [...arguments].slice(1));
  s.packInto(buffer, offset, ...values);
}

/**
 * Unpacks `buffer`, which must hold exactly `calcsize(format)` bytes.
 *
 * @example
 * ```ts
 * import { unpack } from "@unstuck/unstuck";
 * console.log(unpack("<hq", new Uint8Array([255, 255, 1, 0, 0, 0, 0, 0, 0, 0]))); // [ -1, 1n ]
 * ```
 */
export function unpack<T extends StructValue[] = StructValue[]>(
  format: string,
  buffer: BytesLike,
): T {
  return compiled(format).unpack<T>(buffer);
}

/**
 * Unpacks `calcsize(format)` bytes of `buffer` from `offset` on (negative: from the end).
 *
 * @example
 * ```ts
 * import { unpackFrom } from "@unstuck/unstuck";
 * console.log(unpackFrom(">H", new Uint8Array([9, 1, 2]), 1)); // [ 258 ]
 * ```
 */
export function unpackFrom<T extends StructValue[] = StructValue[]>(
  format: string,
  buffer: BytesLike,
  offset = 0,
): T {
  return compiled(format).unpackFrom<T>(buffer, offset);
}

/**
 * Iterates over whole structs packed back to back in `buffer`.
 *
 * @example
 * ```ts
 * import { iterUnpack } from "@unstuck/unstuck";
 * console.log([...iterUnpack("B", new Uint8Array([1, 2]))]); // [ [ 1 ], [ 2 ] ]
 * ```
 */
export function iterUnpack<T extends StructValue[] = StructValue[]>(
  format: string,
  buffer: BytesLike,
): IterableIterator<T> {
  return compiled(format).iterUnpack<T>(buffer);
}

/**
 * The `Struct` class: a format parsed once, with pack/unpack methods as CPython's
 * `struct.Struct`.
 *
 * @module
 */
import { type BytesLike, readableBytes, structStart, writableBytes } from "./buffers.ts";
import { allocBytes } from "./alloc.ts";
import { StructError } from "./errors.ts";
import { type FormatPlan, parseFormat } from "./format.ts";
import { packIntoPlan, packPlan } from "./pack.ts";
import type { StructValue } from "./read.ts";
import { unpackPlan } from "./unpack.ts";

/**
 * A value `pack` takes: a number or bigint for integer formats (a bigint or any integral number
 * for `q Q n N P`), a number for `e f d`, a boolean (or any value, by Python truthiness) for `?`,
 * a Uint8Array for `c s p`.
 */
export type PackValue = number | bigint | boolean | Uint8Array;

/**
 * A compiled struct format, as Python's `struct.Struct`: the format is parsed once and every
 * method reuses the plan.
 *
 * Values: integers of up to 4 bytes unpack as numbers, 8-byte integers (`q Q n N P`, and `l L` in
 * native mode, where they are 8 bytes) as bigints; `e f d` as numbers; `?` as booleans; `c s p`
 * as new Uint8Arrays. Errors are {@linkcode StructError}s with CPython 3.11's messages (RangeError
 * or TypeError where CPython raises OverflowError or TypeError).
 *
 * @example Pack and unpack a record
 * ```ts
 * import { Struct } from "@unstuck/unstuck";
 * const record = new Struct("<IHd");
 * const bytes = record.pack(7, 2, 0.5);
 * console.log(record.size, record.unpack(bytes)); // 14 [ 7, 2, 0.5 ]
 * ```
 */
export class Struct {
  /** The format string, as given. */
  readonly format: string;
  /** Size of the packed struct in bytes (`calcsize(format)`). */
  readonly size: number;
  #plan: FormatPlan;
  #length: number;

  /**
   * Parses `format`; throws {@linkcode StructError} for a bad one.
   *
   * @example
   * ```ts
   * import { Struct } from "@unstuck/unstuck";
   * console.log(new Struct("!I").size); // 4
   * ```
   */
  constructor(format: string) {
    const plan = parseFormat(format);
    this.format = format;
    this.size = plan.size;
    this.#plan = plan;
    this.#length = plan.length;
  }

  /**
   * Packs `values` into a new Uint8Array of `size` bytes.
   *
   * @example
   * ```ts
   * import { Struct } from "@unstuck/unstuck";
   * console.log(new Struct(">H").pack(258)); // Uint8Array(2) [ 1, 2 ]
   * ```
   */
  pack(...values: PackValue[]): Uint8Array {
    if (values.length !== this.#length) {
      throw new StructError(
        `pack expected ${this.#length} items for packing (got ${values.length})`,
      );
    }
    const out = allocBytes(this.size);
    packPlan(this.#plan, out, 0, values, 0);
    return out;
  }

  /**
   * Packs `values` into `buffer` at `offset` (negative: from the end), allocating nothing.
   *
   * @example
   * ```ts
   * import { Struct } from "@unstuck/unstuck";
   * const buf = new Uint8Array(6);
   * new Struct("<H").packInto(buf, 2, 0x0102);
   * console.log(buf); // Uint8Array(6) [ 0, 0, 2, 1, 0, 0 ]
   * ```
   */
  packInto(buffer: BytesLike, offset: number, ...values: PackValue[]): void {
    if (values.length !== this.#length) {
      // the count of arguments is what CPython reports
      const given = arguments.length;
      throw new StructError(
        given === 0
          ? "pack_into expected buffer argument"
          : given === 1
          ? "pack_into expected offset argument"
          : `pack_into expected ${this.#length} items for packing (got ${values.length})`,
      );
    }
    const b = writableBytes(buffer);
    const start = structStart("pack_into", this.size, b.length, offset);
    packIntoPlan(this.#plan, b, start, values, 0);
  }

  /**
   * Unpacks a buffer of exactly `size` bytes.
   *
   * @example
   * ```ts
   * import { Struct } from "@unstuck/unstuck";
   * const [n] = new Struct("!I").unpack<[number]>(new Uint8Array([0, 0, 1, 0]));
   * console.log(n); // 256
   * ```
   */
  unpack<T extends StructValue[] = StructValue[]>(buffer: BytesLike): T {
    const b = readableBytes(buffer);
    if (b.length !== this.size) {
      throw new StructError(`unpack requires a buffer of ${this.size} bytes`);
    }
    return unpackPlan(this.#plan, b, 0) as T;
  }

  /**
   * Unpacks `size` bytes of `buffer` from `offset` on (negative: from the end).
   *
   * @example
   * ```ts
   * import { Struct } from "@unstuck/unstuck";
   * console.log(new Struct("B").unpackFrom(new Uint8Array([1, 2, 3]), -1)); // [ 3 ]
   * ```
   */
  unpackFrom<T extends StructValue[] = StructValue[]>(buffer: BytesLike, offset = 0): T {
    const b = readableBytes(buffer);
    const start = structStart("unpack_from", this.size, b.length, offset);
    return unpackPlan(this.#plan, b, start) as T;
  }

  /**
   * Iterates over a buffer holding whole structs back to back, unpacking one per step. Checks
   * the buffer at once (its length must be a multiple of `size`, and `size` not 0).
   *
   * @example
   * ```ts
   * import { Struct } from "@unstuck/unstuck";
   * for (const [x] of new Struct("<h").iterUnpack(new Uint8Array([1, 0, 255, 255]))) {
   *   console.log(x); // 1, then -1
   * }
   * ```
   */
  iterUnpack<T extends StructValue[] = StructValue[]>(buffer: BytesLike): IterableIterator<T> {
    const size = this.size;
    if (size === 0) {
      throw new StructError("cannot iteratively unpack with a struct of length 0");
    }
    const b = readableBytes(buffer);
    if (b.length % size !== 0) {
      throw new StructError(`iterative unpacking requires a buffer of a multiple of ${size} bytes`);
    }
    return iterate<T>(this.#plan, b);
  }
}

function* iterate<T>(plan: FormatPlan, b: Uint8Array): IterableIterator<T> {
  for (let o = 0; o + plan.size <= b.length; o += plan.size) yield unpackPlan(plan, b, o) as T;
}

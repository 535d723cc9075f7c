/**
 * The `Struct` class: a format parsed once, with pack/unpack methods as CPython's
 * `struct.Struct`.
 *
 * @module
 */
import { type BytesLike, readableBytes, structStart, writableBytes } from "./buffers.ts";
import { allocBytes } from "./alloc.ts";
import { StructError } from "./errors.ts";
import { compile, compileAfter } from "./compile.ts";
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
 * method reuses the plan; after a few calls the struct also gets straight-line generated code
 * (where the host allows `new Function`), with the same results.
 *
 * Unpacked values: integers of up to 4 bytes are numbers, 8-byte integers (`q Q n N P`, and `l L`
 * in native mode, where they are 8 bytes) bigints; `e f d` numbers; `?` booleans; `c s p` new
 * Uint8Arrays. Packed values, as Python sees them: for integer formats an integral number or a
 * bigint is an int (anything else is not); for `e f d` too, and any other number is a float (the
 * difference shows only in the error for a value too large for `e` or `f`);
 * `?` takes any value by Python truthiness; `c s p` take Uint8Arrays. Errors are
 * {@linkcode StructError}s with CPython 3.11's messages (RangeError or TypeError where CPython
 * raises OverflowError or TypeError).
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
  #calls = 0;
  /** The call on which the format gets compiled (-1: never), as set when the struct was made. */
  #compileAt: number;
  #read: (b: Uint8Array, p: number) => StructValue[];

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
    this.#read = (b, p) => unpackPlan(plan, b, p);
    this.#compileAt = compileAfter();
    if (this.#compileAt === 0) this.#compile();
  }

  /** Counts a call on the interpreter; the format is compiled once it has been used a few times. */
  #warm(): void {
    if (++this.#calls === this.#compileAt) this.#compile();
  }

  /** Installs the generated functions (compile.ts) as this struct's own methods. */
  #compile(): void {
    const fast = compile(this.#plan, {
      pack: (given, values) => this.#pack(given, values),
      packInto: (given, buffer, offset, values) => this.#packInto(given, buffer, offset, values),
      unpack: (buffer) => this.#unpack(buffer),
      unpackFrom: (buffer, offset) => this.#unpackFrom(buffer, offset),
    });
    if (fast === undefined) return;
    this.#read = fast.read;
    // A subclass that overrides a method keeps its override.
    const proto = Struct.prototype;
    for (const name of ["pack", "packInto", "unpack", "unpackFrom"] as const) {
      if (this[name] !== proto[name]) continue;
      Object.defineProperty(this, name, { value: fast[name], writable: true, configurable: true });
    }
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
    this.#warm();
    return this.#pack(values.length, values);
  }

  #pack(given: number, values: unknown[]): Uint8Array {
    const length = this.#plan.length;
    if (given !== length) {
      throw new StructError(`pack expected ${length} items for packing (got ${given})`);
    }
    const out = allocBytes(this.size);
    packPlan(this.#plan, out, 0, values);
    return out;
  }

  /**
   * Packs `values` into `buffer` at `offset` (negative: from the end). Once the struct is
   * compiled (after a few calls), a call with a Uint8Array target allocates nothing; it keeps one
   * DataView over a target that comes back.
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
    this.#warm();
    // The count of arguments is what CPython reports when the buffer or offset is missing.
    this.#packInto(arguments.length, buffer, offset, values);
  }

  #packInto(given: number, buffer: unknown, offset: unknown, values: unknown[]): void {
    const length = this.#plan.length;
    if (given !== length + 2) {
      throw new StructError(
        given === 0
          ? "pack_into expected buffer argument"
          : given === 1
          ? "pack_into expected offset argument"
          : `pack_into expected ${length} items for packing (got ${given - 2})`,
      );
    }
    const b = writableBytes(buffer);
    const start = structStart("pack_into", this.size, b.length, offset);
    packIntoPlan(this.#plan, b, start, values);
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
    this.#warm();
    return this.#unpack(buffer) as T;
  }

  #unpack(buffer: unknown): StructValue[] {
    const b = readableBytes(buffer);
    if (b.length !== this.size) {
      throw new StructError(`unpack requires a buffer of ${this.size} bytes`);
    }
    return unpackPlan(this.#plan, b, 0);
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
    this.#warm();
    return this.#unpackFrom(buffer, offset) as T;
  }

  #unpackFrom(buffer: unknown, offset: unknown): StructValue[] {
    const b = readableBytes(buffer);
    const start = structStart("unpack_from", this.size, b.length, offset);
    return unpackPlan(this.#plan, b, start);
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
    this.#warm();
    const size = this.size;
    if (size === 0) {
      throw new StructError("cannot iteratively unpack with a struct of length 0");
    }
    const b = readableBytes(buffer);
    if (b.length % size !== 0) {
      throw new StructError(`iterative unpacking requires a buffer of a multiple of ${size} bytes`);
    }
    return iterate<T>(this.#read, b, size);
  }
}

function* iterate<T>(
  read: (b: Uint8Array, p: number) => StructValue[],
  b: Uint8Array,
  size: number,
): IterableIterator<T> {
  for (let p = 0; p + size <= b.length; p += size) yield read(b, p) as T;
}

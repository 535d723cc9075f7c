/**
 * Python's `struct` module, exact: the same formats, sizes, alignment, values and errors as
 * CPython 3.11 on x86_64 Linux.
 *
 * @example
 * ```ts
 * import { pack, unpack } from "@unstuck/unstuck";
 * const header = pack("!I", 12);
 * console.log(unpack("!I", header)); // [ 12 ]
 * ```
 *
 * @module
 */
export { calcsize, iterUnpack, pack, packInto, unpack, unpackFrom } from "./functions.ts";
export { type PackValue, Struct } from "./struct_class.ts";
export { StructError } from "./errors.ts";
export type { StructValue } from "./read.ts";
export type { BytesLike } from "./buffers.ts";
export { pyBytesRepr, pyFloatRepr, pyRepr, pyTupleRepr } from "./py_repr.ts";
export { valueCodes } from "./value_codes.ts";
export { type IntegerLayout, integerLayout } from "./format.ts";

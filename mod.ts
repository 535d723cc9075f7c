/**
 * unstuck: message-oriented networking that is correct by default, for Deno, Bun and Node.
 *
 * - `struct`: Python's `struct` module, exact.
 *
 * @example Pack a length header
 * ```ts
 * import { VERSION } from "@unstuck/unstuck";
 * console.log(VERSION);
 * ```
 *
 * @module
 */
export { VERSION } from "./src/version.ts";
export {
  calcsize,
  iterUnpack,
  pack,
  packInto,
  Struct,
  StructError,
  unpack,
  unpackFrom,
} from "./src/struct/mod.ts";
export type { BytesLike, PackValue, StructValue } from "./src/struct/mod.ts";

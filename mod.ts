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
export * from "./src/services/exec/mod.ts";

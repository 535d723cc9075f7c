/**
 * unstuck: message-oriented networking that is correct by default, for Deno, Bun and Node.
 *
 * - `struct`: Python's `struct` module, exact.
 * - services: echo (framed TCP, UDP), a UDP chat room, and the sticky-packet demo.
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
export * from "./src/services/mod.ts";

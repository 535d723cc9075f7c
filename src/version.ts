/**
 * The version of unstuck, kept equal to deno.json and package.json by a test.
 *
 * @example Print the version
 * ```ts
 * import { VERSION } from "@unstuck/unstuck";
 * console.log(VERSION);
 * ```
 */
export const VERSION: string = "0.1.0";

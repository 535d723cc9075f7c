/**
 * Which format character each value of a format stands for: what a program needs to read values
 * given as text (command-line words) for `pack`, or to print what `unpack` returned.
 *
 * @module
 */
import { parseFormat } from "./format.ts";

/**
 * The format character of each value `format` packs or unpacks, in order: `"3sI"` holds one
 * bytes value (`s`) and one integer (`I`); pad bytes (`x`) hold none.
 *
 * @throws {StructError} for a bad format, as `calcsize` does
 *
 * @example
 * ```ts
 * import { valueCodes } from "@unstuck/unstuck";
 * console.log(valueCodes("<2hx3s?")); // ["h", "h", "s", "?"]
 * ```
 */
export function valueCodes(format: string): string[] {
  const codes: string[] = [];
  for (const item of parseFormat(format).items) {
    if (item.char === "x") continue;
    const n = item.char === "s" || item.char === "p" ? 1 : item.count;
    for (let i = 0; i < n; i++) codes.push(item.char);
  }
  return codes;
}

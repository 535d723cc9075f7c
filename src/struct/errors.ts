/**
 * The error class of the struct layer, and the one place that builds CPython's error messages
 * that several files share.
 *
 * @module
 */

/**
 * Raised where CPython's `struct` raises `struct.error`, with CPython 3.11's message for the same
 * input. Where CPython raises `OverflowError` or `TypeError` instead, unstuck throws `RangeError`
 * or `TypeError` with the same message.
 *
 * @example Catch a bad format
 * ```ts
 * import { calcsize, StructError } from "@unstuck/unstuck";
 * try {
 *   calcsize("3");
 * } catch (e) {
 *   if (e instanceof StructError) console.log(e.message); // repeat count given without format specifier
 * }
 * ```
 */
export class StructError extends Error {
  /** Always `"StructError"`. */
  override name: string = "StructError";
}

/** CPython's message where an int argument overflows a C conversion or a float format. */
export const INT_TOO_LARGE = "int too large to convert";

/**
 * The Python type name CPython would print for a value in a `TypeError` message, given the usual
 * mapping of JavaScript values onto Python ones (integral number and bigint → `int`, string →
 * `str`, `null`/`undefined` → `NoneType`, array → `list`, …).
 */
export function pyTypeName(value: unknown): string {
  switch (typeof value) {
    case "undefined":
      return "NoneType";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "str";
    case "function":
      return "function";
    case "symbol":
      return "symbol";
  }
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (value instanceof Uint8Array) return "bytes";
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return "dict";
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? name : "object";
}

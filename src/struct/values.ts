/**
 * How JavaScript values stand in for Python ones when packing: the conversions and checks of
 * CPython's get_long / PyFloat_AsDouble / PyObject_IsTrue, with CPython's messages. These run on
 * the slow path only (unusual types, bigints, out-of-range values, errors).
 *
 * @module
 */
import type { IntRule } from "./codes.ts";
import { StructError } from "./errors.ts";

/** True for a Uint8Array from any realm (Node's Buffer included): Python's bytes/bytearray. */
export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array ||
    (ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === "[object Uint8Array]");
}

/**
 * A value as a Python int, or CPython's StructError: integral numbers (any magnitude), bigints
 * and booleans are ints; everything else (1.5, NaN, strings, …) is not.
 */
export function toPyInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "boolean") return v ? 1n : 0n;
  throw new StructError("required argument is not an integer");
}

/** Checks an int against a format's rule, as the C conversion and the format's check do. */
export function checkInt(rule: IntRule, n: bigint): void {
  if (n < rule.lo || n > rule.hi) throw new StructError(rule.convertMessage);
  if (rule.rangeMessage !== undefined && (n < rule.min || n > rule.max)) {
    throw new StructError(rule.rangeMessage);
  }
}

/**
 * A value as a Python float (PyFloat_AsDouble): numbers, booleans, and bigints that convert to a
 * finite double (correctly rounded, as Python's int → float is).
 */
export function toPyFloat(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") {
    const x = Number(v);
    if (Number.isFinite(x)) return x;
  }
  throw new StructError("required argument is not a float");
}

/** Python truthiness of a value (PyObject_IsTrue): NaN is true, empty containers are false. */
export function pyTruthy(v: unknown): boolean {
  switch (typeof v) {
    case "boolean":
      return v;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
    case "string":
      return v.length > 0;
    case "undefined":
      return false;
    case "object":
      if (v === null) return false;
      if (ArrayBuffer.isView(v)) return v.byteLength > 0;
      if (v instanceof ArrayBuffer) return v.byteLength > 0;
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof Map || v instanceof Set) return v.size > 0;
      if (Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length > 0;
      return true;
    default:
      return true;
  }
}

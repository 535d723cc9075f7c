/**
 * Python's `repr()` of the values `struct.unpack` returns, so that a program (`unstuck struct
 * unpack`, the demo) prints what Python would: `b'hi\x00'`, `1.0`, `1e+16`, `True`, `(1,)`.
 *
 * @module
 */
import type { StructValue } from "./read.ts";

/**
 * `repr(bytes)`: printable ASCII as is, `\t \n \r \\` and the quote escaped, the rest as `\xNN`;
 * double quotes when the bytes hold `'` but not `"`, as CPython does.
 *
 * @example
 * ```ts
 * import { pyBytesRepr } from "@unstuck/unstuck";
 * console.log(pyBytesRepr(new Uint8Array([104, 105, 0]))); // b'hi\x00'
 * ```
 */
export function pyBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = "";
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b >= 0x20 && b < 0x7f) out += ch;
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return `b${quote}${out}${quote}`;
}

/**
 * `repr(float)`: the shortest digits that round-trip (as JavaScript finds them), laid out as
 * Python does: positional from 1e-4 up to 1e16 with at least one decimal, else `1.5e+16`.
 *
 * @example
 * ```ts
 * import { pyFloatRepr } from "@unstuck/unstuck";
 * console.log(pyFloatRepr(1), pyFloatRepr(1e16), pyFloatRepr(-0)); // 1.0 1e+16 -0.0
 * ```
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const [mantissa, expText] = Math.abs(x).toExponential().split("e");
  const exp = Number(expText);
  const digits = mantissa.replace(".", "");
  if (exp >= -4 && exp < 16) {
    const point = exp + 1;
    let text: string;
    if (point <= 0) text = "0." + "0".repeat(-point) + digits;
    else if (point >= digits.length) text = digits + "0".repeat(point - digits.length) + ".0";
    else text = digits.slice(0, point) + "." + digits.slice(point);
    return sign + text;
  }
  const m = digits.length === 1 ? digits : digits[0] + "." + digits.slice(1);
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/**
 * `repr()` of one unpacked value: int, float, bool or bytes.
 *
 * @example
 * ```ts
 * import { pyRepr } from "@unstuck/unstuck";
 * console.log(pyRepr(true), pyRepr(2n ** 64n)); // True 18446744073709551616
 * ```
 */
export function pyRepr(value: StructValue, isFloat = false): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return String(value);
  if (value instanceof Uint8Array) return pyBytesRepr(value);
  return isFloat ? pyFloatRepr(value) : String(value);
}

/**
 * `repr(tuple)`: `()`, `(1,)`, `(1, 2)`.
 *
 * @example
 * ```ts
 * import { pyTupleRepr } from "@unstuck/unstuck";
 * console.log(pyTupleRepr(["1"])); // (1,)
 * ```
 */
export function pyTupleRepr(items: readonly string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

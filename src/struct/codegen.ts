/**
 * The pieces of JavaScript source that compile.ts assembles into a format's fast functions: for
 * each value, the test that the fast path can take it, the statements that write it, and the
 * expression that reads it. Only numbers and fixed text go into them, never user input.
 *
 * @module
 */
import {
  BE,
  BOOL,
  CHAR,
  F16,
  F32,
  F32N,
  F64,
  I16,
  I32,
  I64,
  I8,
  PAD,
  PSTR,
  PTR,
  STR,
  U16,
  U32,
  U64,
  U8,
} from "./codes.ts";
import type { FormatItem, FormatPlan } from "./format.ts";

/** One value of the format: where it is and how it is stored. */
export interface Slot {
  kind: number;
  offset: number;
  item: FormatItem;
}

/** The values of a format one by one (repeat counts unrolled). */
export function slotsOf(plan: FormatPlan): Slot[] {
  const slots: Slot[] = [];
  for (const item of plan.items) {
    if (item.kind === PAD) continue;
    for (let j = 0; j < item.count; j++) {
      slots.push({ kind: item.kind, offset: item.offset + j * item.size, item });
    }
  }
  return slots;
}

/** Byte ranges of the struct that no value covers (pad bytes and alignment), as [from, to). */
export function gapsOf(plan: FormatPlan, slots: Slot[]): [number, number][] {
  const gaps: [number, number][] = [];
  let covered = 0;
  for (const s of slots) {
    if (s.offset > covered) gaps.push([covered, s.offset]);
    covered = Math.max(covered, s.offset + s.item.size);
  }
  if (covered < plan.size) gaps.push([covered, plan.size]);
  return gaps;
}

// `at(k)` is the index expression of byte k of a value; `le` is "true" or "false".

/** The index expression of byte k of a value. */
export type At = (k: number) => string;

/** The largest magnitude a double may have and still round to a finite float (ties to even). */
const F32_LIMIT = 2 ** 128 - 2 ** 103;

/** Stores the `n` low bytes of the integer expression `v`, in the slot's byte order. */
function storeBytes(at: At, v: string, n: number, be: boolean, shift = ">>>"): string {
  let s = "";
  for (let k = 0; k < n; k++) {
    const sh = 8 * (be ? n - 1 - k : k);
    s += `b[${at(k)}] = ${sh ? `${v} ${shift} ${sh}` : v}; `;
  }
  return s;
}

/** Writes `x` with a DataView setter: on the target's view `d`, or on the scratch, copied. */
function setter(at: At, name: string, x: string, n: number, le: string, view: boolean): string {
  if (view) return `d.${name}(${at(0)}, ${x}, ${le}); `;
  let s = `sdv.${name}(0, ${x}, ${le}); `;
  for (let k = 0; k < n; k++) s += `b[${at(k)}] = s8[${k}]; `;
  return s;
}

/** A safe integer as 64-bit two's complement: its low and high 32-bit halves. */
function int64FromNumber(at: At, v: string, be: boolean, view: boolean): string {
  const lo = (k: number): string => at(be ? k + 4 : k);
  const hi = (k: number): string => at(be ? k : k + 4);
  const split = `hi = Math.floor(${v} / 4294967296); lo = ${v} - hi * 4294967296; `;
  if (view) {
    const le = be ? "false" : "true";
    return split + `d.setUint32(${lo(0)}, lo, ${le}); d.setInt32(${hi(0)}, hi, ${le}); `;
  }
  return split + storeBytes(lo, "lo", 4, be) + storeBytes(hi, "hi", 4, be, ">>");
}

/**
 * An expression that is true when the fast path can write `v` into `slot`; "" when every value
 * can be written. Anything else (NaN, infinities for \`e\`, out-of-range values, other types)
 * goes to the interpreter, which writes it or throws CPython's error.
 */
export function checkCode(slot: Slot, v: string): string {
  const num = `typeof ${v} === "number"`;
  switch (slot.kind & ~BE) {
    case I8:
      return `${num} && (${v} << 24 >> 24) === ${v}`;
    case U8:
      return `${num} && (${v} & 255) === ${v}`;
    case I16:
      return `${num} && (${v} << 16 >> 16) === ${v}`;
    case U16:
      return `${num} && (${v} & 65535) === ${v}`;
    case I32:
      return `${num} && (${v} | 0) === ${v}`;
    case U32:
      return `${num} && (${v} >>> 0) === ${v}`;
    // BigInt.asIntN/asUintN(64) is the cheap range test of a bigint in V8 (JSC prefers
    // comparisons, but not by as much as V8 dislikes them).
    case I64:
      return `(typeof ${v} === "bigint" ? BigInt.asIntN(64, ${v}) === ${v} : ` +
        `${num} && Number.isSafeInteger(${v}))`;
    case U64:
      return `(typeof ${v} === "bigint" ? BigInt.asUintN(64, ${v}) === ${v} : ` +
        `${num} && Number.isSafeInteger(${v}) && ${v} >= 0)`;
    case PTR:
      return `(typeof ${v} === "bigint" ? BigInt.asIntN(64, ${v}) === ${v} || ` +
        `BigInt.asUintN(64, ${v}) === ${v} : ${num} && Number.isSafeInteger(${v}))`;
    case F16:
      return `${num} && ${v} < 65520 && ${v} > -65520`;
    case F32:
      return `${num} && (${v} < ${F32_LIMIT} && ${v} > -${F32_LIMIT} || ${v} - ${v} !== 0) && ` +
        `${v} === ${v}`;
    case F32N:
    case F64:
      return `${num} && ${v} === ${v}`;
    case BOOL:
      return "";
    case CHAR:
      return `${v} instanceof Uint8Array && ${v}.length === 1`;
    case STR:
    case PSTR:
      return `${v} instanceof Uint8Array`;
  }
  throw new Error(`unknown value kind ${slot.kind}`);
}

/** Statements writing `v`, which checkCode passed; with `view`, through the DataView `d`. */
export function writeCode(slot: Slot, v: string, at: At, view: boolean, inStruct: boolean): string {
  const kind = slot.kind;
  const be = kind >= BE;
  const le = be ? "false" : "true";
  switch (kind & ~BE) {
    case I8:
    case U8:
      return `b[${at(0)}] = ${v}; `;
    case I16:
    case U16:
      return view ? `d.setUint16(${at(0)}, ${v}, ${le}); ` : storeBytes(at, v, 2, be);
    case I32:
    case U32:
      return view ? `d.setUint32(${at(0)}, ${v}, ${le}); ` : storeBytes(at, v, 4, be);
    case I64:
    case U64:
    case PTR: {
      const big = kind === PTR ? `BigInt.asUintN(64, ${v})` : v;
      const name = (kind & ~BE) === I64 ? "setBigInt64" : "setBigUint64";
      return `if (typeof ${v} === "bigint") { ${setter(at, name, big, 8, le, view)}} ` +
        `else { ${int64FromNumber(at, v, be, view)}} `;
    }
    case F16:
      return view
        ? `d.setUint16(${at(0)}, half(${v}), ${le}); `
        : `h = half(${v}); ${storeBytes(at, "h", 2, be)}`;
    case F32:
    case F32N:
      return setter(at, "setFloat32", v, 4, le, view);
    case F64:
      return setter(at, "setFloat64", v, 8, le, view);
    case BOOL:
      return `b[${at(0)}] = (typeof ${v} === "boolean" ? ${v} : truthy(${v})) ? 1 : 0; `;
    case CHAR:
      return `b[${at(0)}] = ${v}[0]; `;
    case STR: {
      const size = slot.item.size;
      // An empty value leaves the stray 0xff of a 0p before it (see FormatItem.onStrayByte).
      const stray = slot.item.onStrayByte ? `if (${v}.length === 0) b[${at(0)}] = 255; ` : "";
      if (size > 64) return `putBytes(b, ${at(0)}, ${v}, ${size}); ${stray}`;
      // Short fields inline: the loops beat a call to set() or fill().
      return `n = ${v}.length; if (n <= ${size}) { b.set(${v}, ${at(0)}); ` +
        `for (k = n; k < ${size}; k++) b[${at(0)} + k] = 0; } ` +
        `else putBytes(b, ${at(0)}, ${v}, ${size}); ${stray}`;
    }
    case PSTR:
      // CPython 3.11 writes a stray 0xff for 0p; it shows when it lands inside the struct.
      return `putPascal(b, ${at(0)}, ${v}, ${slot.item.size}); ` +
        (slot.item.size === 0 && inStruct ? `b[${at(0)}] = 255; ` : "");
  }
  throw new Error(`unknown value kind ${kind}`);
}

/** An expression reading the value of `slot`. */
export function readCode(slot: Slot, at: At): string {
  const kind = slot.kind;
  const be = kind >= BE;
  const byte = (k: number): string => `b[${at(k)}]`;
  /** The `n` bytes from byte `first` on as one integer (up to 32 bits), in the slot's order. */
  const word = (n: number, first = 0): string => {
    const parts: string[] = [];
    for (let k = 0; k < n; k++) {
      const sh = 8 * (be ? n - 1 - k : k);
      parts.push(sh ? `${byte(first + k)} << ${sh}` : byte(first + k));
    }
    return `(${parts.join(" | ")})`;
  };
  const toScratch = (n: number): string =>
    Array.from({ length: n }, (_, k) => `s8[${k}] = ${byte(k)}, `).join("");
  const le = be ? "false" : "true";
  switch (kind) {
    case I8:
      return `(${byte(0)} << 24 >> 24)`;
    case U8:
      return byte(0);
    case BOOL:
      return `(${byte(0)} !== 0)`;
    case I16:
    case I16 + BE:
      return `(${word(2)} << 16 >> 16)`;
    case U16:
    case U16 + BE:
      return word(2);
    case I32:
    case I32 + BE:
      return word(4);
    case U32:
    case U32 + BE:
      return `(${word(4)} >>> 0)`;
    case I64:
    case I64 + BE:
    case U64:
    case U64 + BE:
    case PTR: {
      const signed = kind === I64 || kind === I64 + BE;
      const lo = `(${word(4, be ? 4 : 0)} >>> 0)`;
      const hi = signed ? word(4, be ? 0 : 4) : `(${word(4, be ? 0 : 4)} >>> 0)`;
      const small = signed ? "h >= -2097152 && h < 2097152" : "h < 2097152";
      return `(l = ${lo}, h = ${hi}, ${small} ? BigInt(h * 4294967296 + l) : wide(h, l))`;
    }
    case F16:
    case F16 + BE:
      return `unhalf(${word(2)})`;
    case F32:
    case F32 + BE:
    case F32N:
      return `(${toScratch(4)}sdv.getFloat32(0, ${le}))`;
    case F64:
    case F64 + BE:
      return `(${toScratch(8)}sdv.getFloat64(0, ${le}))`;
    case CHAR:
      return `copy(b, ${at(0)}, 1)`;
    case STR:
      return `copy(b, ${at(0)}, ${slot.item.size})`;
    case PSTR:
      return `pascal(b, ${at(0)}, ${slot.item.size})`;
  }
  throw new Error(`unknown value kind ${kind}`);
}

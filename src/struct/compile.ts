/**
 * The fast path: straight-line JavaScript generated per format, with constant offsets and inline
 * checks, so `Struct` methods run as a hand-written DataView function would. It only handles the
 * ordinary cases (a Uint8Array buffer, in-range numbers and bigints, Uint8Arrays for bytes); any
 * other input goes to the interpreter (pack.ts, unpack.ts), which owns the semantics and every
 * error. The generated code interpolates numbers and fixed snippets only, never user text.
 *
 * `new Function` is refused by hosts with a strict Content Security Policy; there, and for
 * formats too large to unroll, nothing is compiled and the interpreter does all the work.
 *
 * @module
 */
import { allocBytes } from "./alloc.ts";
import { checkCode, gapsOf, readCode, type Slot, slotsOf, writeCode } from "./codegen.ts";
import { PSTR, STR } from "./codes.ts";
import type { FormatPlan } from "./format.ts";
import { packHalf, unpackHalf } from "./half_float.ts";
import { copyBytes, readPascal, type StructValue } from "./read.ts";
import { pyTruthy } from "./values.ts";
import { putBytes, putPascal } from "./write.ts";

/** The interpreter's entry points for one struct, which the generated code falls back to. */
export interface SlowPaths {
  /** pack with `given` arguments (CPython reports a wrong count). */
  pack(given: number, values: unknown[]): Uint8Array;
  /** pack_into with `given` arguments in all. */
  packInto(given: number, buffer: unknown, offset: unknown, values: unknown[]): void;
  /** unpack. */
  unpack(buffer: unknown): StructValue[];
  /** unpack_from. */
  unpackFrom(buffer: unknown, offset: unknown): StructValue[];
}

/** The generated functions of one struct. */
export interface Compiled {
  /** `Struct.pack`. */
  pack(...values: unknown[]): Uint8Array;
  /** `Struct.packInto`. */
  packInto(buffer: unknown, offset: unknown, ...values: unknown[]): void;
  /** `Struct.unpack`. */
  unpack(buffer: unknown): StructValue[];
  /** `Struct.unpackFrom`. */
  unpackFrom(buffer: unknown, offset?: unknown): StructValue[];
  /** The values at `b[p]`, bounds already checked (for iterUnpack). */
  read(b: Uint8Array, p: number): StructValue[];
}

/** Formats with more values than this are not unrolled. */
const MAX_VALUES = 64;

/** Calls a struct serves on the interpreter before its format is compiled. */
const DEFAULT_AFTER = 8;
let allowed = true;
let after = DEFAULT_AFTER;
let works: boolean | undefined;

/**
 * Sets code generation for structs created afterwards: off (the interpreter does everything),
 * or on after `afterCalls` calls (0: at once). Tests use it to run each engine alone; a host can
 * use it to avoid `new Function` altogether.
 *
 * @example
 * ```ts
 * import { setCodegen } from "./compile.ts";
 * setCodegen(false);
 * ```
 */
export function setCodegen(on: boolean, afterCalls: number = DEFAULT_AFTER): void {
  allowed = on;
  after = afterCalls;
  works = undefined; // probe again: the host may have changed
}

/** How many interpreter calls a struct serves before it is compiled (-1: never). */
export function compileAfter(): number {
  return allowed ? after : -1;
}

function codegenWorks(): boolean {
  if (works === undefined) {
    try {
      works = new Function("return 1")() === 1;
    } catch {
      works = false; // a Content Security Policy without 'unsafe-eval'
    }
  }
  return works;
}

const scratch = new ArrayBuffer(8);
const helpers = {
  s8: new Uint8Array(scratch),
  sdv: new DataView(scratch),
  alloc: allocBytes,
  copy: copyBytes,
  pascal: readPascal,
  putBytes,
  putPascal,
  truthy: pyTruthy,
  half: packHalf,
  unhalf: unpackHalf,
  wide: (h: number, l: number): bigint => (BigInt(h) << 32n) + BigInt(l),
};

function sourceOf(plan: FormatPlan, slots: Slot[]): string {
  const n = slots.length;
  const size = plan.size;
  const params = slots.map((_, j) => `v${j}`).join(", ");
  const checks = slots.map((s, j) => checkCode(s, `v${j}`)).filter((c) => c !== "");
  const valid = checks.length ? checks.map((c) => `(${c})`).join(" &&\n      ") : "true";
  const writes = (view: boolean): string =>
    slots.map((s, j) => writeCode(s, `v${j}`, (k) => `p + ${s.offset + k}`, view, s.offset < size))
      .join("\n    ");
  // packInto zeroes the gaps first, as CPython zeroes the whole struct before it writes.
  const gaps = gapsOf(plan, slots).map(([from, to]) =>
    to - from > 16
      ? `b.fill(0, p + ${from}, p + ${to}); `
      : Array.from({ length: to - from }, (_, k) => `b[p + ${from + k}] = 0; `).join("")
  ).join("");
  // packInto writes through a DataView over the target once the same target comes back (a
  // reused buffer): the view stands for the instanceof check, and multi-byte values take one
  // call each. A new target is written byte by byte (put), which needs no view.
  const multiByte = slots.some((s) => s.item.size > 1 && s.kind !== STR && s.kind !== PSTR);
  const intoSlow = `return intoSlow(arguments.length, b, p${n ? ", " : ""}${params});`;
  const intoEntry = multiByte
    ? `let d = lastView;
    if (b !== lastB || d === undefined) {
      if (!(b instanceof Uint8Array)) ${intoSlow}
      d = view(b);
    }`
    : `if (!(b instanceof Uint8Array)) ${intoSlow}`;
  const args = n ? `, ${params}` : "";
  const intoWrite = multiByte
    ? `if (d !== undefined) putView(b, d, p${args}); else put(b, p${args});`
    : `put(b, p${args});`;
  const readBody = slots.map((s) => readCode(s, (k) => `p + ${s.offset + k}`)).join(",\n      ");
  return `"use strict";
const { s8, sdv, alloc, copy, pascal, putBytes, putPascal, truthy, half, unhalf, wide } = h;
let lastB, lastView;
function view(b) {
  if (b === lastB) return lastView = new DataView(b.buffer, b.byteOffset);
  lastB = b;
  lastView = undefined;
  return undefined;
}
function valid(${params}) {
  return ${valid};
}
function put(b, p${args}) {
  let lo = 0, hi = 0, h = 0, n = 0, k = 0;
  ${writes(false)}
}
function putView(b, d, p${args}) {
  let lo = 0, hi = 0, n = 0, k = 0;
  ${multiByte ? writes(true) : ""}
}
// Out of line, so that the hot functions stay small enough for engines to inline them.
function packSlow(given, ...values) {
  return slow.pack(given, values);
}
function intoSlow(given, b, p, ...values) {
  return slow.packInto(given, b, p, values);
}
function read(b, p) {
  let l = 0, h = 0;
  return [
      ${readBody}
  ];
}
return {
  pack: function pack(${params}) {
    if (arguments.length !== ${n} || !valid(${params})) return packSlow(arguments.length${args});
    const b = alloc(${size});
    put(b, 0${args});
    return b;
  },
  packInto: function packInto(b, p, ${params}) {
    ${intoEntry}
    if (arguments.length !== ${n + 2} || typeof p !== "number" || (p | 0) !== p || p < 0 ||
        p > b.length - ${size} || !valid(${params})) {
      ${intoSlow}
    }
    ${gaps}
    ${intoWrite}
  },
  unpack: function unpack(b) {
    if (!(b instanceof Uint8Array) || b.length !== ${size}) return slow.unpack(b);
    return read(b, 0);
  },
  unpackFrom: function unpackFrom(b, p = 0) {
    if (!(b instanceof Uint8Array) || typeof p !== "number" || (p | 0) !== p || p < 0 ||
        p > b.length - ${size}) {
      return slow.unpackFrom(b, p);
    }
    return read(b, p);
  },
  read,
};`;
}

/**
 * Generates the fast functions of a format, or returns undefined when code generation is off or
 * refused, or the format has too many values to unroll.
 */
export function compile(plan: FormatPlan, slow: SlowPaths): Compiled | undefined {
  if (!allowed || plan.length > MAX_VALUES || !codegenWorks()) return undefined;
  let factory = factories.get(plan.format);
  if (factory === undefined) {
    factory = new Function("h", "slow", sourceOf(plan, slotsOf(plan))) as Factory;
    if (factories.size >= MAX_FACTORIES) factories.clear();
    factories.set(plan.format, factory);
  }
  return factory(helpers, slow);
}

type Factory = (h: typeof helpers, slow: SlowPaths) => Compiled;

/** Generated code by format, so that new Structs of a known format skip `new Function`. */
const factories = new Map<string, Factory>();
const MAX_FACTORIES = 256;

// Decoding and replaying the CPython fixture written by tests/python/gen_struct_cases.py (its
// docstring describes the encoding). Shared by the replay test and the regenerate test.
import * as S from "../../mod.ts";

/** A value as the generator encodes it. */
export type Enc =
  | { i: string }
  | { I: string }
  | { f: string }
  | { b: boolean }
  | { y: string }
  | { mv: string }
  | { s: string }
  | { n: null }
  | { l: Enc[] }
  | { d: Record<string, Enc> };

/** One call and CPython's result. */
export interface Case {
  op: "calcsize" | "struct" | "pack" | "unpack" | "unpack_from" | "pack_into" | "iter_unpack";
  fmt: string | Enc;
  fmtIsValue?: boolean;
  buf?: string | Enc;
  bufIsValue?: boolean;
  offset?: Enc;
  args?: Enc[];
  missing?: "buffer" | "offset";
  ok?: unknown;
  err?: { type: string; message: string };
  after?: string;
}

/** The fixture file. */
export interface Fixture {
  generator: string;
  python: string;
  seed: number;
  count: number;
  cases: Case[];
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function parseFloatRepr(s: string): number {
  if (s === "nan") return NaN;
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  return Number(s);
}

/** A Python value as the JavaScript value that stands for it; ints as bigints if asked. */
export function decode(e: Enc, bigints: boolean): unknown {
  if ("i" in e) {
    const n = BigInt(e.i);
    return !bigints && n >= -(2n ** 53n) + 1n && n <= 2n ** 53n - 1n ? Number(n) : n;
  }
  if ("I" in e) return BigInt(e.I);
  if ("f" in e) return parseFloatRepr(e.f);
  if ("b" in e) return e.b;
  if ("y" in e) return fromHex(e.y);
  if ("mv" in e) return new DataView(fromHex(e.mv).buffer);
  if ("s" in e) return e.s;
  if ("n" in e) return null;
  if ("l" in e) return e.l.map((x) => decode(x, bigints));
  return Object.fromEntries(Object.entries(e.d).map(([k, v]) => [k, decode(v, bigints)]));
}

/** Does a JavaScript result equal CPython's (encoded) result? */
export function same(expected: Enc, actual: unknown): boolean {
  if ("i" in expected) {
    const n = BigInt(expected.i);
    if (typeof actual === "bigint") return actual === n;
    return typeof actual === "number" && Number.isSafeInteger(actual) && BigInt(actual) === n;
  }
  if ("f" in expected) {
    return typeof actual === "number" && Object.is(actual, parseFloatRepr(expected.f));
  }
  if ("b" in expected) return actual === expected.b;
  if ("y" in expected) return actual instanceof Uint8Array && toHex(actual) === expected.y;
  return false;
}

function sameList(expected: Enc[], actual: unknown): boolean {
  return Array.isArray(actual) && actual.length === expected.length &&
    expected.every((e, i) => same(e, actual[i]));
}

/** Does a JavaScript error match CPython's exception (class mapped as documented, message)? */
export function sameError(expected: { type: string; message: string }, e: unknown): boolean {
  if (!(e instanceof Error) || e.message !== expected.message) return false;
  switch (expected.type) {
    case "StructError":
      return e instanceof S.StructError && e.name === "StructError";
    case "OverflowError":
    case "IndexError":
    case "UnicodeEncodeError":
      return e instanceof RangeError;
    case "TypeError":
      return e instanceof TypeError;
    case "SystemError":
      return e.constructor === Error;
  }
  return false;
}

/** True when some int argument of the case would be a number (so a bigint variant differs). */
export function hasSafeInts(c: Case): boolean {
  const encs = [...(c.args ?? []), ...(c.offset ? [c.offset] : [])];
  return encs.some((e) => "i" in e && decode(e, false) !== decode(e, true));
}

/** Runs one case (ints as bigints if asked); returns a description of the mismatch, or "". */
export function replay(c: Case, bigints: boolean): string {
  const fmt = c.fmtIsValue ? decode(c.fmt as Enc, bigints) as string : c.fmt as string;
  const buf = c.buf === undefined
    ? undefined
    : c.bufIsValue
    ? decode(c.buf as Enc, bigints)
    : fromHex(c.buf as string);
  const args = (c.args ?? []).map((a) => decode(a, bigints)) as S.PackValue[];
  const offset = c.offset === undefined ? undefined : decode(c.offset, bigints) as number;
  let result: unknown;
  try {
    switch (c.op) {
      case "calcsize":
        result = S.calcsize(fmt);
        break;
      case "struct": {
        const s = new S.Struct(fmt);
        result = { format: s.format, size: s.size };
        break;
      }
      case "pack":
        result = toHex(S.pack(fmt, ...args));
        break;
      case "unpack":
        result = S.unpack(fmt, buf as Uint8Array);
        break;
      case "unpack_from":
        result = offset === undefined
          ? S.unpackFrom(fmt, buf as Uint8Array)
          : S.unpackFrom(fmt, buf as Uint8Array, offset);
        break;
      case "iter_unpack":
        result = [...S.iterUnpack(fmt, buf as Uint8Array)];
        break;
      case "pack_into":
        if (c.missing !== undefined) {
          // Calls with the buffer, or the offset, missing: what CPython reports is which.
          const call = S.packInto as unknown as (...a: unknown[]) => void;
          if (c.missing === "buffer") call(fmt);
          else call(fmt, new Uint8Array(4));
        } else S.packInto(fmt, buf as Uint8Array, offset as number, ...args);
        result = buf instanceof Uint8Array ? toHex(buf) : undefined;
        break;
    }
  } catch (e) {
    if (c.err === undefined) return `threw ${(e as Error).name}: ${(e as Error).message}`;
    if (!sameError(c.err, e)) {
      return `threw ${(e as Error)?.constructor?.name} ${(e as Error).name}: ${
        (e as Error).message
      }; want ${c.err.type}: ${c.err.message}`;
    }
    if (c.after !== undefined && toHex(buf as Uint8Array) !== c.after) {
      return `buffer after the error ${toHex(buf as Uint8Array)}, want ${c.after}`;
    }
    return "";
  }
  if (c.err !== undefined) return `returned ${show(result)}; want ${c.err.type}: ${c.err.message}`;
  const ok = c.ok;
  let good: boolean;
  switch (c.op) {
    case "calcsize":
    case "pack":
    case "pack_into":
      good = result === ok;
      break;
    case "struct": {
      const r = result as { format: string; size: number };
      const o = ok as { format: string; size: number };
      good = r.format === o.format && r.size === o.size;
      break;
    }
    case "iter_unpack": {
      const rows = result as unknown[];
      const want = ok as Enc[][];
      good = rows.length === want.length && want.every((w, i) => sameList(w, rows[i]));
      break;
    }
    default:
      good = sameList(ok as Enc[], result);
  }
  return good ? "" : `returned ${show(result)}; want ${JSON.stringify(ok)}`;
}

function show(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x) =>
      typeof x === "bigint"
        ? `${x}n`
        : x instanceof Uint8Array
        ? `bytes:${toHex(x)}`
        : typeof x === "number" && !Number.isFinite(x)
        ? String(x)
        : x,
  );
}

// Decoding and replaying the CPython fixture written by tests/python/gen_struct_cases.py (its
// docstring describes the encoding). Shared by the replay test and the regenerate test.
import * as S from "../../mod.ts";
import { setCodegen } from "../../src/struct/compile.ts";
import { parseFormat } from "../../src/struct/format.ts";

/** A value as the generator encodes it. */
export type Enc =
  | { i: string }
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
  if ("f" in e) return parseFloatRepr(e.f);
  if ("b" in e) return e.b;
  if ("y" in e) return fromHex(e.y);
  if ("mv" in e) return new DataView(fromHex(e.mv).buffer);
  if ("s" in e) return e.s;
  if ("n" in e) return null;
  if ("l" in e) return e.l.map((x) => decode(x, bigints));
  return Object.fromEntries(Object.entries(e.d).map(([k, v]) => [k, decode(v, bigints)]));
}

/**
 * Does a JavaScript result equal CPython's (encoded) result? An int must be a bigint where
 * `bigint` says so (8-byte formats), a number elsewhere.
 */
export function same(expected: Enc, actual: unknown, bigint = false): boolean {
  if ("i" in expected) {
    const n = BigInt(expected.i);
    if (bigint) return actual === n;
    return typeof actual === "number" && Number.isSafeInteger(actual) && BigInt(actual) === n;
  }
  if ("f" in expected) {
    return typeof actual === "number" && Object.is(actual, parseFloatRepr(expected.f));
  }
  if ("b" in expected) return actual === expected.b;
  if ("y" in expected) return actual instanceof Uint8Array && toHex(actual) === expected.y;
  return false;
}

/** For each value a format unpacks: whether it is an int that comes back as a bigint. */
function bigintValues(fmt: string): boolean[] {
  return parseFormat(fmt).items.flatMap((item) =>
    item.char === "x" ? [] : Array(item.char === "s" || item.char === "p" ? 1 : item.count).fill(
      item.spec.int !== undefined && item.size === 8,
    )
  );
}

function sameList(expected: Enc[], actual: unknown, bigints: boolean[]): boolean {
  return Array.isArray(actual) && actual.length === expected.length &&
    expected.every((e, i) => same(e, actual[i], bigints[i]));
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

/** Which code answers: the module functions, or a fresh Struct on one engine. */
export type Mode = "functions" | "interpreter" | "compiled";

type Call = (...a: unknown[]) => unknown;

/** The struct API for one format, as module functions or as methods of a new Struct. */
function apiFor(fmt: string, mode: Mode): Record<string, Call> {
  if (mode === "functions") {
    return {
      size: () => S.calcsize(fmt),
      attrs: () => {
        const s = new S.Struct(fmt);
        return { format: s.format, size: s.size };
      },
      pack: (...v) => S.pack(fmt, ...v as S.PackValue[]),
      unpack: (b) => S.unpack(fmt, b as Uint8Array),
      unpackFrom: (...a) => (S.unpackFrom as Call)(fmt, ...a),
      iterUnpack: (b) => S.iterUnpack(fmt, b as Uint8Array),
      packInto: (...a) => (S.packInto as Call)(fmt, ...a),
    };
  }
  setCodegen(mode === "compiled", 0);
  let s: S.Struct;
  try {
    s = new S.Struct(fmt);
  } finally {
    setCodegen(true);
  }
  return {
    size: () => s.size,
    attrs: () => ({ format: s.format, size: s.size }),
    pack: (...v) => s.pack(...v as S.PackValue[]),
    unpack: (b) => s.unpack(b as Uint8Array),
    unpackFrom: (...a) => (s.unpackFrom as Call).apply(s, a),
    iterUnpack: (b) => s.iterUnpack(b as Uint8Array),
    packInto: (...a) => (s.packInto as Call).apply(s, a),
  };
}

/** Can this case run as methods of a Struct (formats given as values are module-level only)? */
export function runsOnStruct(c: Case): boolean {
  return !c.fmtIsValue;
}

/**
 * Runs one case (ints as bigints if asked) on the chosen code; returns a description of the
 * mismatch, or "".
 */
export function replay(c: Case, bigints: boolean, mode: Mode = "functions"): string {
  const fmt = c.fmtIsValue ? decode(c.fmt as Enc, bigints) as string : c.fmt as string;
  const buf = c.buf === undefined
    ? undefined
    : c.bufIsValue
    ? decode(c.buf as Enc, bigints)
    : fromHex(c.buf as string);
  const args = (c.args ?? []).map((a) => decode(a, bigints));
  const offset = c.offset === undefined ? undefined : decode(c.offset, bigints);
  let result: unknown;
  try {
    const api = apiFor(fmt, mode);
    switch (c.op) {
      case "calcsize":
        result = api.size();
        break;
      case "struct":
        result = api.attrs();
        break;
      case "pack":
        result = toHex(api.pack(...args) as Uint8Array);
        break;
      case "unpack":
        result = api.unpack(buf);
        break;
      case "unpack_from":
        result = offset === undefined ? api.unpackFrom(buf) : api.unpackFrom(buf, offset);
        break;
      case "iter_unpack":
        result = [...api.iterUnpack(buf) as Iterable<unknown>];
        break;
      case "pack_into":
        // Calls with the buffer, or the offset, missing: what CPython reports is which.
        if (c.missing === "buffer") api.packInto();
        else if (c.missing === "offset") api.packInto(new Uint8Array(4));
        else {
          if (mode === "compiled" && buf instanceof Uint8Array) {
            // A first call on the same buffer, so that the measured one takes the generated
            // code's other path (through a DataView kept for a returning target).
            try {
              api.packInto(buf, offset, ...args);
            } catch { /* the measured call below must fail the same way */ }
            buf.set(fromHex(c.buf as string));
          }
          api.packInto(buf, offset, ...args);
        }
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
      const bigints = bigintValues(fmt);
      good = rows.length === want.length && want.every((w, i) => sameList(w, rows[i], bigints));
      break;
    }
    default:
      good = sameList(ok as Enc[], result, bigintValues(fmt));
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

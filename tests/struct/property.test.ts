// Property tests of the struct layer (fast-check): random formats and values round-trip, the two
// engines (interpreter, generated code) agree on every input, good or bad, and the entry points
// agree with each other (pack vs packInto vs calcsize vs iterUnpack).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { calcsize, iterUnpack, pack, Struct, unpack } from "../../mod.ts";
import { setCodegen } from "../../src/struct/compile.ts";
import { type FormatItem, parseFormat } from "../../src/struct/format.ts";
import { unpackHalf } from "../../src/struct/half_float.ts";

const ORDERS = ["", "@", "=", "<", ">", "!"];
const CHARS = "xcbB?hHiIlLqQnNPefdsp";

/** A random valid format: byte order, then items with optional counts and whitespace. */
const formatArb: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(...ORDERS),
  fc.array(
    fc.tuple(
      fc.constantFrom(...CHARS),
      fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      fc.constantFrom("", "", " ", "\t"),
    ),
    { maxLength: 6 },
  ),
).map(([order, items]) => {
  const native = order === "" || order === "@";
  return order + items
    .filter(([c]) => native || !"nNP".includes(c))
    .map(([c, n, ws]) => (n === undefined ? "" : String(c === "p" ? Math.max(n, 1) : n)) + c + ws)
    .join("");
});

/** A value that packs and unpacks back to itself, for one value of `item`. */
function valueArb(item: FormatItem): fc.Arbitrary<unknown> {
  const rule = item.spec.int;
  if (rule !== undefined) {
    // P unpacks unsigned, so only its non-negative values come back as they went in.
    const min = item.char === "P" ? 0n : rule.min;
    const big = fc.bigInt({ min, max: rule.max });
    if (item.size < 8) return big.map(Number);
    const safe = fc.integer({ min: Math.max(Number(min), -(2 ** 31)), max: 2 ** 31 }).map(BigInt);
    return fc.oneof(big, safe);
  }
  switch (item.char) {
    case "e":
      return fc.integer({ min: 0, max: 0xffff }).map(unpackHalf);
    case "f":
      return fc.float();
    case "d":
      return fc.double();
    case "?":
      return fc.boolean();
    case "c":
      return fc.uint8Array({ minLength: 1, maxLength: 1 });
    case "s":
      return fc.uint8Array({ minLength: item.size, maxLength: item.size });
    case "p":
      return fc.uint8Array({ maxLength: Math.min(item.size - 1, 255) });
  }
  throw new Error(`no values for ${item.char}`);
}

function valuesArb(format: string): fc.Arbitrary<unknown[]> {
  const arbs: fc.Arbitrary<unknown>[] = [];
  for (const item of parseFormat(format).items) {
    if (item.char === "x") continue;
    const n = item.char === "s" || item.char === "p" ? 1 : item.count;
    for (let j = 0; j < n; j++) arbs.push(valueArb(item));
  }
  return fc.tuple(...arbs);
}

/** Integers at and next to every range boundary of the integer formats. */
const EDGES = [7, 8, 15, 16, 31, 32, 53, 63, 64].flatMap((bits) =>
  [-1n, 0n, 1n].flatMap((d) => [2n ** BigInt(bits) + d, -(2n ** BigInt(bits)) + d])
);

/** Anything a caller might pass, good or bad. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGES) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      ...EDGES.filter((n) => n >= -(2n ** 53n) && n <= 2n ** 53n).map(Number),
    ),
  },
  fc.constantFrom(65504, 65519, 65520, -65520, 3.4028235677973366e38, 1e39, NaN, Infinity, -0),
  fc.integer(),
  fc.integer({ min: -300, max: 300 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.double(),
  fc.float(),
  fc.boolean(),
  fc.constantFrom(null, undefined, "", "a", [], {}),
  fc.uint8Array({ maxLength: 5 }),
);

function make(format: string, compiled: boolean): Struct {
  setCodegen(compiled, 0);
  try {
    return new Struct(format);
  } finally {
    setCodegen(true);
  }
}

/** The outcome of a call: its result or its error, comparable with deepEqual. */
function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

const runs = { numRuns: 300 };

/** Both engines give the same results and errors, and leave the same bytes behind. */
function agree(f: string, values: unknown[], bytes: Uint8Array, offset: number): void {
  const run = (s: Struct): unknown[] => {
    const target = bytes.slice();
    // Twice on the same target: the generated packInto takes another path the second time.
    outcome(() => s.packInto(target, offset, ...values as never[]));
    target.set(bytes);
    return [
      outcome(() => s.pack(...values as never[])),
      outcome(() => s.packInto(target, offset, ...values as never[])),
      target,
      outcome(() => s.unpack(bytes)),
      outcome(() => s.unpackFrom(bytes, offset)),
    ];
  };
  assert.deepEqual(run(make(f, true)), run(make(f, false)));
}

describe("struct properties", () => {
  it("unpack(pack(values)) returns the values, on both engines", () => {
    fc.assert(
      fc.property(formatArb.chain((f) => fc.tuple(fc.constant(f), valuesArb(f))), ([f, values]) => {
        for (const compiled of [false, true]) {
          const s = make(f, compiled);
          const packed = s.pack(...values as never[]);
          assert.equal(packed.length, calcsize(f));
          assert.deepEqual(s.unpack(packed), values);
        }
      }),
      runs,
    );
  });

  it("the interpreter and the generated code agree on any input", () => {
    fc.assert(
      fc.property(
        formatArb,
        fc.array(anyValue, { maxLength: 8 }),
        fc.uint8Array({ maxLength: 48 }),
        fc.integer({ min: -50, max: 50 }),
        agree,
      ),
      runs,
    );
    // Good values but one, so that the bad one is what decides.
    fc.assert(
      fc.property(
        formatArb.chain((f) => fc.tuple(fc.constant(f), valuesArb(f))),
        fc.nat(),
        anyValue,
        fc.uint8Array({ maxLength: 48 }),
        fc.integer({ min: -8, max: 48 }),
        ([f, good], index, bad, bytes, offset) => {
          const values = good.slice();
          if (values.length) values[index % values.length] = bad;
          agree(f, values, bytes, offset);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("packInto writes pack's bytes at the offset and nothing outside them", () => {
    fc.assert(
      fc.property(
        formatArb.chain((f) => fc.tuple(fc.constant(f), valuesArb(f))),
        fc.uint8Array({ maxLength: 16 }),
        fc.uint8Array({ maxLength: 16 }),
        ([f, values], before, after) => {
          const packed = pack(f, ...values as never[]);
          const target = new Uint8Array([...before, ...packed.map((x) => x ^ 0x5a), ...after]);
          new Struct(f).packInto(target, before.length, ...values as never[]);
          assert.deepEqual(target, new Uint8Array([...before, ...packed, ...after]));
        },
      ),
      runs,
    );
  });

  it("iterUnpack walks back-to-back structs", () => {
    fc.assert(
      fc.property(
        formatArb.filter((f) => calcsize(f) > 0).chain((f) =>
          fc.tuple(fc.constant(f), fc.array(valuesArb(f), { maxLength: 4 }))
        ),
        ([f, rows]) => {
          const size = calcsize(f);
          const bytes = new Uint8Array(size * rows.length);
          rows.forEach((r, i) => bytes.set(pack(f, ...r as never[]), i * size));
          assert.deepEqual([...iterUnpack(f, bytes)], rows);
          assert.deepEqual(
            rows.map((_, i) => unpack(f, bytes.subarray(i * size, (i + 1) * size))),
            rows,
          );
        },
      ),
      runs,
    );
  });
});

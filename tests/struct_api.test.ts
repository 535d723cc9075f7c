// The struct API by example: the public functions, the Struct class, value types, and the
// internal format plan the framing layer reads. The exhaustive comparison with CPython is
// tests/struct_cpython.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  calcsize,
  iterUnpack,
  pack,
  packInto,
  Struct,
  StructError,
  unpack,
  unpackFrom,
} from "../mod.ts";
import { integerLayout, parseFormat } from "../src/struct/format.ts";

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe("struct API", () => {
  it("packs and unpacks a mixed record", () => {
    const s = new Struct("<IHHqd");
    assert.equal(s.format, "<IHHqd");
    assert.equal(s.size, 24);
    const packed = s.pack(123456, 7, 9, -5n, 1.5);
    assert.deepEqual(s.unpack(packed), [123456, 7, 9, -5n, 1.5]);
    assert.deepEqual(unpack("<IHHqd", pack("<IHHqd", 1, 2, 3, 4, 5)), [1, 2, 3, 4n, 5]);
  });

  it("returns the documented value types", () => {
    const [c, s, p, b, q, l] = unpack(
      "c2s3p?ql",
      bytes(...Array(1 + 2 + 3 + 1 + 1 + 8 + 8).fill(1)),
    );
    assert.ok(c instanceof Uint8Array && s instanceof Uint8Array && p instanceof Uint8Array);
    assert.equal(b, true);
    assert.equal(typeof q, "bigint");
    assert.equal(typeof l, "bigint", "native l is 8 bytes, so a bigint");
    assert.equal(typeof unpack("<l", bytes(1, 0, 0, 0))[0], "number");
  });

  it("aligns native formats and pads as CPython on x86_64", () => {
    assert.equal(calcsize("@bq"), 16);
    assert.equal(calcsize("<bq"), 9);
    assert.equal(calcsize("llh0l"), 24);
    assert.equal(calcsize("b0q"), 8);
    assert.equal(calcsize("<b0q"), 1);
  });

  it("packInto writes at an offset, negative from the end", () => {
    const buf = new Uint8Array(6);
    packInto(">H", buf, -2, 0x0102);
    assert.deepEqual(buf, bytes(0, 0, 0, 0, 1, 2));
    new Struct("<H").packInto(buf, 0, 0x0304);
    assert.deepEqual(buf, bytes(4, 3, 0, 0, 1, 2));
  });

  it("unpackFrom and iterUnpack", () => {
    assert.deepEqual(unpackFrom(">H", bytes(9, 1, 2), 1), [258]);
    assert.deepEqual([...iterUnpack("<h", bytes(1, 0, 255, 255))], [[1], [-1]]);
  });

  it("reads any bytes-like buffer", () => {
    const u16 = new Uint16Array([0x0102]);
    assert.deepEqual(unpack("<H", u16), [0x0102]);
    assert.deepEqual(unpack("<H", u16.buffer), [0x0102]);
    assert.deepEqual(unpack("<H", new DataView(u16.buffer)), [0x0102]);
  });

  it("throws CPython's errors with CPython's classes", () => {
    assert.throws(() => pack("<h", 40000), {
      name: "StructError",
      message: "short format requires -32768 <= number <= 32767",
    });
    assert.throws(() => pack(">h", 40000), {
      message: "'h' format requires -32768 <= number <= 32767",
    });
    assert.throws(() => unpack("i", bytes(1, 2)), StructError);
    assert.throws(() => pack("<e", 1e6), RangeError);
    assert.throws(() => unpack("i", "abcd" as never), {
      name: "TypeError",
      message: "a bytes-like object is required, not 'str'",
    });
    assert.ok(new StructError("x") instanceof Error);
  });

  it("exposes the parsed plan of a format", () => {
    const plan = parseFormat("@bh2s");
    assert.equal(plan.size, 6);
    assert.deepEqual(plan.items.map((i) => [i.char, i.offset, i.count, i.size]), [
      ["b", 0, 1, 1],
      ["h", 2, 1, 2],
      ["s", 4, 1, 2],
    ]);
    assert.deepEqual(integerLayout("!I"), {
      size: 4,
      signed: false,
      littleEndian: false,
      bigint: false,
      char: "I",
    });
    assert.deepEqual(integerLayout("<q"), {
      size: 8,
      signed: true,
      littleEndian: true,
      bigint: true,
      char: "q",
    });
    assert.equal(integerLayout("2H"), undefined);
    assert.equal(integerLayout("<d"), undefined);
    assert.equal(integerLayout("xB"), undefined);
  });
});

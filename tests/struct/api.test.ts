// The struct API by example: the public functions, the Struct class, value types, and the
// internal format plan the framing layer reads. The exhaustive comparison with CPython is
// tests/struct/cpython.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  calcsize,
  iterUnpack,
  pack,
  packInto,
  type PackValue,
  Struct,
  StructError,
  unpack,
  unpackFrom,
  valueCodes,
} from "../../mod.ts";
import { integerLayout, parseFormat } from "../../src/struct/format.ts";
import { setCodegen } from "../../src/struct/compile.ts";

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
    // An integral number is a Python int: CPython's OverflowError of e on an int argument is a
    // struct.error; on a float (a fractional number) it stays an OverflowError.
    assert.throws(() => pack("<e", 1e6), {
      name: "StructError",
      message: "int too large to convert",
    });
    assert.throws(() => pack("<e", 1e6 + 0.5), {
      name: "RangeError",
      message: "float too large to pack with e format",
    });
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
    // Unsigned in every byte order, native included (CPython's native B/H accept negative input
    // before their range check, which must not make them look signed).
    for (const fmt of ["B", "H", "I", "L", "Q", "N", "P", "@B", "=H", "<B", "!H"]) {
      assert.equal(integerLayout(fmt)?.signed, false, fmt);
    }
    for (const fmt of ["b", "h", "i", "l", "q", "n", "@b", "=h", "<b", "!h"]) {
      assert.equal(integerLayout(fmt)?.signed, true, fmt);
    }
    assert.equal(integerLayout("2H"), undefined);
    assert.equal(integerLayout("<d"), undefined);
    assert.equal(integerLayout("xB"), undefined);
  });

  it("refuses sizes beyond Number.MAX_SAFE_INTEGER that CPython would accept", () => {
    assert.equal(calcsize("9007199254740991x"), 2 ** 53 - 1);
    assert.throws(() => calcsize("9007199254740992x"), {
      name: "RangeError",
      message: "struct size 9007199254740992 is beyond Number.MAX_SAFE_INTEGER",
    });
    // Where CPython itself fails, the error is CPython's.
    assert.throws(() => calcsize("9223372036854775808x"), {
      name: "StructError",
      message: "total struct size too long",
    });
  });

  it("works without code generation, as under a CSP that forbids new Function", () => {
    const saved = globalThis.Function;
    try {
      globalThis.Function = function () {
        throw new EvalError("Refused to evaluate a string as JavaScript");
      } as unknown as FunctionConstructor;
      setCodegen(true, 0);
      const s = new Struct("<IHd");
      assert.deepEqual(Object.getOwnPropertyNames(s).sort(), ["format", "size"]);
      assert.deepEqual(s.unpack(s.pack(1, 2, 0.5)), [1, 2, 0.5]);
    } finally {
      globalThis.Function = saved;
      setCodegen(true);
    }
    setCodegen(true, 0);
    try {
      const s = new Struct("<IHd");
      assert.ok(Object.getOwnPropertyNames(s).includes("pack"), "compiled again");
    } finally {
      setCodegen(true);
    }
  });

  it("packInto into a detached buffer is an error, also after its view was kept", () => {
    setCodegen(true, 0);
    const s = new Struct("<Id");
    setCodegen(true);
    const buf = new Uint8Array(12);
    s.packInto(buf, 0, 1, 2);
    s.packInto(buf, 0, 3, 4); // the generated code now keeps a DataView of buf
    assert.deepEqual(s.unpack(buf), [3, 4]);
    structuredClone(buf.buffer, { transfer: [buf.buffer] });
    assert.equal(buf.length, 0);
    assert.throws(() => s.packInto(buf, 0, 5, 6), {
      name: "StructError",
      message:
        "pack_into requires a buffer of at least 12 bytes for packing 12 bytes at offset 0 (actual buffer size is 0)",
    });
  });

  it("keeps a struct made without code generation on the interpreter", () => {
    setCodegen(false);
    const s = new Struct("<H");
    setCodegen(true);
    for (let i = 0; i < 50; i++) s.unpack(s.pack(i));
    assert.deepEqual(Object.getOwnPropertyNames(s).sort(), ["format", "size"]);
  });

  it("compiles a struct after a few calls, with the same results", () => {
    const s = new Struct(">hq");
    const seen: unknown[] = [];
    for (let i = 0; i < 20; i++) seen.push(s.unpack(s.pack(0 - i, BigInt(i) << 40n)));
    assert.ok(Object.getOwnPropertyNames(s).includes("pack"));
    assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => [0 - i, BigInt(i) << 40n]));
  });

  it("keeps a subclass's overrides when it compiles the format", () => {
    class Counted extends Struct {
      packs = 0;
      override pack(...values: PackValue[]): Uint8Array {
        this.packs++;
        return super.pack(...values);
      }
    }
    const s = new Counted("<I");
    for (let i = 0; i < 20; i++) assert.deepEqual(s.unpack(s.pack(i)), [i]);
    assert.equal(s.packs, 20);
    assert.ok(Object.getOwnPropertyNames(s).includes("unpack"), "unpack was compiled");
  });

  it("names the format character of each value, pad bytes none, a string one", () => {
    assert.deepEqual(valueCodes("<2hx3s?"), ["h", "h", "s", "?"]);
    assert.deepEqual(valueCodes("0s2p4x"), ["s", "p"]);
    assert.deepEqual(valueCodes(""), []);
    for (const format of ["!2I3sq", "@cbB?e", "5x2d"]) {
      assert.equal(
        valueCodes(format).length,
        unpack(format, new Uint8Array(calcsize(format))).length,
      );
    }
    assert.throws(() => valueCodes("!Z"), StructError);
  });
});

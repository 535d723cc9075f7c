// Python's repr() of unpacked values, checked against CPython 3.11's output (recorded here).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pyBytesRepr, pyFloatRepr, pyTupleRepr } from "../../src/struct/py_repr.ts";

describe("py_repr", () => {
  it("formats floats as Python's repr", () => {
    const cases: [number, string][] = [
      [0.0, "0.0"],
      [-0.0, "-0.0"],
      [1.0, "1.0"],
      [1.5, "1.5"],
      [0.1, "0.1"],
      [1e16, "1e+16"],
      [1e15, "1000000000000000.0"],
      [123456789012345.6, "123456789012345.6"],
      [1e-4, "0.0001"],
      [1e-5, "1e-05"],
      [1.5e-5, "1.5e-05"],
      [2.5e300, "2.5e+300"],
      [-3.75e-300, "-3.75e-300"],
      [5e-324, "5e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [Infinity, "inf"],
      [-Infinity, "-inf"],
      [NaN, "nan"],
      [9999999999999998.0, "9999999999999998.0"],
      [1 / 3, "0.3333333333333333"],
      [100.0, "100.0"],
      [1234.5678, "1234.5678"],
      [Math.fround(0.1), "0.10000000149011612"],
    ];
    for (const [x, py] of cases) assert.equal(pyFloatRepr(x), py, String(x));
  });

  it("formats bytes as Python's repr, choosing quotes as CPython does", () => {
    const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
    assert.equal(
      pyBytesRepr(bytes('it\'s "q" \\ \x00\x7f\xff\t\n\r')),
      "b'it\\'s \"q\" \\\\ \\x00\\x7f\\xff\\t\\n\\r'",
    );
    assert.equal(pyBytesRepr(bytes("a'b")), `b"a'b"`);
    assert.equal(pyBytesRepr(bytes("a\"b'")), "b'a\"b\\''");
    assert.equal(pyBytesRepr(new Uint8Array(0)), "b''");
  });

  it("formats tuples, including the one-element comma", () => {
    assert.equal(pyTupleRepr([]), "()");
    assert.equal(pyTupleRepr(["1"]), "(1,)");
    assert.equal(pyTupleRepr(["1", "b''"]), "(1, b'')");
  });
});

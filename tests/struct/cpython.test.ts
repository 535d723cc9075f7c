// The differential suite: replays every case CPython 3.11 produced for
// tests/fixtures/struct_cases.json (written by tests/python/gen_struct_cases.py) and demands the
// same value, of the documented type (ints of 8-byte formats as bigints, other ints as numbers),
// or the same error (class mapped as documented, identical message), three times:
// through the module functions, and as methods of a fresh Struct on each engine (the interpreter
// alone, and the generated code of compile.ts). Cases with int arguments run twice more: ints as
// numbers, then as bigints.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { readJson } from "../_helpers/paths.ts";
import {
  type Case,
  type Fixture,
  hasSafeInts,
  type Mode,
  replay,
  runsOnStruct,
} from "../_helpers/struct_cases.ts";

// UNSTUCK_STRUCT_CASES names another file of cases, e.g. a differential run's:
// python3 tests/python/gen_struct_cases.py --fuzz 10000 > /tmp/cases.json
const other = process.env.UNSTUCK_STRUCT_CASES;
const fixture = other
  ? JSON.parse(readFileSync(other, "utf8")) as Fixture
  : readJson<Fixture>("tests", "fixtures", "struct_cases.json");
const ops: Case["op"][] = [
  "calcsize",
  "struct",
  "pack",
  "unpack",
  "unpack_from",
  "pack_into",
  "iter_unpack",
];

describe(`struct against CPython ${fixture.python} (${fixture.count} cases)`, () => {
  it("has the cases the issue asks for", () => {
    assert.equal(fixture.cases.length, fixture.count);
    assert.ok(fixture.count >= 5000, `only ${fixture.count} cases`);
    assert.match(fixture.python, /^3\.11\./);
  });

  for (const mode of ["functions", "interpreter", "compiled"] as Mode[]) {
    for (const op of ops) {
      const cases = fixture.cases.filter((c) =>
        c.op === op && (mode === "functions" || runsOnStruct(c))
      );
      it(`${mode}: ${op}, ${cases.length} cases agree`, () => {
        assert.ok(cases.length > 0);
        const failures: string[] = [];
        let runs = 0;
        for (const c of cases) {
          for (const bigints of hasSafeInts(c) ? [false, true] : [false]) {
            runs++;
            const why = replay(c, bigints, mode);
            if (why) {
              failures.push(`${JSON.stringify(c)}${bigints ? " [ints as bigints]" : ""}\n  ${why}`);
            }
          }
        }
        assert.equal(
          failures.length,
          0,
          `${failures.length} of ${runs} runs disagree with CPython:\n${
            failures.slice(0, 25).join("\n")
          }`,
        );
      });
    }
  }
});

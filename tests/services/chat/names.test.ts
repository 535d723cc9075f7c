// Chat names: the character set, NFKC, and lookalikes (case-folded UTS #39 skeletons), with the
// table checked against the excerpt of Unicode's confusables.txt it was made from.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { checkName, nameKeys } from "../../../src/services/chat/names.ts";
import { CONFUSABLE_PAIRS } from "../../../src/services/chat/confusables.ts";
import { projectPath } from "../../_helpers/paths.ts";

const same = (a: string, b: string): boolean => {
  const [ka, kb] = [nameKeys(a), nameKeys(b)];
  return ka[0] === kb[0] || ka[1] === kb[1];
};

describe("chat names", () => {
  it("the table is exactly the excerpt of confusables.txt it was generated from", () => {
    const excerpt = readFileSync(
      projectPath("tests/services/chat/fixtures/confusables_excerpt.txt"),
      "utf8",
    );
    assert.match(excerpt, /# Version: 14\.0\.0/);
    const pairs = [...excerpt.matchAll(/^([0-9A-F]+) ;\t([0-9A-F ]+) ;\tMA/gm)].map((m) => [
      String.fromCodePoint(parseInt(m[1], 16)),
      m[2].trim().split(" ").map((h) => String.fromCodePoint(parseInt(h, 16))).join(""),
    ]);
    assert.deepEqual(CONFUSABLE_PAIRS.map(([a, b]) => [a, b]), pairs);
    // Every source is Latin, Greek or Cyrillic, a digit, `_-.`, or a combining mark.
    for (const [from] of CONFUSABLE_PAIRS) {
      assert.match(
        from,
        /^(?:[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Nd}_.\-]|[\u0300-\u036f])$/u,
      );
    }
    assert.ok(CONFUSABLE_PAIRS.length > 500);
  });

  it("the lookalikes of issue 12 are refused as the reserved names", () => {
    for (
      const name of [
        "Server",
        "SERVER",
        "\u0455erver", // Cyrillic dze
        "\u0405ERVER", // Cyrillic capital dze
        "S\u0395RVER", // Greek capital epsilon
        "\u0455\u0435r\u0475\u0435r", // Cyrillic dze, ie, izhitsa
        "ｓｅｒｖｅｒ", // fullwidth: NFKC
        "You",
        "Y\u039fU", // Greek capital omicron
      ]
    ) {
      const result = checkName(name);
      assert.equal(typeof result, "string", name);
      assert.match(result as string, /^the name '(server|you)' is reserved$/, name);
    }
  });

  it("refuses format characters and everything outside letters, digits, _ - .", () => {
    for (
      const [name, code] of [
        ["server\u200b", "U+200B"],
        ["al\u200dice", "U+200D"],
        ["\u202eecila", "U+202E"],
        ["a\u2066b", "U+2066"],
        ["a b", "U+0020"],
        ["a:b", "U+003A"],
        ["a\u0007b", "U+0007"],
        ["a*b", "U+002A"],
      ]
    ) {
      const result = checkName(name);
      assert.equal(typeof result, "string");
      assert.match(result as string, new RegExp(code.replace("+", "\\+")), name);
    }
  });

  it("takes NFKC, and counts characters (code points) after it", () => {
    assert.deepEqual((checkName("ｂｏｂ") as { name: string }).name, "bob");
    assert.deepEqual((checkName("e\u0301") as { name: string }).name, "\u00e9");
    assert.equal(typeof checkName("é".repeat(32)), "object");
    assert.equal(typeof checkName("é".repeat(33)), "string");
    assert.equal(typeof checkName(""), "string");
    assert.equal(typeof checkName("ålice_2.0-b"), "object");
  });

  it("names that look alike share a key; different ones do not", () => {
    assert.ok(same("alice", "ALICE"));
    assert.ok(same("alice", "\u0430lice")); // Cyrillic a
    assert.ok(same("paypal", "p\u0430yp\u0430l"));
    assert.ok(same("Iiam", "liam")); // capital I and small l
    assert.ok(same("vote", "\u03bdote")); // Greek nu
    assert.ok(same("strasse", "straße"));
    assert.ok(!same("alice", "bob"));
    assert.ok(!same("ann", "anna"));
  });

  it("property: keys ignore case and NFKC, and every allowed name is checked the same way", () => {
    const letters = fc.constantFrom(
      ..."abcdefghijklmnopqrstuvwxyzäößéñåαβγδεικμνορστυωабвгдежзийклмнопрстуфхцчшщыэюяѕіј0123456789_-.",
    );
    fc.assert(
      fc.property(fc.array(letters, { minLength: 1, maxLength: 32 }), (chars) => {
        const name = chars.join("");
        const result = checkName(name);
        if (typeof result === "string") {
          assert.match(result, /reserved/);
          return;
        }
        assert.deepEqual(nameKeys(name.toUpperCase()), result.keys);
        assert.deepEqual(nameKeys(name.normalize("NFD")), result.keys);
        assert.ok(same(name, name.toUpperCase()));
      }),
      { numRuns: 1_000 },
    );
  });
});

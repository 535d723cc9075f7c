// The one rule for text that may reach a terminal: which characters are unsafe, and their
// visible escapes. Property tests: escaping leaves nothing unsafe and changes nothing safe.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  codePointLabel,
  escapeUnsafeText,
  findUnsafeCharacter,
  UnsafeTextError,
} from "../../src/services/terminal_text.ts";

/** Every unsafe code point, listed by hand from the rule (not from the module's regex). */
const UNSAFE: number[] = [
  ...range(0x00, 0x08),
  ...range(0x0a, 0x1f),
  ...range(0x7f, 0x9f),
  0x061c,
  0x200e,
  0x200f,
  ...range(0x2028, 0x202e),
  ...range(0x2066, 0x2069),
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Text that mixes ordinary characters with unsafe ones. */
const mixed = fc.array(
  fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 4 }),
    fc.constantFrom(...UNSAFE).map((c) => String.fromCodePoint(c)),
    fc.constantFrom("\t", "\\x1b", "\\", "x"),
  ),
  { maxLength: 20 },
).map((parts) => parts.join(""));

describe("terminal text", () => {
  it("finds each unsafe character, and nothing else below U+3000", () => {
    const unsafe = new Set(UNSAFE);
    for (let c = 0; c < 0x3000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const found = findUnsafeCharacter(`a${String.fromCodePoint(c)}b`);
      assert.equal(found, unsafe.has(c) ? c : undefined, codePointLabel(c));
    }
  });

  it("the attacks of issue 12: CR forging a line, OSC titles, CSI, C1, BEL, backspace, bidi", () => {
    for (
      const text of [
        "hi\rserver: the room is closing",
        "\x1b]0;owned\x07",
        "\x1b[2J\x1b[H",
        "\u009b31m",
        "ding\x07",
        "oops\b\b\bfine",
        "\u202egnp.exe",
        "\u2066isolated\u2069",
      ]
    ) {
      assert.notEqual(findUnsafeCharacter(text), undefined, JSON.stringify(text));
      assert.equal(findUnsafeCharacter(escapeUnsafeText(text)), undefined);
    }
    assert.equal(escapeUnsafeText("\x1b]0;t\x07\u202e"), "\\x1B]0;t\\x07\\u202E");
    assert.equal(findUnsafeCharacter("tab\tstays"), undefined);
  });

  it("LF is allowed only with newlines, CR never", () => {
    assert.equal(findUnsafeCharacter("a\nb"), 0x0a);
    assert.equal(findUnsafeCharacter("a\nb", { newlines: true }), undefined);
    assert.equal(findUnsafeCharacter("a\r\nb", { newlines: true }), 0x0d);
    assert.equal(escapeUnsafeText("a\r\nb", { newlines: true }), "a\\x0D\nb");
  });

  it("property: escaping leaves nothing unsafe, and changes safe text not at all", () => {
    fc.assert(
      fc.property(mixed, fc.boolean(), (text, newlines) => {
        const escaped = escapeUnsafeText(text, { newlines });
        assert.equal(findUnsafeCharacter(escaped, { newlines }), undefined);
        assert.equal(
          findUnsafeCharacter(escaped),
          newlines && escaped.includes("\n") ? 0x0a : undefined,
        );
        const safe = findUnsafeCharacter(text, { newlines }) === undefined;
        assert.equal(escaped === text, safe);
      }),
      { numRuns: 2_000 },
    );
  });

  it("property: any string, escaped, is safe", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        assert.equal(findUnsafeCharacter(escapeUnsafeText(text)), undefined);
      }),
      { numRuns: 2_000 },
    );
  });

  it("UnsafeTextError names the character", () => {
    const error = new UnsafeTextError(0x1b);
    assert.equal(error.name, "UnsafeTextError");
    assert.equal(error.codePoint, 0x1b);
    assert.match(error.message, /U\+001B/);
  });
});

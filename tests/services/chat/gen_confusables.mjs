#!/usr/bin/env node
// Writes src/services/chat/confusables.ts, the chat room's compact lookalike table, from
// Unicode's confusables.txt (UTS #39 data), and the excerpt of it that the tests check the
// table against (tests/services/chat/fixtures/confusables_excerpt.txt).
//
//   node tests/services/chat/gen_confusables.mjs path/to/confusables.txt
//
// Kept: the mappings whose source is one character of the Latin, Greek or Cyrillic script, a
// decimal digit, '_', '-' or '.', or a combining mark of U+0300–U+036F, and can stand in a name
// (a letter, digit, one of `_-.`, or a mark that NFD leaves in one) after NFKC.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const source = process.argv[2];
if (!source) {
  console.error("usage: node tests/services/chat/gen_confusables.mjs path/to/confusables.txt");
  process.exit(2);
}
const text = readFileSync(source, "utf8");
const header = text.split("\n").filter((l) => l.startsWith("#")).slice(0, 12);
const version = /Version: (\S+)/.exec(text)?.[1] ?? "unknown";

/** The excerpt's lines and the table, from confusables.txt's text. */
function select(data) {
  const lines = [];
  const pairs = [];
  for (const m of data.matchAll(/^([0-9A-F]+) ;\t([0-9A-F ]+) ;\tMA\t.*$/gm)) {
    const from = String.fromCodePoint(parseInt(m[1], 16));
    const to = m[2].trim().split(" ").map((h) => String.fromCodePoint(parseInt(h, 16))).join("");
    const script =
      /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Nd}_.\-]$/u.test(from) ||
      /^[\u0300-\u036f]$/u.test(from);
    const nameable = /^[\p{L}\p{Nd}_.\-]$/u.test(from) && from.normalize("NFKC") === from;
    if (!script || !(nameable || /^\p{M}$/u.test(from))) continue;
    lines.push(m[0]);
    pairs.push([from, to]);
  }
  return { lines, pairs };
}

const { lines, pairs } = select(text);
const excerpt = [...header, `# Excerpt: ${lines.length} lines (see gen_confusables.mjs)`, ...lines];
writeFileSync(
  `${root}tests/services/chat/fixtures/confusables_excerpt.txt`,
  excerpt.join("\n") + "\n",
);
const escape = (s) =>
  [...s].map((c) => `\\u{${c.codePointAt(0).toString(16).toUpperCase()}}`).join("");
const body = pairs.map(([from, to]) => `  ["${escape(from)}", "${escape(to)}"],`).join("\n");
writeFileSync(
  `${root}src/services/chat/confusables.ts`,
  `/**
 * Lookalike characters of the Latin, Greek and Cyrillic scripts (and digits, \`_-.\`, combining
 * marks U+0300–U+036F), each with its prototype: the ${pairs.length} mappings of that kind in
 * Unicode's confusables.txt ${version} (UTS #39). Written by tests/services/chat/gen_confusables.mjs;
 * tests/services/chat/names.test.ts checks it against the excerpt of the data it came from.
 *
 * @module
 */

/** [character, prototype] pairs, as confusables.txt maps them. */
export const CONFUSABLE_PAIRS: readonly (readonly [string, string])[] = [
${body}
];
`,
);
console.log(`${pairs.length} mappings from confusables.txt ${version}`);

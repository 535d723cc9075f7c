/**
 * Chat names: which are allowed, and when two are the same name. A name is taken in NFKC form
 * and holds only letters, decimal digits, `_`, `-` and `.` (so no spaces, no `:`, no controls
 * and no format characters such as U+200B or U+202E). Two names are the same when their keys
 * ({@linkcode nameKeys}) are: case-folded confusable skeletons after UTS #39, so `Server`,
 * `ѕerver` (Cyrillic ѕ) and `SΕRVER` (Greek Ε) are all `server`.
 *
 * @module
 */
import { CONFUSABLE_PAIRS } from "./confusables.ts";
import { codePointLabel } from "../terminal_text.ts";

/**
 * The longest name, in characters (code points, after NFKC).
 *
 * @example
 * ```ts
 * import { MAX_NAME_LENGTH } from "./names.ts";
 * console.log(MAX_NAME_LENGTH); // 32
 * ```
 */
export const MAX_NAME_LENGTH = 32;

/**
 * Names nobody may take, nor any lookalike of them: `server` (the operator's lines) and `you`
 * (the room's notices).
 *
 * @example
 * ```ts
 * import { RESERVED_NAMES } from "@unstuck/unstuck";
 * console.log(RESERVED_NAMES); // ["server", "you"]
 * ```
 */
export const RESERVED_NAMES: readonly string[] = Object.freeze(["server", "you"]);

const NAME_CHARACTER = /^[\p{L}\p{Nd}_.\-]$/u;

const PROTOTYPES = new Map<string, string>(CONFUSABLE_PAIRS);

/**
 * Full case folding, near enough for names: upper case then lower case folds `ß` with `ss`,
 * `ς` with `σ` and `ﬁ` with `fi`, as Unicode's case folding does.
 */
function fold(text: string): string {
  return text.toUpperCase().toLowerCase();
}

/** The UTS #39 skeleton with this table: NFD, each character to its prototype, NFD. */
function skeleton(text: string): string {
  let out = "";
  for (const c of text.normalize("NFD")) out += PROTOTYPES.get(c) ?? c;
  return out.normalize("NFD");
}

/**
 * The two keys of a name; two names look alike when either key is the same. Both are
 * case-folded confusable skeletons (UTS #39) of the NFKC name: one of its lower-case form, one
 * of its upper-case form, since lookalikes differ by case (Greek `ν` looks like `v`, `Ν` like
 * `N`; `Ε` looks like `E`, `ε` like nothing Latin), and both forms are what a reader may see.
 *
 * @example
 * ```ts
 * import { nameKeys } from "./names.ts";
 * const [lower] = nameKeys("Server");
 * console.log(lower === nameKeys("\u0455erver")[0]); // true: Cyrillic ѕ
 * console.log(nameKeys("S\u0395RVER")[1] === nameKeys("server")[1]); // true: Greek Ε
 * ```
 */
export function nameKeys(name: string): readonly [lower: string, upper: string] {
  const text = name.normalize("NFKC");
  return [fold(skeleton(fold(text))), fold(skeleton(text.toUpperCase()))];
}

const RESERVED_KEYS = new Map(
  RESERVED_NAMES.flatMap((name) => nameKeys(name).map((key) => [key, name] as const)),
);

/** A name that was checked: its NFKC form, and its key. */
export interface CheckedName {
  /** The name as the room uses it: NFKC of what was asked for. */
  name: string;
  /** Its {@linkcode nameKeys}: another name with either key is the same name. */
  keys: readonly [lower: string, upper: string];
}

/**
 * Checks a name asked for with `/nick`: its NFKC form and key, or why it is refused (a sentence
 * that quotes no character of it raw, only code points).
 *
 * @example
 * ```ts
 * import { checkName } from "./names.ts";
 * console.log(checkName("ålice")); // { name: "ålice", keys: [...] }
 * console.log(checkName("server\u200b")); // "a name holds only letters, digits, '_', '-' and '.' (not U+200B)"
 * ```
 */
export function checkName(asked: string): CheckedName | string {
  const name = asked.normalize("NFKC");
  const characters = [...name];
  if (characters.length < 1 || characters.length > MAX_NAME_LENGTH) {
    return `a name has 1 to ${MAX_NAME_LENGTH} characters`;
  }
  const bad = characters.find((c) => !NAME_CHARACTER.test(c));
  if (bad !== undefined) {
    return `a name holds only letters, digits, '_', '-' and '.' (not ${
      codePointLabel(bad.codePointAt(0)!)
    })`;
  }
  const keys = nameKeys(name);
  const reserved = RESERVED_KEYS.get(keys[0]) ?? RESERVED_KEYS.get(keys[1]);
  if (reserved !== undefined) return `the name '${reserved}' is reserved`;
  return { name, keys };
}

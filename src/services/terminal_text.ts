/**
 * Text from the network that may reach a terminal: which characters can forge or hide what a
 * terminal shows, and the one rule for each side. The chat room refuses a line holding any of
 * them (the sender gets `* error: …` and nobody else sees it); whatever prints text it did not
 * check itself (`chat join`, the servers' stdout and logs) shows each as a visible escape.
 *
 * The characters: C0 controls but tab (ESC starts CSI and OSC sequences, BEL rings, backspace
 * and a lone CR overwrite what is shown, LF forges a line), DEL, C1 controls U+0080–U+009F (CSI
 * and OSC have one-character forms there), the bidi controls (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069: they reorder what is shown) and U+2028/U+2029 (line and
 * paragraph separators, which some terminals and clients break lines at).
 *
 * @module
 */

// deno-lint-ignore no-control-regex -- control characters are exactly what this finds
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;
// deno-lint-ignore no-control-regex -- as above, every match
const UNSAFE_ALL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu;
// deno-lint-ignore no-control-regex -- as above, but LF is allowed
const UNSAFE_BUT_LF = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu;

/** Options of {@linkcode findUnsafeCharacter} and {@linkcode escapeUnsafeText}. */
export interface TerminalTextOptions {
  /** Let LF through (text of several lines, each of which is checked). @default {false} */
  newlines?: boolean;
}

/**
 * The first character of `text` that must not reach a terminal (as a code point), or undefined
 * when there is none. Tab is allowed; LF only with `newlines`.
 *
 * @example
 * ```ts
 * import { findUnsafeCharacter } from "./terminal_text.ts";
 * console.log(findUnsafeCharacter("hi\rserver: x"), findUnsafeCharacter("a\tb")); // 13 undefined
 * ```
 */
export function findUnsafeCharacter(
  text: string,
  options: TerminalTextOptions = {},
): number | undefined {
  const match = options.newlines ? text.replace(/\n/g, "").match(UNSAFE) : text.match(UNSAFE);
  return match === null ? undefined : match[0].codePointAt(0);
}

/**
 * `text` with each character that must not reach a terminal written as a visible escape:
 * `\x1B` up to U+00FF, `\u202E` above. Tab stays; LF stays with `newlines`. For display only:
 * a backslash typed as text is not escaped, so the result is not meant to be parsed back.
 *
 * @example
 * ```ts
 * import { escapeUnsafeText } from "./terminal_text.ts";
 * console.log(escapeUnsafeText("\x1b]0;owned\x07hi")); // "\x1B]0;owned\x07hi", as visible text
 * ```
 */
export function escapeUnsafeText(text: string, options: TerminalTextOptions = {}): string {
  return text.replace(options.newlines ? UNSAFE_BUT_LF : UNSAFE_ALL, (c) => visibleEscape(c));
}

/** One character as its visible escape. */
function visibleEscape(c: string): string {
  const code = c.codePointAt(0)!;
  const hex = code.toString(16).toUpperCase();
  return code <= 0xff ? `\\x${hex.padStart(2, "0")}` : `\\u${hex.padStart(4, "0")}`;
}

/**
 * A code point as Unicode writes it: `U+001B`.
 *
 * @example
 * ```ts
 * import { codePointLabel } from "./terminal_text.ts";
 * console.log(codePointLabel(0x202e)); // "U+202E"
 * ```
 */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Text refused because it holds a character that must not reach a terminal
 * ({@linkcode findUnsafeCharacter}).
 *
 * @example
 * ```ts
 * import { UnsafeTextError } from "./terminal_text.ts";
 * console.log(new UnsafeTextError(0x1b).message); // "text holds the control character U+001B"
 * ```
 */
export class UnsafeTextError extends Error {
  /** Always `"UnsafeTextError"`. */
  override name = "UnsafeTextError";
  /** The first such character, as a code point. */
  readonly codePoint: number;

  /**
   * Creates the error.
   *
   * @param codePoint The first such character, as a code point.
   */
  constructor(codePoint: number) {
    super(`text holds the control character ${codePointLabel(codePoint)}`);
    this.codePoint = codePoint;
  }
}

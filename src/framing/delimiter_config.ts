/**
 * The delimiter codec's options, validated once and shared by its decoder and encoder.
 *
 * @module
 */

import { DEFAULT_MAX_FRAME_LENGTH, integerOption } from "./options.ts";
import type { DelimiterOptions } from "./options.ts";

/** Validated options of the delimiter codec. */
export interface DelimiterConfig {
  /** The delimiter's bytes, at least one. */
  readonly delimiter: Uint8Array;
  /** `"\r\n"` accepted as well as `"\n"` (the delimiter is then `"\n"`). */
  readonly crlf: boolean;
  readonly keepDelimiter: boolean;
  readonly maxFrameLength: number;
  readonly acceptUnterminated: boolean;
  readonly copy: boolean;
}

/** Line feed and carriage return. */
export const LF = 0x0a;
export const CR = 0x0d;

/**
 * Validates delimiter options.
 *
 * @param options The options as given.
 * @returns The validated configuration.
 * @throws {TypeError} For an empty delimiter, or `crlf` with a delimiter other than `"\n"`.
 *
 * @example
 * ```ts
 * import { delimiterConfig } from "./delimiter_config.ts";
 * console.log(delimiterConfig({ delimiter: "\r\n" }).delimiter); // Uint8Array(2) [ 13, 10 ]
 * ```
 */
export function delimiterConfig(options: DelimiterOptions = {}): DelimiterConfig {
  const given = options.delimiter ?? "\n";
  const delimiter = typeof given === "string"
    ? new TextEncoder().encode(given)
    : Uint8Array.from(given);
  if (delimiter.length === 0) throw new TypeError("delimiter must not be empty");
  const crlf = options.crlf === true;
  if (crlf && !(delimiter.length === 1 && delimiter[0] === LF)) {
    throw new TypeError('crlf applies only to the "\\n" delimiter');
  }
  return {
    delimiter,
    crlf,
    keepDelimiter: options.keepDelimiter === true,
    maxFrameLength: integerOption(
      "maxFrameLength",
      options.maxFrameLength,
      DEFAULT_MAX_FRAME_LENGTH,
      0,
    ),
    acceptUnterminated: options.acceptUnterminated === true,
    copy: options.copy === true,
  };
}

/**
 * Finds the first delimiter that lies entirely inside `bytes[from, to)`.
 *
 * @param bytes Where to look.
 * @param delimiter What to look for.
 * @param from First index to consider.
 * @param to End of the range.
 * @returns The delimiter's index, or -1.
 *
 * @example
 * ```ts
 * import { findDelimiter } from "./delimiter_config.ts";
 * console.log(findDelimiter(new Uint8Array([1, 13, 10]), new Uint8Array([13, 10]), 0, 3)); // 1
 * ```
 */
export function findDelimiter(
  bytes: Uint8Array,
  delimiter: Uint8Array,
  from: number,
  to: number,
): number {
  const first = delimiter[0];
  const d = delimiter.length;
  for (let i = bytes.indexOf(first, from); i >= 0 && i + d <= to; i = bytes.indexOf(first, i + 1)) {
    let j = 1;
    while (j < d && bytes[i + j] === delimiter[j]) j++;
    if (j === d) return i;
  }
  return -1;
}

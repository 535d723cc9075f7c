/**
 * The framing the echo server and client share: a length header and a frame limit, or lines;
 * checked once, up front.
 *
 * @module
 */
import {
  createFrameEncoder,
  type DelimiterOptions,
  type LengthPrefixedOptions,
} from "../../framing/mod.ts";
import { ECHO_DEFAULTS } from "./defaults.ts";

/** How frames are delimited on an echo connection. */
export interface LengthFraming {
  /**
   * The length header: any single-integer Python `struct` format (`"!I"`, `"<H"`, `"i"`, …) or
   * `"varint"`. @default {ECHO_DEFAULTS.header}
   */
  header?: string;
  /** The largest payload accepted, in bytes. @default {ECHO_DEFAULTS.maxFrameLength} */
  maxFrameLength?: number;
}

/** How frames are delimited on an echo connection: length headers (the default) or lines. */
export interface EchoFraming extends LengthFraming {
  /**
   * Newline-delimited frames (text lines, for `nc`, `ncat` or `telnet`) instead of
   * length-prefixed ones. A line may end in `"\n"` or `"\r\n"`, neither being part of the
   * frame; a reply line ends in `"\n"`. `maxFrameLength` bounds a line; `header` does not apply.
   * @default {false}
   */
  lines?: boolean;
}

/** Options of the line codec, as {@linkcode echoFraming} returns them for `lines`. */
export type LineFramingOptions = DelimiterOptions & { codec: "delimiter" };

/** Options of the length-prefixed codec, as {@linkcode lengthFraming} returns them. */
export type LengthFramingOptions = LengthPrefixedOptions & {
  codec: "length";
  header: string;
  maxFrameLength: number;
};

/**
 * Turns echo options into codec options, and checks them by building an encoder once (decoders
 * check their options by the same rules), so that a bad header format fails here, before any
 * socket is opened.
 *
 * @throws {TypeError} for a header that is not one struct integer or `varint`
 * @throws {RangeError} for a limit that is not a positive integer
 *
 * @example
 * ```ts
 * import { lengthFraming } from "./framing_options.ts";
 * console.log(lengthFraming({ header: "<H", maxFrameLength: 1024 }).maxFrameLength); // 1024
 * ```
 */
export function lengthFraming(options: LengthFraming): LengthFramingOptions {
  const maxFrameLength = options.maxFrameLength ?? ECHO_DEFAULTS.maxFrameLength;
  if (!Number.isSafeInteger(maxFrameLength) || maxFrameLength < 1) {
    throw new RangeError(`maxFrameLength must be a positive integer, got ${maxFrameLength}`);
  }
  const framing = {
    codec: "length",
    header: options.header ?? ECHO_DEFAULTS.header,
    maxFrameLength,
  } as const;
  createFrameEncoder(framing);
  return framing;
}

/**
 * Turns echo options into the options of the codec that reads frames: the length-prefixed codec
 * (see {@linkcode lengthFraming}), or with `lines` the line codec, which takes `"\n"` and
 * `"\r\n"` ({@linkcode writeFraming} gives the one that writes them).
 *
 * @throws {TypeError} for `header` with `lines`, or a header that is not one struct integer
 * @throws {RangeError} for a limit that is not a positive integer
 *
 * @example
 * ```ts
 * import { echoFraming } from "./framing_options.ts";
 * console.log(echoFraming({ lines: true }).codec); // "delimiter"
 * ```
 */
export function echoFraming(options: EchoFraming): LengthFramingOptions | LineFramingOptions {
  if (!options.lines) return lengthFraming(options);
  if (options.header !== undefined) throw new TypeError("header does not apply to lines");
  const { maxFrameLength } = lengthFraming(options);
  return { codec: "delimiter", delimiter: "\n", crlf: true, maxFrameLength };
}

/**
 * The options of the codec that writes frames: the same as for reading, except that lines are
 * written with `"\n"` alone.
 *
 * @example
 * ```ts
 * import { echoFraming, writeFraming } from "./framing_options.ts";
 * const written = writeFraming(echoFraming({ lines: true }));
 * console.log(written.codec === "delimiter" && written.crlf); // false
 * ```
 */
export function writeFraming(
  framing: LengthFramingOptions | LineFramingOptions,
): LengthFramingOptions | LineFramingOptions {
  return framing.codec === "delimiter" ? { ...framing, crlf: false } : framing;
}

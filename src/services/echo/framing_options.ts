/**
 * The length-prefix framing the echo server and client share: a header format and a frame limit,
 * checked once, up front.
 *
 * @module
 */
import {
  createFrameDecoder,
  createFrameEncoder,
  DEFAULT_MAX_FRAME_LENGTH,
  type LengthPrefixedOptions,
} from "../../framing/mod.ts";

/** How frames are delimited on an echo connection. */
export interface LengthFraming {
  /**
   * The length header: any single-integer Python `struct` format (`"!I"`, `"<H"`, `"i"`, …) or
   * `"varint"`. @default {"!I"}
   */
  header?: string;
  /** The largest payload accepted, in bytes. @default {8388608} */
  maxFrameLength?: number;
}

/** Options of the length-prefixed codec, as {@linkcode lengthFraming} returns them. */
export type LengthFramingOptions = LengthPrefixedOptions & { codec: "length" };

/**
 * Turns echo options into codec options, and checks them by building a decoder once, so that a
 * bad header format fails here, before any socket is opened.
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
  const maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
  if (!Number.isSafeInteger(maxFrameLength) || maxFrameLength < 1) {
    throw new RangeError(`maxFrameLength must be a positive integer, got ${maxFrameLength}`);
  }
  const framing = { codec: "length", header: options.header ?? "!I", maxFrameLength } as const;
  createFrameDecoder(framing);
  createFrameEncoder(framing);
  return framing;
}

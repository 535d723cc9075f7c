/**
 * The options of the three codecs, their defaults, and their validation.
 *
 * @module
 */

/**
 * A length header: a Python `struct` format holding one integer (`"!I"`, `"<H"`, `">Q"`, `"i"`,
 * `"b"`, …), or `"varint"` (unsigned LEB128, as protobuf-delimited and `it-length-prefixed`).
 */
export type LengthHeader = string | "varint";

/** The default `maxFrameLength` of every codec: 8 MiB. */
export const DEFAULT_MAX_FRAME_LENGTH: number = 8 * 1024 * 1024;

/**
 * Options of the length-prefixed codec. On the wire a frame is
 * `[lengthFieldOffset bytes][length field][body]`, where the body's size is the length field's
 * value plus `lengthAdjustment` (minus the header size when `lengthIncludesHeader`). Decoding
 * returns the frame's bytes from `initialBytesToStrip` on: by default, the body.
 */
export interface LengthPrefixedOptions {
  /** The length field's format. @default {"!I"} */
  header?: LengthHeader;
  /** Largest body accepted, in bytes; anything larger is a `FrameTooLargeError`. @default {8388608} */
  maxFrameLength?: number;
  /** Added to the length field's value to get the body size (may be negative). @default {0} */
  lengthAdjustment?: number;
  /**
   * The length field's value counts the whole frame: the `lengthFieldOffset` bytes, the length
   * field itself and the body. @default {false}
   */
  lengthIncludesHeader?: boolean;
  /** Bytes before the length field (a type byte, a magic number, …). @default {0} */
  lengthFieldOffset?: number;
  /**
   * Bytes dropped from the start of each decoded frame. `0` keeps the whole header.
   * @default {lengthFieldOffset + the length field's size}
   */
  initialBytesToStrip?: number;
  /** Return copies instead of views for frames that lie inside one chunk. @default {false} */
  copy?: boolean;
}

/** Options of the delimiter codec: frames end with a byte sequence, such as lines. */
export interface DelimiterOptions {
  /** The sequence that ends each frame (strings are UTF-8 encoded). @default {"\n"} */
  delimiter?: string | Uint8Array;
  /**
   * Lines may end in `"\r\n"` as well as `"\n"` (decoding strips both); the encoder writes
   * `"\r\n"`. Only with the `"\n"` delimiter. @default {false}
   */
  crlf?: boolean;
  /** Keep the delimiter at the end of each decoded frame. @default {false} */
  keepDelimiter?: boolean;
  /** Largest frame accepted, delimiter not counted. @default {8388608} */
  maxFrameLength?: number;
  /** At end of input, return bytes after the last delimiter as a final frame. @default {false} */
  acceptUnterminated?: boolean;
  /** Return copies instead of views for frames that lie inside one chunk. @default {false} */
  copy?: boolean;
}

/** Options of the fixed-size codec: every frame has the same length and no header. */
export interface FixedOptions {
  /** The size of every frame, at least 1. */
  frameLength: number;
  /** Return copies instead of views for frames that lie inside one chunk. @default {false} */
  copy?: boolean;
}

/** Options choosing a codec and configuring it; the length-prefixed codec is the default. */
export type FramingOptions =
  | ({ codec?: "length" } & LengthPrefixedOptions)
  | ({ codec: "delimiter" } & DelimiterOptions)
  | ({ codec: "fixed" } & FixedOptions);

/**
 * Checks that an option is an integer in `[min, max]`; returns it, or `fallback` if absent.
 *
 * @param name The option's name, for the error message.
 * @param value The value given.
 * @param fallback The default.
 * @param min Smallest value allowed.
 * @param max Largest value allowed.
 * @returns The value to use.
 * @throws {RangeError} If the value is not an integer in range.
 *
 * @example
 * ```ts
 * import { integerOption } from "./options.ts";
 * console.log(integerOption("lengthFieldOffset", undefined, 0, 0)); // 0
 * ```
 */
export function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

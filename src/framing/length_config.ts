/**
 * The length-prefixed codec's options, validated once and shared by its decoder and encoder.
 *
 * @module
 */

import { parseHeaderFormat } from "./header_format.ts";
import type { IntegerHeader } from "./header_format.ts";
import { DEFAULT_MAX_FRAME_LENGTH, integerOption } from "./options.ts";
import type { LengthPrefixedOptions } from "./options.ts";

/** Longest varint accepted: ten bytes hold any 64-bit value, as in protobuf. */
export const MAX_VARINT_BYTES = 10;

/** Validated options of the length-prefixed codec. */
export interface LengthConfig {
  /** The fixed-size header, or `null` for varint. */
  readonly header: IntegerHeader | null;
  readonly maxFrameLength: number;
  readonly lengthAdjustment: number;
  readonly lengthIncludesHeader: boolean;
  readonly lengthFieldOffset: number;
  /** Bytes stripped from each frame, or -1 for "the whole header" (offset + length field). */
  readonly initialBytesToStrip: number;
  readonly copy: boolean;
}

/**
 * Validates length-prefixed options.
 *
 * @param options The options as given.
 * @returns The validated configuration.
 * @throws {TypeError} For a bad header format.
 * @throws {RangeError} For an out-of-range number.
 *
 * @example
 * ```ts
 * import { lengthConfig } from "./length_config.ts";
 * console.log(lengthConfig({ header: "<H" }).header?.size); // 2
 * ```
 */
export function lengthConfig(options: LengthPrefixedOptions = {}): LengthConfig {
  const format = options.header ?? "!I";
  return {
    header: format === "varint" ? null : parseHeaderFormat(format),
    maxFrameLength: integerOption(
      "maxFrameLength",
      options.maxFrameLength,
      DEFAULT_MAX_FRAME_LENGTH,
      0,
    ),
    lengthAdjustment: integerOption(
      "lengthAdjustment",
      options.lengthAdjustment,
      0,
      -Number.MAX_SAFE_INTEGER,
    ),
    lengthIncludesHeader: options.lengthIncludesHeader === true,
    lengthFieldOffset: integerOption("lengthFieldOffset", options.lengthFieldOffset, 0, 0, 65_536),
    initialBytesToStrip: integerOption(
      "initialBytesToStrip",
      options.initialBytesToStrip,
      -1,
      0,
    ),
    copy: options.copy === true,
  };
}

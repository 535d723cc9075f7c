/**
 * Framing: streaming codecs that cut a byte stream back into the messages that were sent —
 * length-prefixed (any single-integer `struct` header, or varint), delimiter, fixed-size — correct
 * under any chunking and bounded in memory. See docs/FRAMING.md.
 *
 * @example
 * ```ts
 * import { createFrameDecoder, encodeFrame } from "@unstuck/unstuck";
 * const wire = encodeFrame(new TextEncoder().encode("ping"));
 * const decoder = createFrameDecoder();
 * console.log(decoder.push(wire.subarray(0, 3)), decoder.push(wire.subarray(3)).length); // [] 1
 * ```
 *
 * @module
 */

export { FrameTooLargeError, FramingError, TruncatedFrameError } from "./errors.ts";
export { DEFAULT_MAX_FRAME_LENGTH } from "./options.ts";
export type {
  DelimiterOptions,
  FixedOptions,
  FramingOptions,
  LengthHeader,
  LengthPrefixedOptions,
} from "./options.ts";
export type { FrameDecoder, FrameRangeVisitor } from "./frame_decoder.ts";
export type { FrameEncoder } from "./frame_encoder.ts";
export { integerOption } from "./options.ts"; // for the layers above; not in the root mod.ts
export { createFrameDecoder, createFrameEncoder, encodeFrame, encodeFrameParts } from "./create.ts";
export { decodeFrames } from "./decode_frames.ts";
export type { ChunkSource } from "./decode_frames.ts";
export { FrameDecoderStream, FrameEncoderStream } from "./streams.ts";

/**
 * Builds a codec's decoder or encoder from `FramingOptions`, and the one-call encoders.
 *
 * @module
 */

import { DelimiterDecoder } from "./delimiter_decoder.ts";
import { DelimiterEncoder } from "./delimiter_encoder.ts";
import { delimiterConfig } from "./delimiter_config.ts";
import { FixedDecoder } from "./fixed_decoder.ts";
import { FixedEncoder } from "./fixed_encoder.ts";
import type { FrameDecoder, FrameDecoderBase } from "./frame_decoder.ts";
import type { FrameEncoder } from "./frame_encoder.ts";
import { lengthConfig } from "./length_config.ts";
import { LengthPrefixedDecoder } from "./length_decoder.ts";
import { LengthPrefixedEncoder } from "./length_encoder.ts";
import type {
  DelimiterOptions,
  FixedOptions,
  FramingOptions,
  LengthPrefixedOptions,
} from "./options.ts";

/** One way to build something per codec. */
interface PerCodec<T> {
  length(options: LengthPrefixedOptions): T;
  delimiter(options: DelimiterOptions): T;
  fixed(options: FixedOptions): T;
}

/** Picks the codec named by `options.codec` (the length codec by default). */
function byCodec<T>(options: FramingOptions, build: PerCodec<T>): T {
  switch (options.codec) {
    case undefined:
    case "length":
      return build.length(options);
    case "delimiter":
      return build.delimiter(options);
    case "fixed":
      return build.fixed(options);
    default:
      throw new TypeError(`unknown codec: ${String((options as { codec: unknown }).codec)}`);
  }
}

const DECODERS: PerCodec<FrameDecoderBase> = {
  length: (o) => new LengthPrefixedDecoder(lengthConfig(o)),
  delimiter: (o) => new DelimiterDecoder(delimiterConfig(o)),
  fixed: (o) => new FixedDecoder(o),
};

const ENCODERS: PerCodec<FrameEncoder> = {
  length: (o) => new LengthPrefixedEncoder(lengthConfig(o)),
  delimiter: (o) => new DelimiterEncoder(delimiterConfig(o)),
  fixed: (o) => new FixedEncoder(o),
};

/**
 * Creates a push decoder for one byte stream. Without options: length-prefixed frames with a
 * 4-byte big-endian unsigned header (`"!I"`) and an 8 MiB limit.
 *
 * @param options The codec (`"length"`, `"delimiter"` or `"fixed"`) and its options.
 * @returns A new decoder.
 * @throws {TypeError | RangeError} For invalid options.
 *
 * @example Lines from stdin-like chunks
 * ```ts
 * import { createFrameDecoder } from "@unstuck/unstuck";
 * const lines = createFrameDecoder({ codec: "delimiter", crlf: true, maxFrameLength: 4096 });
 * const text = new TextDecoder();
 * for (const line of lines.push(new TextEncoder().encode("hi\r\nthere\nhalf"))) {
 *   console.log(text.decode(line)); // "hi", then "there"
 * }
 * ```
 */
export function createFrameDecoder(options: FramingOptions = {}): FrameDecoder {
  return byCodec(options, DECODERS);
}

/**
 * The same decoder with its frame-at-a-time core exposed (`decodeFrom`), for `framed()`.
 *
 * @param options The codec and its options.
 * @returns A new decoder.
 *
 * @example
 * ```ts
 * import { createDecoderCore } from "./create.ts";
 * console.log(createDecoderCore({ header: "B" }).decodeFrom(new Uint8Array([0, 0]), 0, () => {}, false)); // 2
 * ```
 */
export function createDecoderCore(options: FramingOptions = {}): FrameDecoderBase {
  return byCodec(options, DECODERS);
}

/**
 * Creates an encoder, for encoding many payloads with the same options.
 *
 * @param options The codec and its options, as for `createFrameDecoder`.
 * @returns A new encoder.
 * @throws {TypeError | RangeError} For invalid options.
 *
 * @example
 * ```ts
 * import { createFrameEncoder } from "@unstuck/unstuck";
 * const encoder = createFrameEncoder({ header: "varint" });
 * const [header, payload] = encoder.encodeParts(new Uint8Array(200));
 * console.log(header, payload.length); // Uint8Array(2) [ 200, 1 ] 200
 * ```
 */
export function createFrameEncoder(options: FramingOptions = {}): FrameEncoder {
  return byCodec(options, ENCODERS);
}

/**
 * Encodes one payload as one frame, in a single new buffer.
 *
 * @param payload The message.
 * @param options The codec and its options (default: `"!I"` length prefix).
 * @returns Header and payload (or payload and delimiter) in one buffer.
 * @throws {FrameTooLargeError} If the payload is over `maxFrameLength` or does not fit the header.
 *
 * @example What Python's `struct.pack('!I', len(data)) + data` sends
 * ```ts
 * import { encodeFrame } from "@unstuck/unstuck";
 * console.log(encodeFrame(new Uint8Array([104, 105]))); // Uint8Array(6) [ 0, 0, 0, 2, 104, 105 ]
 * ```
 */
export function encodeFrame(payload: Uint8Array, options?: FramingOptions): Uint8Array {
  return createFrameEncoder(options).encode(payload);
}

/**
 * Encodes one payload as buffers to write in order, without copying the payload: for sinks that
 * take several buffers at once (`writev`).
 *
 * @param payload The message.
 * @param options The codec and its options (default: `"!I"` length prefix).
 * @returns `[header, payload]` for the length codec; `[payload, delimiter]`; `[payload]`.
 * @throws {FrameTooLargeError} If the payload is over `maxFrameLength` or does not fit the header.
 *
 * @example
 * ```ts
 * import { encodeFrameParts } from "@unstuck/unstuck";
 * const payload = new Uint8Array(1024);
 * const [header, body] = encodeFrameParts(payload, { header: "<I" });
 * console.log(header, body === payload); // Uint8Array(4) [ 0, 4, 0, 0 ] true
 * ```
 */
export function encodeFrameParts(payload: Uint8Array, options?: FramingOptions): Uint8Array[] {
  return createFrameEncoder(options).encodeParts(payload);
}

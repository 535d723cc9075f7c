/**
 * Framing: streaming codecs that cut a byte stream back into the messages that were sent —
 * length-prefixed (any single-integer `struct` header, or varint), delimiter, fixed-size — correct
 * under any chunking and bounded in memory; and `framed()`, a message connection over any byte
 * duplex (a TCP connection, a pair of Web streams). Imports no runtime: runs in a browser too.
 * See docs/FRAMING.md.
 *
 * @example Codecs
 * ```ts
 * import { createFrameDecoder, encodeFrame } from "@unstuck/unstuck";
 * const wire = encodeFrame(new TextEncoder().encode("ping"));
 * const decoder = createFrameDecoder();
 * console.log(decoder.push(wire.subarray(0, 3)), decoder.push(wire.subarray(3)).length); // [] 1
 * ```
 *
 * @example Messages on a connection
 * ```ts
 * import { duplexPair, framed, textCodec } from "@unstuck/unstuck";
 * const [a, b] = duplexPair(); // or a TcpConnection from connect() / listen()
 * await framed(a, { message: textCodec }).send("ping");
 * console.log(await framed(b, { message: textCodec }).receive()); // "ping"
 * ```
 *
 * @module
 */

export {
  FramedClosedError,
  FrameTimeoutError,
  FrameTooLargeError,
  FramingError,
  IdleTimeoutError,
  MessageDecodeError,
  TruncatedFrameError,
} from "./errors.ts";
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
export { Framed, framed } from "./framed.ts";
export type { FramedOptions, ReceiveOptions } from "./framed.ts";
export type { IdleControl } from "./read_timers.ts";
export { bytesCodec, jsonCodec, structCodec, textCodec } from "./message_codec.ts";
export type { MessageCodec } from "./message_codec.ts";
export { ByteReader } from "./byte_reader.ts";
export type { ReadOptions } from "./byte_reader.ts";
export { duplexPair } from "./duplex_pair.ts";
export type { ByteDuplex, ByteTransport, WebStreamPair } from "./transport.ts";
export type { StructValue } from "../struct/mod.ts"; // named by structCodec

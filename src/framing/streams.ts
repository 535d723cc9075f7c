/**
 * The codecs as Web Streams: `readable.pipeThrough(new FrameDecoderStream())`.
 *
 * @module
 */

import { createFrameDecoder, createFrameEncoder } from "./create.ts";
import type { FramingOptions } from "./options.ts";

/** Payloads smaller than this are written as one chunk with their header; larger ones as two. */
const COALESCE_BELOW = 4096;
const NO_BYTES = new Uint8Array(0);

/**
 * A `TransformStream` from byte chunks (cut anywhere) to frames. Errors with the decoder's
 * `FramingError` on bad input, after the frames before it: at once when readers have taken those
 * frames already (a reader waiting on `read()` has), else with the next chunk or the end of input,
 * since erroring a stream drops the chunks still queued in it. At the end of input it errors with
 * `TruncatedFrameError` if the input ended inside a frame. Frames inside one chunk are views of
 * it unless `copy: true`.
 *
 * @example
 * ```ts
 * import { encodeFrame, FrameDecoderStream } from "@unstuck/unstuck";
 * const bytes = encodeFrame(new Uint8Array([1, 2, 3]));
 * const frames = ReadableStream.from([bytes.subarray(0, 5), bytes.subarray(5)])
 *   .pipeThrough(new FrameDecoderStream());
 * for await (const frame of frames) console.log(frame); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export class FrameDecoderStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * Creates a decoding stream with its own decoder.
   *
   * @param options The codec and its options (default: `"!I"` length prefix, 8 MiB limit).
   */
  constructor(options?: FramingOptions) {
    const decoder = createFrameDecoder(options);
    super({
      transform(chunk, controller): void {
        const frames = decoder.push(chunk);
        if (frames.length === 0) return;
        for (let i = 0; i < frames.length; i++) controller.enqueue(frames[i]);
        // push keeps an error that followed good frames for its next call. Erroring the stream
        // drops the frames still queued in it, so the error is made now only if readers took
        // them all already; otherwise it comes with the next chunk or the end of input.
        if ((controller.desiredSize ?? 0) >= 0) decoder.push(NO_BYTES);
      },
      flush(controller): void {
        for (const frame of decoder.end()) controller.enqueue(frame);
      },
    });
  }
}

/**
 * A `TransformStream` from payloads to encoded bytes. A small payload comes out as one chunk
 * (header and payload together, one write on a socket); a payload of 4 KiB or more as two chunks,
 * header then the payload itself, uncopied.
 *
 * @example
 * ```ts
 * import { FrameEncoderStream } from "@unstuck/unstuck";
 * const bytes = ReadableStream.from([new Uint8Array([1, 2])])
 *   .pipeThrough(new FrameEncoderStream({ header: "B" }));
 * for await (const chunk of bytes) console.log(chunk); // Uint8Array(3) [ 2, 1, 2 ]
 * ```
 */
export class FrameEncoderStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * Creates an encoding stream.
   *
   * @param options The codec and its options (default: `"!I"` length prefix, 8 MiB limit).
   */
  constructor(options?: FramingOptions) {
    const encoder = createFrameEncoder(options);
    super({
      transform(payload, controller): void {
        if (payload.length < COALESCE_BELOW) {
          controller.enqueue(encoder.encode(payload));
          return;
        }
        for (const part of encoder.encodeParts(payload)) controller.enqueue(part);
      },
    });
  }
}

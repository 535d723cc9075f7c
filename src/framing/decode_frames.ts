/**
 * Frames from an async source of chunks: `for await (const frame of decodeFrames(conn))`.
 *
 * @module
 */

import { createFrameDecoder } from "./create.ts";
import type { FramingOptions } from "./options.ts";

/** Anything `decodeFrames` reads chunks from. */
export type ChunkSource =
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | ReadableStream<Uint8Array>;

/**
 * Yields each complete frame of a byte stream, in order. Ends when the source ends; throws
 * `TruncatedFrameError` if it ended inside a frame, and any other `FramingError` as soon as the
 * stream breaks the rules (after yielding the frames before that point, without waiting for more
 * input). Breaking out of the loop
 * cancels a `ReadableStream` source (and calls `return()` on an iterator).
 *
 * Frames inside one chunk are views of it, as with `push`; pass `copy: true` if the source
 * reuses its buffers or you keep frames for long.
 *
 * @param source Chunks: an async iterable (a connection), a `ReadableStream`, or an array.
 * @param options The codec and its options (default: `"!I"` length prefix, 8 MiB limit).
 * @returns An async generator of frames.
 *
 * @example
 * ```ts
 * import { decodeFrames, encodeFrame } from "@unstuck/unstuck";
 * const wire = encodeFrame(new TextEncoder().encode("hello"), { header: "varint" });
 * const chunks = [wire.subarray(0, 2), wire.subarray(2)];
 * for await (const frame of decodeFrames(chunks, { header: "varint" })) {
 *   console.log(new TextDecoder().decode(frame)); // "hello"
 * }
 * ```
 */
export async function* decodeFrames(
  source: ChunkSource,
  options?: FramingOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const decoder = createFrameDecoder(options);
  for await (const chunk of chunksOf(source)) {
    const frames = decoder.push(chunk);
    if (frames.length === 0) continue;
    for (let i = 0; i < frames.length; i++) yield frames[i];
    // push keeps an error that followed good frames for its next call: make it now, so that a
    // bad frame ends the loop at once instead of when the peer sends more.
    decoder.push(NO_BYTES);
  }
  yield* decoder.end();
}

const NO_BYTES = new Uint8Array(0);

async function* chunksOf(
  source: ChunkSource,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!(source instanceof ReadableStream)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      yield next.value;
    }
    done = true;
  } finally {
    if (done) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
}

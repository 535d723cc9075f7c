/**
 * The push-decoder contract shared by every codec, and the base class that turns a codec's
 * zero-allocation core (`pushRanges`) into the array-returning `push`.
 *
 * @module
 */

/**
 * Receives one complete frame as a range of a buffer: the frame is `bytes.subarray(start, end)`.
 * `bytes` is the chunk passed to `pushRanges`, or, for a frame that spanned chunks, the decoder's
 * scratch buffer (then `start` is 0). The range is valid only during the call: the scratch buffer
 * is overwritten by the next spanning frame, and the chunk may be reused by its producer. Copy
 * what you keep.
 */
export type FrameRangeVisitor = (bytes: Uint8Array, start: number, end: number) => void;

/**
 * A push decoder: feed it chunks as they arrive, in order, however the network cut them; it
 * returns each complete frame once. One decoder per byte stream.
 *
 * After any error the decoder is failed: every later call throws that same error.
 *
 * @example Two frames stuck together, then one split in two
 * ```ts
 * import { createFrameDecoder, encodeFrame } from "@unstuck/unstuck";
 * const decoder = createFrameDecoder(); // "!I" headers, 8 MiB limit
 * const a = encodeFrame(new TextEncoder().encode("hello"));
 * const b = encodeFrame(new TextEncoder().encode("world"));
 * console.log(decoder.push(new Uint8Array([...a, ...b.subarray(0, 6)])).length); // 1
 * console.log(decoder.push(b.subarray(6)).length); // 1
 * decoder.end(); // throws TruncatedFrameError if the input stopped inside a frame
 * ```
 */
export interface FrameDecoder {
  /**
   * Decodes one chunk. Returns the frames it completes, possibly none. A frame that lies inside
   * `chunk` is returned as a view of it (no copy) unless the `copy` option is set; a frame that
   * spanned chunks is a buffer of its own (or, when all of it but its header came in one chunk,
   * a view of that chunk; with `copy`, always its own). Without `copy`, chunks must not be reused
   * by their producer: large parts of a spanning frame are kept as views of them until the frame
   * is complete. If the chunk holds good frames and then a bad one, the
   * good ones are returned and the error is thrown by the next call: after handling them, call
   * `push(new Uint8Array(0))` to have it at once rather than when the peer sends more.
   */
  push(chunk: Uint8Array): Uint8Array[];
  /**
   * The zero-allocation form of `push`, for consumers that handle each frame at once: calls
   * `onFrame(bytes, start, end)` for each frame the chunk completes, creating no views and no
   * arrays. Frames that span chunks are assembled in a scratch buffer the decoder keeps and reuses
   * (as large as the largest such frame, so at most `maxFrameLength` plus the header), instead of
   * a new buffer each. The `copy` option does not apply. If `onFrame` throws, the decoder is
   * failed and the error propagates.
   */
  pushRanges(chunk: Uint8Array, onFrame: FrameRangeVisitor): void;
  /**
   * Declares the end of the input. Throws `TruncatedFrameError` if it ended inside a frame;
   * returns the frames that the end completes (only a delimiter codec with `acceptUnterminated`
   * has any), otherwise an empty array. The decoder can then be reused for a new stream.
   */
  end(): Uint8Array[];
  /**
   * Bytes the decoder holds between calls: a partial header or frame, and any scratch buffer. A
   * frame that spans chunks is held in a buffer that grows as its bytes arrive (doubling, up to the
   * frame's length), so this follows the bytes received, not the length a header announced.
   */
  readonly bufferedBytes: number;
  /**
   * Bytes of the frame in progress received so far, its header included (0 between frames): what
   * `TruncatedFrameError` would report if the input ended now.
   */
  readonly frameBytesReceived: number;
  /**
   * The largest frame accepted (see the codec's `maxFrameLength` option). Setting it changes the
   * limit for every frame whose length is checked afterwards: a length-prefixed frame's length
   * is checked once, when its header is complete; a delimited frame's as its bytes arrive. The
   * fixed-size codec has no limit to change: there it reads as `frameLength` and setting it
   * throws a `TypeError`.
   *
   * @throws {RangeError} When set to anything but an integer ≥ 0.
   */
  maxFrameLength: number;
}

import { FrameAssembler, KEEP_COPY, KEEP_SCRATCH, KEEP_VIEW } from "./frame_assembler.ts";
import type { Keep } from "./frame_assembler.ts";

const NO_FRAMES: Uint8Array[] = [];

/**
 * A visitor may return this to stop decoding after the frame it was given (used by `framed()`,
 * which decodes one frame per `receive()`); the decoder is then between frames.
 */
export const STOP_DECODING: unique symbol = Symbol("stop decoding");

/** The visitor of the codecs' core: returning {@linkcode STOP_DECODING} stops after that frame. */
export type FrameVisitor = (bytes: Uint8Array, start: number, end: number) => unknown;

/**
 * Shared plumbing: failure state, buffers for frames that span chunks, and `push` built on the
 * codec's `decode`.
 */
export abstract class FrameDecoderBase implements FrameDecoder {
  #failure: unknown = undefined;
  #failed = false;
  #out: Uint8Array[] = NO_FRAMES;
  /** How the current call keeps the bytes of a frame that spans chunks. */
  #keep: Keep = KEEP_VIEW;
  /** Where frames that span chunks are put together. */
  protected readonly assembler: FrameAssembler = new FrameAssembler();
  /** The buffer being delivered, if the decoder assembled it. */
  #assembled: Uint8Array | undefined = undefined;
  readonly #copy: boolean;
  readonly #collect: FrameRangeVisitor;

  /** @param copy Whether `push` copies frames that lie inside a chunk. */
  constructor(copy: boolean) {
    this.#copy = copy;
    this.#collect = (bytes, start, end) => {
      let frame: Uint8Array;
      if (bytes === this.#assembled) {
        // Assembled frames are already the caller's own, unless they sit in the scratch buffer
        // (a frame started by pushRanges and finished by push).
        frame = bytes === this.assembler.scratch ? bytes.slice(start, end) : bytes;
      } else if (this.#copy) frame = bytes.slice(start, end);
      else frame = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
      this.#out.push(frame);
    };
  }

  /**
   * Decodes `chunk` from `pos`, calling `onFrame` per frame, until the chunk is used up or
   * `onFrame` returns {@linkcode STOP_DECODING}; returns the index after the last byte used.
   * Throws on bad input.
   */
  protected abstract decode(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number;
  /** Checks the state at the end of input; returns any final frame. */
  protected abstract finish(): Uint8Array[];
  /** Bytes held between calls, not counting the scratch buffer. */
  protected abstract get pendingBytes(): number;
  /** Whether part of a frame has been decoded (a frame has begun and not completed). */
  abstract get midFrame(): boolean;
  abstract get frameBytesReceived(): number;
  abstract maxFrameLength: number;

  get bufferedBytes(): number {
    return this.pendingBytes + this.assembler.scratch.length;
  }

  /**
   * How the current call keeps bytes of a spanning frame: in the scratch buffer (`pushRanges`),
   * copied (`push` with `copy`), or as views of the chunks (`push`, `framed()`).
   */
  protected get keep(): Keep {
    return this.#keep;
  }

  /**
   * A buffer for a whole frame of `size` bytes that the codec fills at once: the scratch buffer
   * for `pushRanges`, else a new one.
   */
  protected wholeFrameBuffer(size: number): Uint8Array {
    return this.assembler.buffer(size, this.#keep === KEEP_SCRATCH);
  }

  /** Delivers the first `size` bytes of an assembled frame; returns what `onFrame` returned. */
  protected deliverAssembled(frame: Uint8Array, size: number, onFrame: FrameVisitor): unknown {
    this.#assembled = frame;
    try {
      return onFrame(frame, 0, size);
    } finally {
      this.#assembled = undefined;
    }
  }

  pushRanges(chunk: Uint8Array, onFrame: FrameRangeVisitor): void {
    this.decodeFrom(chunk, 0, onFrame, true);
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.#out = out;
    try {
      this.decodeFrom(chunk, 0, this.#collect, false);
    } catch (error) {
      // Deliver the good frames before the bad one; the failure is rethrown by the next call.
      if (out.length === 0) throw error;
    } finally {
      this.#out = NO_FRAMES;
    }
    return out;
  }

  /**
   * Decodes `chunk` from `pos` on, as `pushRanges` (`reuse`: spanning frames are assembled in
   * the scratch buffer) or as `push` (each gets a buffer of its own, delivered as `bytes` with
   * `start` 0 and `end` its length). Stops after a frame for which `onFrame` returns
   * {@linkcode STOP_DECODING}, between that frame and the next; returns the index after the last
   * byte decoded. What `framed()` reads with, one frame at a time.
   *
   * @param chunk The bytes.
   * @param pos Where to start in `chunk`.
   * @param onFrame Called per frame.
   * @param reuse Whether spanning frames may live in the scratch buffer.
   * @returns The index after the last byte decoded: `chunk.length` unless stopped.
   */
  decodeFrom(chunk: Uint8Array, pos: number, onFrame: FrameVisitor, reuse: boolean): number {
    if (this.#failed) throw this.#failure;
    this.#keep = reuse ? KEEP_SCRATCH : this.#copy ? KEEP_COPY : KEEP_VIEW;
    try {
      return this.decode(chunk, pos, onFrame);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  end(): Uint8Array[] {
    if (this.#failed) throw this.#failure;
    try {
      return this.finish();
    } catch (error) {
      this.#fail(error);
      throw error;
    } finally {
      this.assembler.release();
    }
  }

  /**
   * `framed()`'s fast path for one frame: when the decoder is between frames and the frame at
   * `pos` lies wholly inside `chunk` (and is within the limit), sets `frameStart` and returns the
   * frame's end; otherwise returns -1, and `decodeFrom` does the work (and raises any error).
   * Codecs without such a path return -1.
   *
   * @param chunk The bytes.
   * @param pos Where the next frame starts.
   * @returns The end of the frame `chunk[frameStart, end)`, or -1.
   */
  nextInChunk(_chunk: Uint8Array, _pos: number): number {
    return -1;
  }

  /** Where the frame found by `nextInChunk` starts. */
  frameStart = 0;

  /** Whether the decoder has failed (every later call throws). */
  protected get failed(): boolean {
    return this.#failed;
  }

  #fail(error: unknown): void {
    this.#failed = true;
    this.#failure = error;
    this.assembler.release();
  }
}

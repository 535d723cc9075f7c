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
   * spanned chunks is a buffer of its own. If the chunk holds good frames and then a bad one, the
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
  /** Bytes the decoder holds between calls: a partial header or frame, and any scratch buffer. */
  readonly bufferedBytes: number;
}

const NO_FRAMES: Uint8Array[] = [];
const NO_BYTES = new Uint8Array(0);

/**
 * Shared plumbing: failure state, buffers for frames that span chunks, and `push` built on the
 * codec's `decode`.
 */
export abstract class FrameDecoderBase implements FrameDecoder {
  #failure: unknown = undefined;
  #failed = false;
  #out: Uint8Array[] = NO_FRAMES;
  /** Whether the current call lets spanning frames live in `#scratch` (pushRanges) or not. */
  #reuse = false;
  #scratch: Uint8Array = NO_BYTES;
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
        frame = bytes === this.#scratch ? bytes.slice(start, end) : bytes;
      } else if (this.#copy) frame = bytes.slice(start, end);
      else frame = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
      this.#out.push(frame);
    };
  }

  /** Decodes a chunk, calling `onFrame` per frame; throws on bad input. */
  protected abstract decode(chunk: Uint8Array, onFrame: FrameRangeVisitor): void;
  /** Checks the state at the end of input; returns any final frame. */
  protected abstract finish(): Uint8Array[];
  /** Bytes held between calls, not counting the scratch buffer. */
  protected abstract get pendingBytes(): number;

  get bufferedBytes(): number {
    return this.pendingBytes + this.#scratch.length;
  }

  /**
   * A buffer to assemble a frame of `size` bytes that spans chunks: a new one for `push`, the
   * reused scratch buffer for `pushRanges`.
   */
  protected frameBuffer(size: number): Uint8Array {
    if (!this.#reuse) return new Uint8Array(size);
    if (this.#scratch.length < size) this.#scratch = new Uint8Array(size);
    return this.#scratch;
  }

  /** Whether `frame` is the scratch buffer (already counted by `bufferedBytes`). */
  protected isScratch(frame: Uint8Array | null): boolean {
    return frame === this.#scratch;
  }

  /** Delivers the first `size` bytes of a buffer from `frameBuffer`. */
  protected deliverAssembled(frame: Uint8Array, size: number, onFrame: FrameRangeVisitor): void {
    this.#assembled = frame;
    try {
      onFrame(frame, 0, size);
    } finally {
      this.#assembled = undefined;
    }
  }

  pushRanges(chunk: Uint8Array, onFrame: FrameRangeVisitor): void {
    this.#reuse = true;
    this.#decode(chunk, onFrame);
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.#out = out;
    this.#reuse = false;
    try {
      this.#decode(chunk, this.#collect);
    } catch (error) {
      // Deliver the good frames before the bad one; the failure is rethrown by the next call.
      if (out.length === 0) throw error;
    } finally {
      this.#out = NO_FRAMES;
    }
    return out;
  }

  end(): Uint8Array[] {
    if (this.#failed) throw this.#failure;
    this.#scratch = NO_BYTES;
    try {
      return this.finish();
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  #decode(chunk: Uint8Array, onFrame: FrameRangeVisitor): void {
    if (this.#failed) throw this.#failure;
    try {
      this.decode(chunk, onFrame);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  #fail(error: unknown): void {
    this.#failed = true;
    this.#failure = error;
    this.#scratch = NO_BYTES;
  }
}

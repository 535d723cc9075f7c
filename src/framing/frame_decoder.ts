/**
 * The push-decoder contract shared by every codec, and the base class that turns a codec's
 * zero-allocation core (`pushRanges`) into the array-returning `push`.
 *
 * @module
 */

/**
 * Receives one complete frame as a range of a buffer: the frame is `bytes.subarray(start, end)`.
 * `bytes` is either the chunk passed to `pushRanges` or a buffer the decoder assembled for a
 * frame that spanned chunks (then `start` is 0 and `end` is its length). Valid only during the
 * call for the chunk's bytes if the caller reuses its chunk buffers.
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
   * good ones are returned and the error is thrown by the next call.
   */
  push(chunk: Uint8Array): Uint8Array[];
  /**
   * The zero-allocation form of `push`: calls `onFrame(bytes, start, end)` for each frame the
   * chunk completes, creating no views and no array (the `copy` option does not apply). If
   * `onFrame` throws, the decoder is failed and the error propagates.
   */
  pushRanges(chunk: Uint8Array, onFrame: FrameRangeVisitor): void;
  /**
   * Declares the end of the input. Throws `TruncatedFrameError` if it ended inside a frame;
   * returns the frames that the end completes (only a delimiter codec with `acceptUnterminated`
   * has any), otherwise an empty array. The decoder can then be reused for a new stream.
   */
  end(): Uint8Array[];
  /** Bytes the decoder holds between calls (a partial header or frame). */
  readonly bufferedBytes: number;
}

const NO_FRAMES: Uint8Array[] = [];

/** Shared plumbing: failure state, and `push` built on the codec's `decode`. */
export abstract class FrameDecoderBase implements FrameDecoder {
  /** The buffer the codec assembled for the frame being delivered, if it is one. */
  protected owned: Uint8Array | undefined = undefined;
  #failure: unknown = undefined;
  #failed = false;
  #out: Uint8Array[] = NO_FRAMES;
  readonly #copy: boolean;
  readonly #collect: FrameRangeVisitor;

  /** @param copy Whether `push` copies frames that lie inside a chunk. */
  constructor(copy: boolean) {
    this.#copy = copy;
    this.#collect = (bytes, start, end) => {
      this.#out.push(
        bytes === this.owned || (start === 0 && end === bytes.length && !this.#copy)
          ? bytes
          : this.#copy
          ? bytes.slice(start, end)
          : bytes.subarray(start, end),
      );
    };
  }

  /** Decodes a chunk, calling `onFrame` per frame; throws on bad input. */
  protected abstract decode(chunk: Uint8Array, onFrame: FrameRangeVisitor): void;
  /** Checks the state at the end of input; returns any final frame. */
  protected abstract finish(): Uint8Array[];
  /** Bytes held between calls. */
  abstract get bufferedBytes(): number;

  /** Calls `onFrame` with an assembled buffer, marked so that `push` neither copies nor views it. */
  protected deliverOwned(frame: Uint8Array, onFrame: FrameRangeVisitor): void {
    this.owned = frame;
    onFrame(frame, 0, frame.length);
    this.owned = undefined;
  }

  pushRanges(chunk: Uint8Array, onFrame: FrameRangeVisitor): void {
    if (this.#failed) throw this.#failure;
    try {
      this.decode(chunk, onFrame);
    } catch (error) {
      this.#failed = true;
      this.#failure = error;
      throw error;
    }
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.#out = out;
    try {
      this.pushRanges(chunk, this.#collect);
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
    try {
      return this.finish();
    } catch (error) {
      this.#failed = true;
      this.#failure = error;
      throw error;
    }
  }
}

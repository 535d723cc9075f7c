/**
 * Holds the bytes of a frame that spans chunks until it is complete, with memory that follows the
 * bytes received rather than the length a header announced (a peer that announces 8 MiB and sends
 * 10 bytes costs kilobytes), while a frame that arrives in large chunks is still copied once.
 *
 * @module
 */

const NO_BYTES = new Uint8Array(0);

/**
 * The first buffer for a frame that spans chunks is at least this large (or the frame's size, if
 * smaller): frames up to 16 KiB are assembled with one copy into a buffer of their final size.
 */
export const MIN_FRAME_CAPACITY = 16 * 1024;

/**
 * A part at least this large of a chunk its producer does not reuse is kept as a view until the
 * frame is complete, then copied once into the frame; smaller parts are copied at once (so a
 * frame sent a byte at a time cannot pin a view per byte).
 */
export const MIN_VIEW_PART = 4 * 1024;

/**
 * How a part of a chunk may be kept: `KEEP_SCRATCH` copies it into the reused scratch buffer
 * (`pushRanges`: the chunk may be reused); `KEEP_COPY` into a buffer of the frame's own (`push`
 * with `copy: true`, the decoder's own header buffer); `KEEP_VIEW` keeps a large part as a view
 * of the chunk (its producer does not reuse it).
 */
export type Keep = typeof KEEP_SCRATCH | typeof KEEP_COPY | typeof KEEP_VIEW;
/** See {@linkcode Keep}. */
export const KEEP_SCRATCH = 0;
/** See {@linkcode Keep}. */
export const KEEP_COPY = 1;
/** See {@linkcode Keep}. */
export const KEEP_VIEW = 2;

/**
 * Assembles one frame at a time. Bytes are copied into a tail buffer that grows by doubling
 * (capped at what the frame still needs), or, for large parts of chunks that are not reused, kept
 * as views; the complete frame is the tail itself when it holds everything, the one view when
 * that is everything, or else one new buffer with every part copied in. Once the stream has
 * completed a frame of some size, a frame up to that size gets a buffer of its own size as soon
 * as it begins (so what is held follows the bytes the peer has sent, over the stream), and its
 * bytes are copied there as they come: then frames are allocated in the same rhythm as they are
 * released, which keeps allocators recycling the same memory (on Node, glibc returned each
 * freed 1 MiB buffer to the system and faulted fresh pages for the next: 8× the page faults).
 *
 * @example
 * ```ts
 * import { FrameAssembler, KEEP_COPY } from "./frame_assembler.ts";
 * const frames = new FrameAssembler();
 * frames.begin(3);
 * frames.add(new Uint8Array([1, 2]), 0, 2, KEEP_COPY);
 * frames.add(new Uint8Array([3]), 0, 1, KEEP_COPY);
 * console.log(frames.take()); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export class FrameAssembler {
  /** The buffer `pushRanges` reuses for its frames: as large as the largest it assembled. */
  #scratch: Uint8Array = NO_BYTES;
  #size = 0;
  /** Parts no longer written to (views, or tails closed by a view), and their bytes. */
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  /** Where copied bytes go; `#tailLen` of them are used. */
  #tail: Uint8Array = NO_BYTES;
  #tailLen = 0;
  /** The largest frame completed: one as large gets its own buffer as soon as it begins. */
  #proven = 0;

  /** The reused scratch buffer. */
  get scratch(): Uint8Array {
    return this.#scratch;
  }

  /** Bytes held for the frame in progress, not counting the scratch buffer. */
  get held(): number {
    return this.#partBytes + (this.#tail === this.#scratch ? 0 : this.#tail.length);
  }

  /** Bytes of the frame received so far. */
  get received(): number {
    return this.#partBytes + this.#tailLen;
  }

  /** Starts a frame of `size` bytes (dropping any frame in progress). */
  begin(size: number): void {
    this.reset();
    this.#size = size;
  }

  /** Adds `bytes[start, end)` to the frame, kept as `keep` says. */
  add(bytes: Uint8Array, start: number, end: number, keep: Keep): void {
    const n = end - start;
    if (n === 0) return;
    if (keep !== KEEP_SCRATCH && this.#tail.length === 0 && this.#size <= this.#proven) {
      // The peer has sent a frame this large before: this one gets its buffer at once, as
      // the frame before it did (a buffer freed and taken again, not fresh pages each time).
      this.#tail = new Uint8Array(this.#size);
    }
    if (keep === KEEP_VIEW && n >= MIN_VIEW_PART && this.#tail.length < this.#size) {
      this.#closeTail();
      this.#parts.push(bytes.subarray(start, end));
      this.#partBytes += n;
      return;
    }
    const tail = this.#room(this.#tailLen + n, keep === KEEP_SCRATCH);
    tail.set(
      start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end),
      this.#tailLen,
    );
    this.#tailLen += n;
  }

  /**
   * The complete frame: a buffer whose first `size` bytes are the frame (the scratch buffer may
   * be longer). Ends the frame.
   */
  take(): Uint8Array {
    if (this.#size > this.#proven) this.#proven = this.#size;
    const parts = this.#parts;
    let frame: Uint8Array;
    if (parts.length === 0) frame = this.#tail;
    else if (parts.length === 1 && this.#tailLen === 0) frame = parts[0];
    else {
      this.#closeTail();
      frame = new Uint8Array(this.#size);
      let at = 0;
      for (const part of parts) {
        frame.set(part, at);
        at += part.length;
      }
    }
    this.reset();
    return frame;
  }

  /**
   * A buffer for a whole frame of `size` bytes that the caller fills at once: the scratch buffer
   * (grown if needed) when `scratch`, else a new one.
   */
  buffer(size: number, scratch: boolean): Uint8Array {
    if (!scratch) return new Uint8Array(size);
    if (this.#scratch.length < size) this.#scratch = new Uint8Array(size);
    return this.#scratch;
  }

  /** Drops the frame in progress. */
  reset(): void {
    if (this.#parts.length > 0) this.#parts = [];
    this.#partBytes = 0;
    this.#tail = NO_BYTES;
    this.#tailLen = 0;
    this.#size = 0;
  }

  /** Drops the frame in progress, the scratch buffer, and what the stream has proven. */
  release(): void {
    this.reset();
    this.#scratch = NO_BYTES;
    this.#proven = 0;
  }

  /** Makes the tail a closed part, so that a view can follow it. */
  #closeTail(): void {
    if (this.#tailLen === 0) return;
    // A tail in the scratch buffer could be overwritten by a later frame: copy it out.
    const used = this.#tail.subarray(0, this.#tailLen);
    this.#parts.push(this.#tail === this.#scratch ? used.slice() : used);
    this.#partBytes += this.#tailLen;
    this.#tail = NO_BYTES;
    this.#tailLen = 0;
  }

  /** The tail, with room for `need` bytes: it doubles, but never beyond what the frame needs. */
  #room(need: number, scratch: boolean): Uint8Array {
    const tail = this.#tail;
    if (need <= tail.length && (tail === this.#scratch) === scratch) return tail;
    const bound = this.#size - this.#partBytes;
    let grown: Uint8Array;
    if (scratch && this.#scratch.length >= need && this.#scratch !== tail) grown = this.#scratch;
    else {
      const first = this.#tailLen === 0;
      const capacity = Math.min(
        bound,
        Math.max(need, first ? MIN_FRAME_CAPACITY : 0, 2 * (first ? need : tail.length)),
      );
      grown = new Uint8Array(capacity);
      if (scratch) this.#scratch = grown;
    }
    if (this.#tailLen > 0) grown.set(tail.subarray(0, this.#tailLen));
    this.#tail = grown;
    return grown;
  }
}

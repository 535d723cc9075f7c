/**
 * The delimiter decoder core: frames end with a byte sequence (a line feed by default). A frame
 * whose delimiter has not arrived yet is held in a buffer that grows by doubling up to the limit,
 * so a long line costs amortised linear time and never more than `maxFrameLength` of memory.
 *
 * @module
 */

import { FrameTooLargeError, TruncatedFrameError } from "./errors.ts";
import { FrameDecoderBase, STOP_DECODING } from "./frame_decoder.ts";
import type { FrameVisitor } from "./frame_decoder.ts";
import { CR, findDelimiter } from "./delimiter_config.ts";
import type { DelimiterConfig } from "./delimiter_config.ts";
import { integerOption } from "./options.ts";

/** A pending buffer larger than this is let go once its frame is delivered. */
const KEEP_PENDING_CAPACITY = 64 * 1024;
const NO_BYTES = new Uint8Array(0);

/**
 * Decoder of the delimiter codec. Build it with `createFrameDecoder({ codec: "delimiter" })`.
 *
 * @example
 * ```ts
 * import { delimiterConfig } from "./delimiter_config.ts";
 * import { DelimiterDecoder } from "./delimiter_decoder.ts";
 * const decoder = new DelimiterDecoder(delimiterConfig({ crlf: true }));
 * const lines = decoder.push(new TextEncoder().encode("one\r\ntwo\n"));
 * console.log(lines.map((l) => new TextDecoder().decode(l))); // [ "one", "two" ]
 * ```
 */
export class DelimiterDecoder extends FrameDecoderBase {
  readonly #delimiter: Uint8Array;
  readonly #crlf: boolean;
  readonly #keep: boolean;
  #max = 0;
  /** Most bytes that may wait for a delimiter: a frame, a partial delimiter, a `\r`. */
  #pendingLimit = 0;
  readonly #acceptUnterminated: boolean;
  #pending: Uint8Array = NO_BYTES;
  #pendingLen = 0;

  /** @param config Validated options (see `delimiterConfig`). */
  constructor(config: DelimiterConfig) {
    super(config.copy);
    this.#delimiter = config.delimiter;
    this.#crlf = config.crlf;
    this.#keep = config.keepDelimiter;
    this.maxFrameLength = config.maxFrameLength;
    this.#acceptUnterminated = config.acceptUnterminated;
  }

  protected get pendingBytes(): number {
    return this.#pending.length;
  }

  get midFrame(): boolean {
    return this.#pendingLen > 0;
  }

  get maxFrameLength(): number {
    return this.#max;
  }

  set maxFrameLength(value: number) {
    this.#max = integerOption("maxFrameLength", value, 0, 0);
    this.#pendingLimit = this.#max + this.#delimiter.length - 1 + (this.#crlf ? 1 : 0);
  }

  protected decode(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number {
    const delimiter = this.#delimiter;
    const d = delimiter.length;
    const n = chunk.length;
    if (this.#pendingLen > 0) {
      // Pending bytes continue at the chunk's start (framed() stops only between frames).
      if (pos > 0) return pos + this.decode(chunk.subarray(pos), 0, onFrame);
      const found = this.#findAcross(chunk);
      if (found < 0) {
        this.#append(chunk, 0);
        return n;
      }
      pos = found + d - this.#pendingLen;
      if (this.#emitPending(chunk, found, onFrame) === STOP_DECODING) return pos;
    }
    const crlf = this.#crlf;
    const keep = this.#keep;
    const single = d === 1 ? delimiter[0] : -1;
    for (;;) {
      const i = single >= 0 ? chunk.indexOf(single, pos) : findDelimiter(chunk, delimiter, pos, n);
      if (i < 0) break;
      const end = crlf && i > pos && chunk[i - 1] === CR ? i - 1 : i;
      if (end - pos > this.#max) throw new FrameTooLargeError(end - pos, this.#max);
      const start = pos;
      pos = i + d;
      if (onFrame(chunk, start, keep ? pos : end) === STOP_DECODING) return pos;
    }
    if (pos < n) this.#append(chunk, pos);
    return n;
  }

  get frameBytesReceived(): number {
    return this.#pendingLen;
  }

  protected finish(): Uint8Array[] {
    const len = this.#pendingLen;
    if (len === 0) return [];
    const frame = this.#pending.slice(0, len);
    this.#pending = NO_BYTES;
    this.#pendingLen = 0;
    if (!this.#acceptUnterminated) {
      throw new TruncatedFrameError(
        len,
        this.#delimiter.length,
        `input ended inside a frame: ${len} bytes received without a delimiter`,
      );
    }
    if (len > this.#max) throw new FrameTooLargeError(len, this.#max);
    return [frame];
  }

  /**
   * Finds the delimiter that ends the pending frame: one that starts in the pending bytes and ends
   * in the chunk, or else the first one in the chunk. Returns its index counted from the start of
   * the pending bytes, or -1.
   */
  #findAcross(chunk: Uint8Array): number {
    const delimiter = this.#delimiter;
    const d = delimiter.length;
    const pending = this.#pending;
    const len = this.#pendingLen;
    for (let k = Math.max(0, len - d + 1); k < len; k++) {
      let j = 0;
      for (; j < d; j++) {
        const p = k + j;
        const b = p < len ? pending[p] : p - len < chunk.length ? chunk[p - len] : -1;
        if (b !== delimiter[j]) break;
      }
      if (j === d) return k;
    }
    const i = findDelimiter(chunk, delimiter, 0, chunk.length);
    return i < 0 ? -1 : len + i;
  }

  /**
   * Delivers the frame made of the pending bytes and the chunk's bytes before the delimiter, and
   * empties the pending bytes; returns what `onFrame` returned.
   */
  #emitPending(chunk: Uint8Array, found: number, onFrame: FrameVisitor): unknown {
    const len = this.#pendingLen;
    const pending = this.#pending;
    let end = found;
    if (this.#crlf && found > 0) {
      const last = found - 1 < len ? pending[found - 1] : chunk[found - 1 - len];
      if (last === CR) end--;
    }
    if (end > this.#max) throw new FrameTooLargeError(end, this.#max);
    const size = this.#keep ? found + this.#delimiter.length : end;
    const frame = this.wholeFrameBuffer(size);
    frame.set(size <= len ? pending.subarray(0, size) : pending.subarray(0, len));
    if (size > len) frame.set(chunk.subarray(0, size - len), len);
    this.#pendingLen = 0;
    if (pending.length > KEEP_PENDING_CAPACITY) this.#pending = NO_BYTES;
    return this.deliverAssembled(frame, size, onFrame);
  }

  /** Keeps `chunk[from..]` until its delimiter arrives, failing once it cannot fit the limit. */
  #append(chunk: Uint8Array, from: number): void {
    const add = chunk.length - from;
    const need = this.#pendingLen + add;
    if (need > this.#pendingLimit) {
      throw new FrameTooLargeError(
        need,
        this.#max,
        `frame exceeds the limit of ${this.#max} bytes: ${need} bytes without a delimiter`,
      );
    }
    if (need > this.#pending.length) {
      const grown = new Uint8Array(
        Math.min(this.#pendingLimit, Math.max(need, this.#pending.length * 2, 64)),
      );
      grown.set(this.#pending.subarray(0, this.#pendingLen));
      this.#pending = grown;
    }
    this.#pending.set(chunk.subarray(from), this.#pendingLen);
    this.#pendingLen = need;
  }
}

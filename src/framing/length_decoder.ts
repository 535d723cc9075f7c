/**
 * The length-prefixed decoder core: reads `[offset bytes][length field][body]` frames from chunks
 * cut anywhere, returning in-chunk frames as ranges of the chunk and assembling spanning frames
 * with one copy into a buffer of their final size.
 *
 * @module
 */

import { FrameTooLargeError, FramingError, TruncatedFrameError } from "./errors.ts";
import { KEEP_COPY, KEEP_VIEW } from "./frame_assembler.ts";
import { FrameDecoderBase, STOP_DECODING } from "./frame_decoder.ts";
import type { FrameVisitor } from "./frame_decoder.ts";
import { lengthReader } from "./length_field.ts";
import type { LengthReader } from "./length_field.ts";
import { MAX_VARINT_BYTES } from "./length_config.ts";
import type { LengthConfig } from "./length_config.ts";
import { integerOption } from "./options.ts";

const IDLE = 0;
const HEADER = 1;
const BODY = 2;

/**
 * Decoder of the length-prefixed codec. Build it with `createFrameDecoder`.
 *
 * @example
 * ```ts
 * import { lengthConfig } from "./length_config.ts";
 * import { LengthPrefixedDecoder } from "./length_decoder.ts";
 * const decoder = new LengthPrefixedDecoder(lengthConfig({ header: "B" }));
 * console.log(decoder.push(new Uint8Array([2, 104, 105, 0]))); // [ Uint8Array(2) [ 104, 105 ], Uint8Array(0) [] ]
 * ```
 */
export class LengthPrefixedDecoder extends FrameDecoderBase {
  readonly #read: LengthReader | null;
  readonly #offset: number;
  /** offset + length field size; for varint, offset + 1 (the least a header can be). */
  readonly #minHeader: number;
  #max: number;
  readonly #adjust: number;
  readonly #includesHeader: boolean;
  readonly #strip: number;
  /** No adjustment, no length-includes-header, default strip: the fast paths apply. */
  readonly #simple: boolean;

  #state = IDLE;
  /** The frame's first bytes while its header is incomplete. */
  readonly #head: Uint8Array;
  #headLen = 0;
  /** The size of the frame being assembled, its wire bytes still to come and to skip. */
  #frameSize = 0;
  #remaining = 0;
  #skip = 0;
  #wireSize = 0;
  /** Where the last varint ended (set by #varint). */
  #varintEnd = 0;
  /** Set when a visitor returned STOP_DECODING; cleared by #resume. */
  #stopped = false;

  /** @param config Validated options (see `lengthConfig`). */
  constructor(config: LengthConfig) {
    super(config.copy);
    const { header, lengthFieldOffset } = config;
    this.#read = header === null ? null : lengthReader(header);
    this.#offset = lengthFieldOffset;
    this.#minHeader = lengthFieldOffset + (header === null ? 1 : header.size);
    this.#max = config.maxFrameLength;
    this.#adjust = config.lengthAdjustment;
    this.#includesHeader = config.lengthIncludesHeader;
    this.#strip = config.initialBytesToStrip;
    this.#simple = this.#strip < 0 && this.#adjust === 0 && !this.#includesHeader;
    this.#head = new Uint8Array(lengthFieldOffset + MAX_VARINT_BYTES);
  }

  protected get pendingBytes(): number {
    return this.#state === BODY ? this.assembler.held : this.#headLen;
  }

  get midFrame(): boolean {
    return this.#state !== IDLE;
  }

  get maxFrameLength(): number {
    return this.#max;
  }

  set maxFrameLength(value: number) {
    this.#max = integerOption("maxFrameLength", value, 0, 0);
  }

  protected decode(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number {
    if (this.#state === HEADER) pos = this.#continueHeader(chunk, pos, onFrame);
    else if (this.#state === BODY) pos = this.#continueBody(chunk, pos, onFrame);
    if (this.#stopped) return this.#resume(pos);
    if (this.#state !== IDLE) return pos;
    // The common cases (no adjustment, default strip) are kept free of the general arithmetic.
    if (!this.#simple) pos = this.#decodeGeneral(chunk, pos, onFrame);
    else if (this.#read !== null) pos = this.#decodeFixed(chunk, pos, onFrame, this.#read);
    else pos = this.#decodeVarint(chunk, pos, onFrame);
    if (this.#stopped) return this.#resume(pos);
    // What is left is the start of a frame that the chunk does not complete.
    return pos < chunk.length ? this.#startFrame(chunk, pos, onFrame) : pos;
  }

  override nextInChunk(chunk: Uint8Array, pos: number): number {
    if (this.#state !== IDLE || !this.#simple || this.failed) return -1;
    const read = this.#read;
    const n = chunk.length;
    let start: number;
    let body: number;
    if (read !== null) {
      start = pos + this.#minHeader;
      if (start > n) return -1;
      body = read(chunk, pos + this.#offset);
    } else {
      const p = pos + this.#offset;
      if (p >= n) return -1;
      body = chunk[p];
      if (body >= 0x80) return -1; // a longer varint: the general path reads it
      start = p + 1;
    }
    if (body < 0 || body > this.#max) return -1; // decodeFrom raises the error
    const end = start + body;
    if (end > n) return -1;
    this.frameStart = start;
    return end;
  }

  /** Returns `pos` after a visitor stopped the decoding. */
  #resume(pos: number): number {
    this.#stopped = false;
    return pos;
  }

  /** Frames inside the chunk from `pos`, fixed-size header, default options; returns the end. */
  #decodeFixed(
    chunk: Uint8Array,
    pos: number,
    onFrame: FrameVisitor,
    read: LengthReader,
  ): number {
    const n = chunk.length;
    const off = this.#offset;
    const headerEnd = this.#minHeader;
    while (n - pos >= headerEnd) {
      const body = read(chunk, pos + off);
      if (body < 0 || body > this.#max) throw new FrameTooLargeError(body, this.#max);
      const end = pos + headerEnd + body;
      if (end > n) break;
      if (onFrame(chunk, pos + headerEnd, end) === STOP_DECODING) {
        this.#stopped = true;
        return end;
      }
      pos = end;
    }
    return pos;
  }

  /** The same with a varint header; one-byte varints are read inline. */
  #decodeVarint(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number {
    const n = chunk.length;
    const off = this.#offset;
    while (pos + off < n) {
      let p = pos + off;
      let body = chunk[p];
      if (body < 0x80) p++;
      else {
        body = this.#varint(chunk, p, n);
        if (body < 0) break;
        p = this.#varintEnd;
      }
      if (body > this.#max) throw new FrameTooLargeError(body, this.#max);
      const end = p + body;
      if (end > n) break;
      if (onFrame(chunk, p, end) === STOP_DECODING) {
        this.#stopped = true;
        return end;
      }
      pos = end;
    }
    return pos;
  }

  /** Frames inside the chunk from `pos`, any options; returns where the first incomplete starts. */
  #decodeGeneral(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number {
    const n = chunk.length;
    const read = this.#read;
    while (n - pos >= this.#minHeader) {
      let headerEnd = this.#minHeader;
      let value: number;
      if (read !== null) {
        value = read(chunk, pos + this.#offset);
      } else {
        value = this.#varint(chunk, pos + this.#offset, n);
        if (value < 0) break;
        headerEnd = this.#varintEnd - pos;
      }
      const frameEnd = this.#frameEnd(value, headerEnd);
      if (pos + frameEnd > n) break;
      const start = pos + (this.#strip < 0 ? headerEnd : this.#strip);
      pos += frameEnd;
      if (onFrame(chunk, start, pos) === STOP_DECODING) {
        this.#stopped = true;
        return pos;
      }
    }
    return pos;
  }

  get frameBytesReceived(): number {
    if (this.#state === IDLE) return 0;
    return this.#state === BODY ? this.#wireSize - this.#remaining : this.#headLen;
  }

  protected finish(): Uint8Array[] {
    if (this.#state === IDLE) return [];
    const inBody = this.#state === BODY;
    const received = this.frameBytesReceived;
    // Inside the header the frame's size is unknown: what is missing is a lower bound.
    const missing = inBody ? this.#remaining : this.#headerNeed();
    this.#reset();
    throw new TruncatedFrameError(
      received,
      missing,
      inBody
        ? `input ended inside a frame: ${received} bytes received, ${missing} bytes missing`
        : `input ended inside a frame header: ${received} bytes received, ` +
          `at least ${missing} bytes missing`,
    );
  }

  #reset(): void {
    this.#state = IDLE;
    this.#headLen = 0;
    this.assembler.reset();
    this.#frameSize =
      this.#remaining =
      this.#skip =
        0;
  }

  /**
   * Reads a varint whose first byte is at `p`, stopping at `end`. Returns its value and sets
   * `#varintEnd`, or returns -1 if the varint continues past `end`.
   */
  #varint(bytes: Uint8Array, p: number, end: number): number {
    let value = 0;
    let scale = 1;
    const start = p;
    for (;;) {
      if (p >= end) return -1;
      const b = bytes[p++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) break;
      if (p - start === MAX_VARINT_BYTES) {
        throw new FramingError(`varint length header is longer than ${MAX_VARINT_BYTES} bytes`);
      }
      scale *= 128;
    }
    this.#varintEnd = p;
    return value;
  }

  /** Checks a length field's value; returns the frame's size on the wire, header included. */
  #frameEnd(value: number, headerEnd: number): number {
    const max = this.#max;
    if (value < 0) throw new FrameTooLargeError(value, max);
    // Beyond 2^53 the value is inexact, and a negative lengthAdjustment would make it look small.
    if (value > Number.MAX_SAFE_INTEGER) {
      throw new FrameTooLargeError(
        value,
        max,
        `length field ${value} is beyond 2^53 - 1 (the limit is ${max} bytes)`,
      );
    }
    const body = value + this.#adjust - (this.#includesHeader ? headerEnd : 0);
    if (body > max) throw new FrameTooLargeError(body, max);
    if (body < 0) {
      throw new FramingError(
        `length field ${value} with lengthAdjustment ${this.#adjust}` +
          `${this.#includesHeader ? " and a header of " + headerEnd + " bytes" : ""}` +
          ` gives a negative body length (${body})`,
      );
    }
    const frameEnd = headerEnd + body;
    if (this.#strip > frameEnd) {
      throw new FramingError(
        `initialBytesToStrip ${this.#strip} is more than the frame's ${frameEnd} bytes`,
      );
    }
    return frameEnd;
  }

  /** Starts a frame at `pos` that the chunk does not complete, keeping its bytes. */
  #startFrame(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number {
    this.#state = HEADER;
    this.#headLen = 0;
    return this.#continueHeader(chunk, pos, onFrame);
  }

  /** How many more header bytes are certainly needed (varints: 1 while they continue). */
  #headerNeed(): number {
    const len = this.#headLen;
    if (this.#read !== null || len < this.#minHeader) return this.#minHeader - len;
    return this.#head[len - 1] < 0x80 ? 0 : 1;
  }

  /** Feeds header bytes from `pos`; returns where the chunk's unread bytes begin. */
  #continueHeader(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number {
    const head = this.#head;
    let need: number;
    while ((need = this.#headerNeed()) > 0) {
      if (pos === chunk.length) return pos;
      if (this.#headLen === head.length) this.#varint(head, this.#offset, head.length);
      const take = Math.min(need, chunk.length - pos);
      head.set(chunk.subarray(pos, pos + take), this.#headLen);
      this.#headLen += take;
      pos += take;
    }
    const headerEnd = this.#headLen;
    const value = this.#read !== null
      ? this.#read(head, this.#offset)
      : this.#varint(head, this.#offset, headerEnd);
    const frameEnd = this.#frameEnd(value, headerEnd);
    const strip = this.#strip < 0 ? headerEnd : this.#strip;
    const size = frameEnd - strip;
    const kept = Math.max(0, headerEnd - strip);
    this.#state = BODY;
    this.#frameSize = size;
    this.#skip = Math.max(0, strip - headerEnd);
    this.#remaining = frameEnd - headerEnd;
    this.#wireSize = frameEnd;
    this.#headLen = 0;
    this.assembler.begin(size);
    // The header buffer is reused: what the frame keeps of it is copied.
    const keep = this.keep === KEEP_VIEW ? KEEP_COPY : this.keep;
    if (kept > 0) this.assembler.add(head, strip, headerEnd, keep);
    return this.#continueBody(chunk, pos, onFrame);
  }

  /** Feeds body bytes from `pos`; returns where the chunk's unread bytes begin. */
  #continueBody(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number {
    const take = Math.min(this.#remaining, chunk.length - pos);
    const skip = Math.min(this.#skip, take);
    this.assembler.add(chunk, pos + skip, pos + take, this.keep);
    this.#skip -= skip;
    this.#remaining -= take;
    if (this.#remaining > 0) return chunk.length;
    const size = this.#frameSize;
    const frame = this.assembler.take();
    this.#reset();
    if (this.deliverAssembled(frame, size, onFrame) === STOP_DECODING) this.#stopped = true;
    return pos + take;
  }
}

/**
 * The fixed-size decoder core: every frame is `frameLength` bytes, with no header.
 *
 * @module
 */

import { TruncatedFrameError } from "./errors.ts";
import { FrameDecoderBase, STOP_DECODING } from "./frame_decoder.ts";
import type { FrameVisitor } from "./frame_decoder.ts";
import { integerOption } from "./options.ts";
import type { FixedOptions } from "./options.ts";

/**
 * Decoder of the fixed-size codec. Build it with `createFrameDecoder({ codec: "fixed", … })`.
 *
 * @example
 * ```ts
 * import { FixedDecoder } from "./fixed_decoder.ts";
 * const decoder = new FixedDecoder({ frameLength: 2 });
 * console.log(decoder.push(new Uint8Array([1, 2, 3])).length); // 1
 * ```
 */
export class FixedDecoder extends FrameDecoderBase {
  readonly #size: number;
  /** Whether a frame is being assembled. */
  #partial = false;

  /** @param options The frame length, and whether `push` copies. */
  constructor(options: FixedOptions) {
    super(options.copy === true);
    if (options.frameLength === undefined) throw new RangeError("frameLength is required");
    this.#size = integerOption("frameLength", options.frameLength, 0, 1);
  }

  protected get pendingBytes(): number {
    return this.#partial ? this.assembler.held : 0;
  }

  get midFrame(): boolean {
    return this.#partial;
  }

  /** The frame length; it cannot be changed. */
  get maxFrameLength(): number {
    return this.#size;
  }

  set maxFrameLength(_value: number) {
    throw new TypeError(
      "fixed-size frames have no maxFrameLength to change (frameLength is fixed)",
    );
  }

  protected decode(chunk: Uint8Array, pos: number, onFrame: FrameVisitor): number {
    const size = this.#size;
    const n = chunk.length;
    const frames = this.assembler;
    if (this.#partial) {
      const take = Math.min(size - frames.received, n - pos);
      frames.add(chunk, pos, pos + take, this.keep);
      pos += take;
      if (frames.received < size) return pos;
      this.#partial = false;
      if (this.deliverAssembled(frames.take(), size, onFrame) === STOP_DECODING) return pos;
    }
    for (let end = pos + size; end <= n; end += size) {
      const start = pos;
      pos = end;
      if (onFrame(chunk, start, end) === STOP_DECODING) return pos;
    }
    if (pos < n) {
      this.#partial = true;
      frames.begin(size);
      frames.add(chunk, pos, n, this.keep);
    }
    return n;
  }

  get frameBytesReceived(): number {
    return this.#partial ? this.assembler.received : 0;
  }

  protected finish(): Uint8Array[] {
    if (!this.#partial) return [];
    const received = this.assembler.received;
    this.#partial = false;
    this.assembler.reset();
    throw new TruncatedFrameError(received, this.#size - received);
  }
}

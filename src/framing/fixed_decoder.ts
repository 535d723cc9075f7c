/**
 * The fixed-size decoder core: every frame is `frameLength` bytes, with no header.
 *
 * @module
 */

import { TruncatedFrameError } from "./errors.ts";
import { FrameDecoderBase } from "./frame_decoder.ts";
import type { FrameRangeVisitor } from "./frame_decoder.ts";
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
  #frame: Uint8Array | null = null;
  #filled = 0;

  /** @param options The frame length, and whether `push` copies. */
  constructor(options: FixedOptions) {
    super(options.copy === true);
    if (options.frameLength === undefined) throw new RangeError("frameLength is required");
    this.#size = integerOption("frameLength", options.frameLength, 0, 1);
  }

  protected get pendingBytes(): number {
    return this.#frame === null || this.isScratch(this.#frame) ? 0 : this.#size;
  }

  protected decode(chunk: Uint8Array, onFrame: FrameRangeVisitor): void {
    const size = this.#size;
    const n = chunk.length;
    let pos = 0;
    const frame = this.#frame;
    if (frame !== null) {
      pos = Math.min(size - this.#filled, n);
      frame.set(chunk.subarray(0, pos), this.#filled);
      this.#filled += pos;
      if (this.#filled < size) return;
      this.#frame = null;
      this.deliverAssembled(frame, size, onFrame);
    }
    for (let end = pos + size; end <= n; end += size) {
      onFrame(chunk, pos, end);
      pos = end;
    }
    if (pos < n) {
      this.#frame = this.frameBuffer(size);
      this.#frame.set(chunk.subarray(pos));
      this.#filled = n - pos;
    }
  }

  protected finish(): Uint8Array[] {
    if (this.#frame === null) return [];
    const received = this.#filled;
    this.#frame = null;
    throw new TruncatedFrameError(received, this.#size - received);
  }
}

/**
 * The fixed-size encoder: checks the size; the frame is the payload itself.
 *
 * @module
 */

import type { FrameEncoder } from "./frame_encoder.ts";
import { integerOption } from "./options.ts";
import type { FixedOptions } from "./options.ts";

/**
 * Encoder of the fixed-size codec.
 *
 * @example
 * ```ts
 * import { FixedEncoder } from "./fixed_encoder.ts";
 * console.log(new FixedEncoder({ frameLength: 2 }).encode(new Uint8Array([1, 2]))); // Uint8Array(2) [ 1, 2 ]
 * ```
 */
export class FixedEncoder implements FrameEncoder {
  readonly #size: number;

  /** @param options The frame length. */
  constructor(options: FixedOptions) {
    if (options.frameLength === undefined) throw new RangeError("frameLength is required");
    this.#size = integerOption("frameLength", options.frameLength, 0, 1);
  }

  encode(payload: Uint8Array): Uint8Array {
    return this.#check(payload).slice();
  }

  encodeParts(payload: Uint8Array): Uint8Array[] {
    return [this.#check(payload)];
  }

  #check(payload: Uint8Array): Uint8Array {
    if (payload.length !== this.#size) {
      throw new RangeError(`payload of ${payload.length} bytes, frameLength is ${this.#size}`);
    }
    return payload;
  }
}

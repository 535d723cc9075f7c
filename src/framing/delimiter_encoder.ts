/**
 * The delimiter encoder: appends the delimiter, after checking that the payload cannot be
 * mistaken for more than one frame.
 *
 * @module
 */

import { FrameTooLargeError, FramingError } from "./errors.ts";
import type { FrameEncoder } from "./frame_encoder.ts";
import { CR, findDelimiter, LF } from "./delimiter_config.ts";
import type { DelimiterConfig } from "./delimiter_config.ts";

/**
 * Encoder of the delimiter codec. A payload holding the delimiter (or a prefix of it at its end
 * that would complete a delimiter early) is a `FramingError`: it would decode as other frames.
 *
 * @example
 * ```ts
 * import { delimiterConfig } from "./delimiter_config.ts";
 * import { DelimiterEncoder } from "./delimiter_encoder.ts";
 * const encoder = new DelimiterEncoder(delimiterConfig({ crlf: true }));
 * console.log(encoder.encode(new Uint8Array([104, 105]))); // Uint8Array(4) [ 104, 105, 13, 10 ]
 * ```
 */
export class DelimiterEncoder implements FrameEncoder {
  readonly #config: DelimiterConfig;
  /** What the encoder writes after each payload. */
  readonly #suffix: Uint8Array;

  /** @param config Validated options (see `delimiterConfig`). */
  constructor(config: DelimiterConfig) {
    this.#config = config;
    this.#suffix = config.crlf ? new Uint8Array([CR, LF]) : config.delimiter;
  }

  encode(payload: Uint8Array): Uint8Array {
    this.#check(payload);
    const out = new Uint8Array(payload.length + this.#suffix.length);
    out.set(payload);
    out.set(this.#suffix, payload.length);
    return out;
  }

  encodeParts(payload: Uint8Array): Uint8Array[] {
    this.#check(payload);
    return [payload, this.#suffix.slice()];
  }

  #check(payload: Uint8Array): void {
    const { delimiter, maxFrameLength } = this.#config;
    if (payload.length > maxFrameLength) {
      throw new FrameTooLargeError(payload.length, maxFrameLength);
    }
    const d = delimiter.length;
    let at = findDelimiter(payload, delimiter, 0, payload.length);
    // A delimiter that starts in the payload's last bytes and ends in the one appended.
    for (let k = Math.max(0, payload.length - d + 1); at < 0 && k < payload.length; k++) {
      let j = 0;
      while (
        j < d &&
        (k + j < payload.length ? payload[k + j] : delimiter[k + j - payload.length]) ===
          delimiter[j]
      ) j++;
      if (j === d) at = k;
    }
    if (at >= 0) {
      throw new FramingError(
        `payload contains the delimiter at byte ${at}; it would decode as more than one frame`,
      );
    }
  }
}

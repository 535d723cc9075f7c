/**
 * The length-prefixed encoder: writes the length field for a payload, as `LengthPrefixedDecoder`
 * reads it (with no `lengthFieldOffset` and the default `initialBytesToStrip`, decoding gives the
 * payload back).
 *
 * @module
 */

import { FrameTooLargeError } from "./errors.ts";
import type { FrameEncoder } from "./frame_encoder.ts";
import { writeLength } from "./length_field.ts";
import type { LengthConfig } from "./length_config.ts";
import { MAX_VARINT_BYTES } from "./length_config.ts";
import { varintLength, writeVarint } from "./varint.ts";

/**
 * Encoder of the length-prefixed codec. The payload's first `lengthFieldOffset` bytes go before
 * the length field; the length field gets the size of the rest, less `lengthAdjustment`, plus the
 * header's size when `lengthIncludesHeader`.
 *
 * @example
 * ```ts
 * import { lengthConfig } from "./length_config.ts";
 * import { LengthPrefixedEncoder } from "./length_encoder.ts";
 * const encoder = new LengthPrefixedEncoder(lengthConfig({ header: "varint" }));
 * console.log(encoder.encode(new Uint8Array(300)).subarray(0, 2)); // Uint8Array(2) [ 172, 2 ]
 * ```
 */
export class LengthPrefixedEncoder implements FrameEncoder {
  readonly #config: LengthConfig;

  /** @param config Validated options (see `lengthConfig`). */
  constructor(config: LengthConfig) {
    this.#config = config;
  }

  encode(payload: Uint8Array): Uint8Array {
    const off = this.#config.lengthFieldOffset;
    const [value, size] = this.#length(payload.length);
    const out = new Uint8Array(payload.length + size);
    this.#writeHeader(value, out, off);
    out.set(payload.subarray(0, off));
    out.set(payload.subarray(off), off + size);
    return out;
  }

  encodeParts(payload: Uint8Array): Uint8Array[] {
    const off = this.#config.lengthFieldOffset;
    const [value, size] = this.#length(payload.length);
    const header = new Uint8Array(size);
    this.#writeHeader(value, header, 0);
    return off === 0 ? [header, payload] : [
      payload.subarray(0, off),
      header,
      payload.subarray(off),
    ];
  }

  /**
   * The length field alone, for a payload of `payloadLength` bytes written after it (in parts,
   * unjoined); `null` when payloads have bytes that go before the length field
   * (`lengthFieldOffset`). Checked as `encode` checks a payload.
   */
  encodeHeader(payloadLength: number): Uint8Array | null {
    if (this.#config.lengthFieldOffset !== 0) return null;
    const [value, size] = this.#length(payloadLength);
    const header = new Uint8Array(size);
    this.#writeHeader(value, header, 0);
    return header;
  }

  #writeHeader(value: number, out: Uint8Array, pos: number): void {
    const { header } = this.#config;
    if (header === null) writeVarint(value, out, pos);
    else writeLength(header, value, out, pos);
  }

  /** Returns the length field's value and size for a payload, or throws if it cannot be sent. */
  #length(payloadLength: number): [number, number] {
    const c = this.#config;
    const off = c.lengthFieldOffset;
    const body = payloadLength - off;
    if (body < 0) {
      throw new RangeError(
        `payload of ${payloadLength} bytes is shorter than lengthFieldOffset ${off}`,
      );
    }
    if (body > c.maxFrameLength) throw new FrameTooLargeError(body, c.maxFrameLength);
    const valueFor = (size: number): number =>
      body - c.lengthAdjustment + (c.lengthIncludesHeader ? off + size : 0);
    let size = c.header === null ? 1 : c.header.size;
    if (c.header === null) {
      // A varint that counts itself: grow until the value fits the size it assumed.
      while (size < MAX_VARINT_BYTES && varintLength(Math.max(0, valueFor(size))) > size) size++;
    }
    const value = valueFor(size);
    if (value < 0) {
      throw new RangeError(
        `payload of ${payloadLength} bytes gives a negative length field (${value}) ` +
          `with lengthAdjustment ${c.lengthAdjustment}`,
      );
    }
    const limit = c.header === null ? Number.MAX_SAFE_INTEGER : c.header.max;
    if (value > limit) {
      throw new FrameTooLargeError(
        value,
        limit,
        `length ${value} does not fit the header ${JSON.stringify(c.header?.format)} ` +
          `(at most ${limit})`,
      );
    }
    return [value, size];
  }
}

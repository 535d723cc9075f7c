/**
 * The encoder contract shared by every codec.
 *
 * @module
 */

/**
 * Turns payloads into frames of one codec. Build it once with `createFrameEncoder` for a hot
 * path; `encodeFrame` and `encodeFrameParts` build one per call.
 *
 * @example
 * ```ts
 * import { createFrameEncoder } from "@unstuck/unstuck";
 * const encoder = createFrameEncoder({ header: "<H" });
 * console.log(encoder.encode(new Uint8Array([7]))); // Uint8Array(3) [ 1, 0, 7 ]
 * ```
 */
export interface FrameEncoder {
  /** The whole frame in one new buffer (the payload is copied once). */
  encode(payload: Uint8Array): Uint8Array;
  /**
   * The frame as buffers to write in order, without copying the payload: `[header, payload]`
   * for the length codec (`[prefix, header, rest]` with a `lengthFieldOffset`), `[payload,
   * delimiter]` for the delimiter codec, `[payload]` for the fixed codec.
   */
  encodeParts(payload: Uint8Array): Uint8Array[];
}

/**
 * The sending side of a `framed()` connection: frames from any number of concurrent callers go
 * out whole and in call order, one write at a time; frames queued while a write is in flight go
 * together in the next one (a single `writev`).
 *
 * @module
 */

import type { FrameEncoder } from "./frame_encoder.ts";
import { LengthPrefixedEncoder } from "./length_encoder.ts";
import type { Link } from "./transport.ts";

/** Payloads smaller than this are encoded into one buffer with their header; larger ones are
 * written as header and payload, the payload uncopied. */
export const COALESCE_BELOW = 4096;

/** A promise and its settling functions (Node 20 has no `Promise.withResolvers`). */
interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function newBatch(): Batch {
  const batch = {} as Batch;
  batch.promise = new Promise<void>((resolve, reject) => {
    batch.resolve = resolve;
    batch.reject = reject;
  });
  return batch;
}

/** `parts` joined into one buffer of `length` bytes. */
function joined(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Queues encoded frames and writes them through a link, one write at a time.
 *
 * @example
 * ```ts
 * import { createFrameEncoder } from "./create.ts";
 * import { FrameWriter } from "./frame_writer.ts";
 * const written: Uint8Array[][] = [];
 * const writer = new FrameWriter(createFrameEncoder({ header: "B" }), {
 *   read: () => Promise.resolve({ done: true, value: undefined }),
 *   write: async (parts) => void written.push([...parts]),
 *   closeWrite: async () => {},
 *   close: () => {},
 * });
 * writer.add(new Uint8Array([1]));
 * writer.add(new Uint8Array([2]));
 * await writer.flush();
 * console.log(written); // [ [ Uint8Array(2) [ 1, 1 ], Uint8Array(2) [ 1, 2 ] ] ]
 * ```
 */
export class FrameWriter {
  readonly #encoder: FrameEncoder;
  readonly #link: Link;
  /** Encoded frames not yet handed to the link, and the batch they settle with. */
  #parts: Uint8Array[] = [];
  #batch: Batch | null = null;
  /** The write in flight, if any. */
  #writing: Promise<void> | null = null;
  #failure: unknown = undefined;
  #failed = false;

  /**
   * @param encoder The framing codec's encoder.
   * @param link Where the bytes go.
   */
  constructor(encoder: FrameEncoder, link: Link) {
    this.#encoder = encoder;
    this.#link = link;
  }

  /**
   * Encodes a frame and queues it, to be written with the next `flush()`.
   *
   * @throws {FramingError} If the payload cannot be framed (too large, holds the delimiter…).
   */
  add(payload: Uint8Array): void {
    this.#encode(payload, this.#parts);
  }

  /**
   * Encodes several frames and queues them all, or, if one cannot be framed, none.
   *
   * @throws {FramingError} If a payload cannot be framed.
   */
  addAll(payloads: readonly Uint8Array[]): void {
    const parts: Uint8Array[] = [];
    for (const payload of payloads) this.#encode(payload, parts);
    for (const part of parts) this.#parts.push(part);
  }

  /**
   * Encodes one frame whose payload is `payloadParts` joined, and queues it. With a length field
   * before the payload the parts are written as they are, after the header, unless the frame is
   * small; otherwise (a delimiter, say, which must be checked across them) they are joined.
   *
   * @throws {FramingError} If the payload cannot be framed.
   */
  addParts(payloadParts: readonly Uint8Array[]): void {
    let length = 0;
    for (const part of payloadParts) length += part.length;
    const encoder = this.#encoder;
    const header = length >= COALESCE_BELOW && encoder instanceof LengthPrefixedEncoder
      ? encoder.encodeHeader(length)
      : null;
    if (header === null) return this.add(joined(payloadParts, length));
    this.#parts.push(header);
    for (const part of payloadParts) this.#parts.push(part);
  }

  #encode(payload: Uint8Array, parts: Uint8Array[]): void {
    const encoder = this.#encoder;
    if (payload.length < COALESCE_BELOW) parts.push(encoder.encode(payload));
    else for (const part of encoder.encodeParts(payload)) parts.push(part);
  }

  /**
   * Writes what is queued: at once if no write is in flight, else with the next write.
   *
   * @returns Resolves once the transport has taken those bytes; rejects with its error.
   */
  flush(): Promise<void> {
    if (this.#parts.length === 0 && !this.#failed) return Promise.resolve();
    if (this.#failed) {
      this.#parts = [];
      return Promise.reject(this.#failure);
    }
    const batch = this.#batch ??= newBatch();
    if (this.#writing === null) this.#writing = this.#run();
    return batch.promise;
  }

  /** Resolves once nothing is queued or being written; rejects if a write failed. */
  async drain(): Promise<void> {
    while (this.#writing !== null) await this.#writing;
    if (this.#failed) throw this.#failure;
  }

  /** Fails every queued and later write with `error` (the connection is closed). */
  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
    this.#parts = [];
    const batch = this.#batch;
    this.#batch = null;
    batch?.reject(error);
  }

  async #run(): Promise<void> {
    while (this.#parts.length > 0 && !this.#failed) {
      const parts = this.#parts;
      const batch = this.#batch as Batch;
      this.#parts = [];
      this.#batch = null;
      try {
        await this.#link.write(parts);
        batch.resolve();
      } catch (error) {
        batch.reject(error);
        this.fail(error);
      }
    }
    this.#writing = null;
  }
}

/**
 * The receiving side's bytes: the current chunk and how far it has been decoded, and one read at
 * a time from the link. A read that its caller gave up on (an abort, a timeout) keeps running
 * and its bytes are kept, so nothing received is ever lost.
 *
 * @module
 */

import type { Link } from "./transport.ts";

const NO_BYTES = new Uint8Array(0);

/**
 * Received bytes not yet decoded, and the read that brings more.
 *
 * @example
 * ```ts
 * import { Inbound } from "./inbound.ts";
 * const chunks = [new Uint8Array([1, 2])][Symbol.iterator]();
 * const inbound = new Inbound(() => Promise.resolve(chunks.next()));
 * await inbound.fill();
 * console.log(inbound.chunk, inbound.pos); // Uint8Array(2) [ 1, 2 ] 0
 * ```
 */
export class Inbound {
  /** The chunk being decoded; bytes before `pos` are done with. */
  chunk: Uint8Array = NO_BYTES;
  /** Where the undecoded bytes of `chunk` begin. */
  pos = 0;
  #ended = false;
  #reading: Promise<void> | null = null;
  readonly #read: Link["read"];

  /** @param read Reads the next chunk (a link's `read`). */
  constructor(read: Link["read"]) {
    this.#read = read;
  }

  /** Whether the source has ended (its last chunk may still be being decoded). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Replaces the chunk, once it is decoded to its end, with the next one from the source (or
   * marks the end). Concurrent calls share one read. Rejects with the source's error.
   */
  fill(): Promise<void> {
    return this.#reading ??= this.#read().then(
      (result) => {
        this.#reading = null;
        if (result.done) this.#ended = true;
        else {
          this.chunk = result.value;
          this.pos = 0;
        }
      },
      (error) => {
        this.#reading = null;
        throw error;
      },
    );
  }
}

/**
 * Waits for `promise`, or rejects with the signal's reason as soon as it aborts (the promise goes
 * on; what it brings is kept by its owner).
 *
 * @param promise What to wait for.
 * @param signal Aborts the wait.
 * @returns The promise's value.
 *
 * @example
 * ```ts
 * import { untilAborted } from "./inbound.ts";
 * const never = new Promise<void>(() => {});
 * await untilAborted(never, AbortSignal.timeout(10)).catch((e) => console.log(e.name)); // "TimeoutError"
 * ```
 */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

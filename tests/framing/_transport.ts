// Test doubles for framed(): a byte transport the test feeds chunk by chunk (and sees every
// write of), and a cheap frame-list comparison.
import type { ByteTransport } from "../../mod.ts";
import { concat } from "../_helpers/framing.ts";

/** Whether two lists of frames are equal, byte for byte (cheap, unlike a failing deepEqual). */
export function sameFrames(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return false;
    for (let j = 0; j < a[i].length; j++) if (a[i][j] !== b[i][j]) return false;
  }
  return true;
}

type Next = IteratorResult<Uint8Array, undefined>;

/**
 * A ByteTransport whose received chunks the test pushes (`push`, `end`, `fail`), and whose writes
 * are recorded (`writes`: one entry per write or writev call). `writeDelayMs` makes each write
 * take that long, so that writes overlap; `slowReads` makes each read resolve on a later timer
 * tick, so that a receive can give up while its read is still out. Two reads at once are an error.
 */
export class ScriptedTransport implements ByteTransport {
  readonly writes: Uint8Array[][] = [];
  writeDelayMs = 0;
  slowReads = false;

  /** A transport that will read `chunks`, then the end. */
  static ended(chunks: readonly Uint8Array[], slowReads = false): ScriptedTransport {
    const t = new ScriptedTransport();
    t.slowReads = slowReads;
    for (const chunk of chunks) t.push(chunk);
    t.end();
    return t;
  }

  #reads = 0;
  closed = false;
  writeClosed = false;
  #queue: (Next | { error: unknown })[] = [];
  #waiting: { resolve: (r: Next) => void; reject: (e: unknown) => void } | null = null;

  /** Delivers a chunk to the reader. */
  push(chunk: Uint8Array): void {
    this.#deliver({ done: false, value: chunk });
  }

  /** The peer's end of stream. */
  end(): void {
    this.#deliver({ done: true, value: undefined });
  }

  /** A read error (a reset). */
  fail(error: unknown): void {
    this.#deliver({ error });
  }

  /** Every byte written, in order. */
  get bytes(): Uint8Array {
    return concat(this.writes.flat());
  }

  /** Whether a read is waiting for a chunk. */
  get reading(): boolean {
    return this.#waiting !== null;
  }

  #deliver(item: Next | { error: unknown }): void {
    const waiting = this.#waiting;
    if (waiting === null) {
      this.#queue.push(item);
      return;
    }
    this.#waiting = null;
    if ("error" in item) waiting.reject(item.error);
    else waiting.resolve(item);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<Next> => {
        if (++this.#reads > 1) throw new Error("two reads at once");
        try {
          if (this.slowReads) await sleep(0);
          return await this.#next();
        } finally {
          this.#reads--;
        }
      },
    };
  }

  #next(): Promise<Next> {
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    const item = this.#queue.shift();
    if (item !== undefined) {
      return "error" in item ? Promise.reject(item.error) : Promise.resolve(item);
    }
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.writev([bytes]);
  }

  async writev(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.closed || this.writeClosed) throw new Error("write after close");
    // Copy: the test checks what was written at the time of writing.
    this.writes.push(chunks.map((c) => c.slice()));
    if (this.writeDelayMs > 0) await new Promise((r) => setTimeout(r, this.writeDelayMs));
  }

  closeWrite(): Promise<void> {
    this.writeClosed = true;
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.resolve({ done: true, value: undefined });
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A queue between a runtime that pushes data at us (Node's `data` events, Bun's socket handlers)
 * and a consumer that pulls with `next()`. It holds at most about `highWaterMark` units: past that
 * it asks the producer to pause, and asks it to resume once the consumer has drained it.
 *
 * @module
 */

/** Options of {@linkcode PushQueue}. */
export interface PushQueueOptions<T> {
  /** Pause the producer once this many units are queued. */
  highWaterMark: number;
  /** Units an item counts for (bytes for chunks); default 1 per item. */
  sizeOf?: (item: T) => number;
  /** Called when the queue is full: stop the producer. */
  pause?: () => void;
  /** Called when the queue has room again: restart the producer. */
  resume?: () => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A bounded queue of pushed items that a single consumer pulls from.
 *
 * @example
 * ```ts
 * import { PushQueue } from "./push_queue.ts";
 * const q = new PushQueue<number>({ highWaterMark: 16 });
 * q.push(1);
 * q.end();
 * console.log(await q.next()); // { done: false, value: 1 }
 * ```
 */
export class PushQueue<T> {
  #items: T[] = [];
  #head = 0;
  #size = 0;
  #paused = false;
  #ended = false;
  #error: unknown = undefined;
  #failed = false;
  #waiter: {
    resolve: (r: IteratorResult<T, undefined>) => void;
    reject: (e: unknown) => void;
  } | null = null;
  readonly #options: PushQueueOptions<T>;

  /** Creates an empty queue. */
  constructor(options: PushQueueOptions<T>) {
    this.#options = options;
  }

  /** Units queued now. */
  get size(): number {
    return this.#size;
  }

  /** True once the queue holds `highWaterMark` units or more. */
  get full(): boolean {
    return this.#size >= this.#options.highWaterMark;
  }

  /** True once `end()` or `fail()` was called. */
  get finished(): boolean {
    return this.#ended || this.#failed;
  }

  /** Adds an item; ignored after `end()` or `fail()`. */
  push(item: T): void {
    if (this.#ended || this.#failed) return;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter.resolve({ done: false, value: item });
      return;
    }
    this.#items.push(item);
    this.#size += this.#options.sizeOf?.(item) ?? 1;
    if (!this.#paused && this.#size >= this.#options.highWaterMark && this.#options.pause) {
      this.#paused = true;
      this.#options.pause();
    }
  }

  /** No more items: once the queued ones are taken, `next()` reports done. */
  end(): void {
    if (this.#ended || this.#failed) return;
    this.#ended = true;
    this.#settleWaiter();
  }

  /** Ends with an error: once the queued items are taken, `next()` rejects with it. */
  fail(error: unknown): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#error = error;
    this.#settleWaiter();
  }

  /** Drops everything queued (the consumer went away). */
  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
  }

  /** The next item, or done after `end()`; only one call may be pending at a time. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      this.#items[this.#head++] = undefined as T;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      this.#size -= this.#options.sizeOf?.(item) ?? 1;
      if (this.#paused && this.#size < this.#options.highWaterMark / 2) {
        this.#paused = false;
        this.#options.resume?.();
      }
      return Promise.resolve({ done: false, value: item });
    }
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(DONE);
    if (this.#paused) {
      // Nothing left to hand out: the producer must run again whatever the count says.
      this.#paused = false;
      this.#options.resume?.();
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #settleWaiter(): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    this.#waiter = null;
    if (this.#failed) waiter.reject(this.#error);
    else waiter.resolve(DONE);
  }
}

/**
 * Token buckets: one for a single sender, and a bounded table of them keyed by source address.
 * The UDP echo server and the chat room share these, so that a datagram costs the same
 * accounting everywhere (one token), and a table of sources never outgrows its bound.
 *
 * @module
 */

/** How fast a bucket refills, and how much it holds. */
export interface RateLimit {
  /** Tokens added per second (datagrams or lines per second); `Infinity` for no limit. */
  rate: number;
  /** The most tokens a bucket holds: the burst a quiet sender may send at once. */
  burst: number;
}

/** Checks a {@linkcode RateLimit}: a positive rate, and a burst of at least one token. */
export function checkRateLimit(limit: RateLimit): RateLimit {
  const { rate, burst } = limit;
  if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
  if (!(burst >= 1) || (rate !== Infinity && !Number.isFinite(burst))) {
    throw new RangeError(`burst must be at least 1 and finite, got ${burst}`);
  }
  return { rate, burst };
}

/**
 * One token bucket: {@linkcode TokenBucket.take} succeeds while tokens are left; they come back
 * at `rate` per second, up to `burst`. Starts full. Time comes from the caller, in milliseconds.
 *
 * @example
 * ```ts
 * import { TokenBucket } from "./rate_limit.ts";
 * const bucket = new TokenBucket({ rate: 1, burst: 2 }, 0);
 * console.log(bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(1_000)); // true true false true
 * ```
 */
export class TokenBucket {
  #tokens: number;
  #at: number;
  readonly #limit: RateLimit;

  /** A full bucket at time `now` (ms). */
  constructor(limit: RateLimit, now: number) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#at = now;
  }

  /** Takes `cost` tokens at time `now` (ms) if that many are there; false (and none taken) if not. */
  take(now: number, cost = 1): boolean {
    if (this.#limit.rate === Infinity) return true;
    this.#refill(now);
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Whether the bucket is full again at `now`: forgetting it then changes nothing. */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.#limit.burst;
  }

  #refill(now: number): void {
    if (this.#limit.rate === Infinity) {
      this.#tokens = this.#limit.burst;
      return;
    }
    const elapsed = now - this.#at;
    if (elapsed > 0) {
      this.#tokens = Math.min(
        this.#limit.burst,
        this.#tokens + (elapsed * this.#limit.rate) / 1000,
      );
      this.#at = now;
    }
  }
}

/** Options of {@linkcode SourceLimiter}. */
export interface SourceLimiterOptions extends RateLimit {
  /**
   * The most sources tracked at once. A new source while every tracked one is still refilling
   * is refused (fail closed: forgetting a source would hand it a full bucket again).
   * @default {65536}
   */
  maxSources?: number;
  /** The clock, in milliseconds. @default {Date.now} */
  now?: () => number;
}

/** The default of {@linkcode SourceLimiterOptions.maxSources}: 65,536 sources, a few MiB. */
export const DEFAULT_MAX_SOURCES = 65_536;

/**
 * A token bucket per source (any string key, such as an address), in a table of bounded size.
 * Sources are kept least recently seen first; a source whose bucket is full again is forgotten
 * when room is needed, since a fresh bucket is the same. When the table is full of sources
 * that are all still refilling, a new source is refused: memory stays bounded, and cycling
 * through forged addresses cannot reset anyone's bucket.
 *
 * @example
 * ```ts
 * import { SourceLimiter } from "./rate_limit.ts";
 * let now = 0;
 * const limiter = new SourceLimiter({ rate: 10, burst: 1, now: () => now });
 * console.log(limiter.take("10.0.0.1"), limiter.take("10.0.0.1")); // true false
 * now += 100;
 * console.log(limiter.take("10.0.0.1")); // true
 * ```
 */
export class SourceLimiter {
  readonly #limit: RateLimit;
  readonly #maxSources: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, TokenBucket>();

  /** An empty table. */
  constructor(options: SourceLimiterOptions) {
    this.#limit = checkRateLimit(options);
    const { maxSources = DEFAULT_MAX_SOURCES } = options;
    if (!Number.isSafeInteger(maxSources) || maxSources < 1) {
      throw new RangeError(`maxSources must be a positive integer, got ${maxSources}`);
    }
    this.#maxSources = maxSources;
    this.#now = options.now ?? Date.now;
  }

  /** How many sources are tracked now. */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes `cost` tokens from `source`'s bucket: true if it may go on, false if it is over its
   * limit (or is new while the table is full of sources still refilling).
   */
  take(source: string, cost = 1): boolean {
    if (this.#limit.rate === Infinity) return true;
    const now = this.#now();
    let bucket = this.#buckets.get(source);
    if (bucket === undefined) {
      if (!this.#makeRoom(now)) return false;
      bucket = new TokenBucket(this.#limit, now);
    } else {
      this.#buckets.delete(source); // re-inserted last: most recently seen
    }
    this.#buckets.set(source, bucket);
    return bucket.take(now, cost);
  }

  /**
   * Takes `source`'s bucket out of the table (for a caller that keeps it elsewhere for a while,
   * such as the chat room for a member), or undefined if it has none.
   */
  detach(source: string): TokenBucket | undefined {
    const bucket = this.#buckets.get(source);
    this.#buckets.delete(source);
    return bucket;
  }

  /**
   * Puts a bucket taken out with {@linkcode SourceLimiter.detach} back, so that its source's
   * tokens stay spent; false when the table is full (then the source counts as new, and is
   * refused while the table stays full).
   */
  attach(source: string, bucket: TokenBucket): boolean {
    this.#buckets.delete(source);
    if (!this.#makeRoom(this.#now())) return false;
    this.#buckets.set(source, bucket);
    return true;
  }

  /** Forgets a few full buckets, oldest first; false if the table is still full. */
  #makeRoom(now: number): boolean {
    // Two at most per call: the work per datagram stays constant.
    for (let i = 0; i < 2; i++) {
      const oldest = this.#buckets.entries().next();
      if (oldest.done || !oldest.value[1].isFull(now)) break;
      this.#buckets.delete(oldest.value[0]);
    }
    return this.#buckets.size < this.#maxSources;
  }
}

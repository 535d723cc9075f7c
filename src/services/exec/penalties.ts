/**
 * Handshake penalties per address, as sshd's `PerSourcePenalties`: an address whose handshakes
 * keep failing (a wrong MAC, a timeout, garbage, a connection closed before `auth`) waits before
 * it may try again, longer each time, so that a flood from one host cannot crowd out the others.
 *
 * @module
 */
import { hostKey } from "../../runtime/mod.ts";

/** The rules of {@linkcode HandshakePenalties}. */
export interface PenaltyRules {
  /** Failed handshakes within `windowMs` that make an address wait. */
  failures: number;
  /** The window in which failures are counted, in ms. */
  windowMs: number;
  /** The first wait, in ms; each further one doubles, up to `maxMs`. */
  firstMs: number;
  /** The longest wait, in ms; after this long without a failure an address starts afresh. */
  maxMs: number;
  /** The most addresses remembered (the least recently failed are forgotten first). */
  maxAddresses: number;
}

/** What is known about one address. */
interface Record {
  /** Failures counted in the current window, and when that window began. */
  failures: number;
  windowStart: number;
  /** Penalties so far: the next wait is firstMs × 2^level. */
  level: number;
  /** Until when the address waits (0: it does not). */
  until: number;
  /** The last failure, for forgetting. */
  last: number;
}

/**
 * Failed handshakes per address, and the wait they earn.
 *
 * @example
 * ```ts
 * import { HandshakePenalties } from "./penalties.ts";
 * const penalties = new HandshakePenalties({
 *   failures: 2, windowMs: 10_000, firstMs: 1_000, maxMs: 60_000, maxAddresses: 100,
 * });
 * penalties.failed("127.0.0.2", 0);
 * console.log(penalties.waitFor("127.0.0.2", 10)); // 0
 * penalties.failed("127.0.0.2", 20);
 * console.log(penalties.waitFor("127.0.0.2", 30), penalties.waitFor("127.0.0.1", 30)); // 990 0
 * ```
 */
export class HandshakePenalties {
  readonly #rules: PenaltyRules;
  /** By address key, least recently failed first (re-inserted at each failure). */
  readonly #records = new Map<string, Record>();

  /** @param rules When an address waits, and how long. */
  constructor(rules: PenaltyRules) {
    this.#rules = rules;
  }

  /**
   * How long `hostname` must still wait before it may start a handshake, in ms (0: it may).
   *
   * @param hostname The peer's address.
   * @param now The time, in ms (`performance.now()`).
   */
  waitFor(hostname: string, now: number): number {
    const record = this.#records.get(hostKey(hostname));
    return record === undefined ? 0 : Math.max(0, record.until - now);
  }

  /**
   * Counts a failed handshake of `hostname`; returns the wait it earned, in ms (0: none yet).
   *
   * @param hostname The peer's address.
   * @param now The time, in ms (`performance.now()`).
   */
  failed(hostname: string, now: number): number {
    const rules = this.#rules;
    const key = hostKey(hostname);
    let record = this.#records.get(key);
    if (record !== undefined && now - Math.max(record.last, record.until) > rules.maxMs) {
      record = undefined; // quiet for long enough: start afresh
    }
    record ??= { failures: 0, windowStart: now, level: 0, until: 0, last: now };
    this.#records.delete(key);
    this.#records.set(key, record);
    this.#forgetOldest(now);
    if (now - record.windowStart > rules.windowMs) {
      record.failures = 0;
      record.windowStart = now;
    }
    record.failures++;
    record.last = now;
    if (record.failures < rules.failures || record.until > now) return 0;
    const wait = Math.min(rules.maxMs, rules.firstMs * 2 ** record.level);
    record.level++;
    record.until = now + wait;
    record.failures = 0;
    record.windowStart = now;
    return wait;
  }

  /** How many addresses are remembered. */
  get size(): number {
    return this.#records.size;
  }

  /** Forgets the least recently failed addresses beyond the limit, and those long quiet. */
  #forgetOldest(now: number): void {
    const { maxAddresses, maxMs } = this.#rules;
    for (const [key, record] of this.#records) {
      const quiet = now - Math.max(record.last, record.until) > maxMs;
      if (!quiet && this.#records.size <= maxAddresses) return;
      this.#records.delete(key);
    }
  }
}

/**
 * Places held per peer address: a server takes one per connection (or per handshake) and gives it
 * back when that ends, so that one host cannot take every place (sshd's `PerSourceMaxStartups`).
 *
 * @module
 */

import { hostKey } from "../runtime/mod.ts";

/**
 * Counts places per address ({@linkcode hostKey}: one address each, as sshd's default
 * `PerSourceNetBlockSize 32:128`), up to a limit each. Memory follows the addresses that hold places:
 * an address whose count drops to zero is forgotten.
 *
 * @example
 * ```ts
 * import { PerAddress } from "./per_address.ts";
 * const places = new PerAddress(2);
 * console.log(places.take("127.0.0.2"), places.take("127.0.0.2"), places.take("127.0.0.2")); // true true false
 * places.release("127.0.0.2");
 * console.log(places.take("::ffff:127.0.0.2")); // true
 * ```
 */
export class PerAddress {
  /** The most places one address may hold. */
  readonly limit: number;
  readonly #held = new Map<string, number>();

  /** @param limit The most places one address may hold. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Takes a place for `hostname`; false (and nothing taken) when it holds `limit` already. */
  take(hostname: string): boolean {
    const key = hostKey(hostname);
    const held = this.#held.get(key) ?? 0;
    if (held >= this.limit) return false;
    this.#held.set(key, held + 1);
    return true;
  }

  /** Gives back a place `take` gave `hostname`. */
  release(hostname: string): void {
    const key = hostKey(hostname);
    const held = this.#held.get(key) ?? 0;
    if (held <= 1) this.#held.delete(key);
    else this.#held.set(key, held - 1);
  }

  /** The places `hostname` holds. */
  held(hostname: string): number {
    return this.#held.get(hostKey(hostname)) ?? 0;
  }

  /** How many addresses hold places. */
  get addresses(): number {
    return this.#held.size;
  }
}

/**
 * Join cookies: proof that an address receives the room's datagrams, as QUIC's address
 * validation tokens and DTLS's HelloVerifyRequest cookies are. A cookie is a SipHash-2-4 MAC,
 * under a secret key of the room's, of the address and the current minute: the room keeps no
 * state for an address until it comes back with the cookie sent to it, and a cookie is good for
 * 1 to 2 minutes, for that address only.
 *
 * @module
 */
import { sipHash24 } from "../siphash.ts";

/** How long one cookie period lasts, in ms; a cookie is accepted in its period and the next. */
export const COOKIE_PERIOD_MS = 60_000;
/** The length of a cookie, in characters (8 bytes of MAC, base64url). */
export const COOKIE_LENGTH = 11;

const encoder = new TextEncoder();
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** `bytes` in base64url, without padding. */
function base64url(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += BASE64URL[(n >> (18 - 6 * j)) & 63];
  }
  return out;
}

/**
 * Makes and checks join cookies for one room.
 *
 * @example
 * ```ts
 * import { JoinCookies } from "./cookie.ts";
 * let now = 0;
 * const cookies = new JoinCookies({ now: () => now });
 * const cookie = cookies.make("10.0.0.1:5000");
 * now += 90_000;
 * console.log(cookies.check("10.0.0.1:5000", cookie), cookies.check("10.0.0.2:5000", cookie)); // true false
 * ```
 */
export class JoinCookies {
  readonly #key: Uint8Array;
  readonly #now: () => number;

  /** Cookies under `secret` (16 bytes; random by default), with the time from `now` (ms). */
  constructor(options: { secret?: Uint8Array; now?: () => number } = {}) {
    const key = options.secret ?? crypto.getRandomValues(new Uint8Array(16));
    if (key.length !== 16) throw new RangeError(`a cookie secret has 16 bytes, got ${key.length}`);
    this.#key = key.slice();
    this.#now = options.now ?? Date.now;
  }

  /** The cookie for `address` now. */
  make(address: string): string {
    return this.#mac(address, Math.floor(this.#now() / COOKIE_PERIOD_MS));
  }

  /** Whether `cookie` was made for `address` in this period or the one before. */
  check(address: string, cookie: string): boolean {
    if (cookie.length !== COOKIE_LENGTH) return false;
    const period = Math.floor(this.#now() / COOKIE_PERIOD_MS);
    return same(cookie, this.#mac(address, period)) || same(cookie, this.#mac(address, period - 1));
  }

  #mac(address: string, period: number): string {
    const text = encoder.encode(address);
    const message = new Uint8Array(4 + text.length);
    new DataView(message.buffer).setUint32(0, period >>> 0);
    message.set(text, 4);
    return base64url(sipHash24(this.#key, message));
  }
}

/** String equality in time that does not depend on where they differ. */
function same(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The echo service's one transformation.
 *
 * @module
 */

/**
 * Returns a copy of `bytes` with ASCII `a`–`z` turned into `A`–`Z` and every other byte kept, as
 * Python's `bytes.upper()` does, so binary payloads and UTF-8 survive unchanged.
 *
 * @example
 * ```ts
 * import { asciiUpper } from "@unstuck/unstuck";
 * const out = asciiUpper(new TextEncoder().encode("héllo"));
 * console.log(new TextDecoder().decode(out)); // "HéLLO"
 * ```
 */
export function asciiUpper(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out[i] = b >= 0x61 && b <= 0x7a ? b - 0x20 : b;
  }
  return out;
}

/**
 * Strict base64 (RFC 4648 §4, with padding) for the nonce and MAC fields. `atob` alone is too
 * lenient: it skips whitespace and accepts missing padding.
 *
 * @module
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Encodes bytes as padded base64.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "@unstuck/unstuck/exec/protocol";
 * console.log(encodeBase64(new Uint8Array([104, 105]))); // "aGk="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Decodes padded base64, or returns undefined when `text` is not exactly that.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "@unstuck/unstuck/exec/protocol";
 * console.log(decodeBase64("aGk=")); // Uint8Array [104, 105]
 * console.log(decodeBase64("aGk")); // undefined
 * ```
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

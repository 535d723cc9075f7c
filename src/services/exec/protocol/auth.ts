/**
 * The exec handshake's cryptography: the server sends a fresh random nonce, the client answers
 * with HMAC-SHA256(key = UTF-8 token, message = nonce bytes), and the server checks it with
 * `crypto.subtle.verify`, which compares in constant time. The token itself never crosses the
 * wire, and a recorded answer is useless for the next connection's nonce.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { ExecTokenError } from "../errors.ts";
import { EXEC_NONCE_LENGTH } from "./messages.ts";

const HMAC = { name: "HMAC", hash: "SHA-256" } as const;

/**
 * A token imported as a Web Crypto HMAC key (a `CryptoKey`). Named through `crypto.subtle` so the
 * published typings need no DOM lib: Node's, Deno's and Bun's own types all describe it.
 *
 * @example
 * ```ts
 * import { importTokenKey, type TokenKey } from "@unstuck/unstuck/exec/protocol";
 * const key: TokenKey = await importTokenKey("s3cret");
 * ```
 */
export type TokenKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/**
 * Imports a shared token as an HMAC-SHA256 key (non-extractable).
 *
 * @throws {ExecTokenError} for an empty token
 * @example
 * ```ts
 * import { importTokenKey } from "@unstuck/unstuck/exec/protocol";
 * const key = await importTokenKey("correct horse battery staple");
 * console.log(key.algorithm.name); // "HMAC"
 * ```
 */
export async function importTokenKey(token: string): Promise<TokenKey> {
  if (token === "") throw new ExecTokenError("the token is empty");
  return await crypto.subtle.importKey("raw", new TextEncoder().encode(token), HMAC, false, [
    "sign",
    "verify",
  ]);
}

/**
 * A fresh nonce: {@linkcode EXEC_NONCE_LENGTH} bytes from the platform's CSPRNG.
 *
 * @example
 * ```ts
 * import { createNonce } from "@unstuck/unstuck/exec/protocol";
 * console.log(createNonce().length); // 32
 * ```
 */
export function createNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(EXEC_NONCE_LENGTH));
}

/**
 * The client's answer to a nonce: base64 of HMAC-SHA256(key, nonce).
 *
 * @example
 * ```ts
 * import { createNonce, importTokenKey, signNonce } from "@unstuck/unstuck/exec/protocol";
 * const mac = await signNonce(await importTokenKey("secret"), createNonce());
 * console.log(mac.length); // 44 (32 bytes in base64)
 * ```
 */
export async function signNonce(key: TokenKey, nonce: Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign(HMAC, key, nonce as Uint8Array<ArrayBuffer>);
  return encodeBase64(new Uint8Array(mac));
}

/**
 * Checks a client's answer in constant time. False for a wrong MAC and for anything that is not
 * base64 of 32 bytes.
 *
 * @example
 * ```ts
 * import { createNonce, importTokenKey, signNonce, verifyNonce } from "@unstuck/unstuck/exec/protocol";
 * const key = await importTokenKey("secret");
 * const nonce = createNonce();
 * console.log(await verifyNonce(key, nonce, await signNonce(key, nonce))); // true
 * console.log(await verifyNonce(key, nonce, "AAAA")); // false
 * ```
 */
export async function verifyNonce(
  key: TokenKey,
  nonce: Uint8Array,
  mac: string,
): Promise<boolean> {
  const bytes = decodeBase64(mac);
  if (bytes === undefined || bytes.length !== 32) return false;
  return await crypto.subtle.verify(
    HMAC,
    key,
    bytes as Uint8Array<ArrayBuffer>,
    nonce as Uint8Array<ArrayBuffer>,
  );
}

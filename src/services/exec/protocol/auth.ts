/**
 * The exec handshake's keys and nonces: the token as an HMAC-SHA256 key, and fresh random nonces
 * (each side sends one). The proofs made with them are in `proof.ts`. The token itself never
 * crosses the wire.
 *
 * @module
 */
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

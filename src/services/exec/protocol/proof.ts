/**
 * The two proofs of an `unstuck-exec/2` handshake: HMAC-SHA256 under the token, over the same
 * transcript (both nonces, the binding offer, the binding chosen and its value), each behind a
 * label of its own, so that neither side's proof can be replayed as the other's. The layout of
 * the MAC input is in docs/PROTOCOL.md ("The proofs"), with test vectors.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import type { TokenKey } from "./auth.ts";

/**
 * The label in front of each side's MAC input: the client's proof and the server's differ there
 * only.
 *
 * @example
 * ```ts
 * import { PROOF_LABELS } from "@unstuck/unstuck/exec/protocol";
 * console.log(PROOF_LABELS.client, PROOF_LABELS.server); // "unstuck-exec/2 client" "unstuck-exec/2 server"
 * ```
 */
export const PROOF_LABELS: Readonly<Record<ProofRole, string>> = Object.freeze({
  client: "unstuck-exec/2 client",
  server: "unstuck-exec/2 server",
});

/** Whose proof: the client's (in `auth`) or the server's (in `ready`). */
export type ProofRole = "client" | "server";

/** What both proofs of one handshake cover. */
export interface HandshakeTranscript {
  /** The 32 nonce bytes of the server's `hello`. */
  serverNonce: Uint8Array;
  /** The 32 nonce bytes of the client's `auth`. */
  clientNonce: Uint8Array;
  /** The server's binding offer, the names in the order sent. */
  offer: readonly string[];
  /** The binding the client chose. */
  binding: string;
  /** That binding's value, as this end computes it (no bytes for `"none"`). */
  channelBinding: Uint8Array;
}

const HMAC = { name: "HMAC", hash: "SHA-256" } as const;
const utf8 = new TextEncoder();

/**
 * The bytes a proof's MAC is computed over: each field as a 4-byte big-endian length then its
 * bytes — the label, the server's nonce, the client's nonce, the offer (its names joined with
 * `,`), the chosen binding's name, the binding's value.
 *
 * @example
 * ```ts
 * import { proofInput } from "@unstuck/unstuck/exec/protocol";
 * const input = proofInput("client", {
 *   serverNonce: new Uint8Array(32),
 *   clientNonce: new Uint8Array(32),
 *   offer: ["none"],
 *   binding: "none",
 *   channelBinding: new Uint8Array(0),
 * });
 * console.log(input.length); // 4 + 21 + 4 + 32 + 4 + 32 + 4 + 4 + 4 + 4 + 4 = 117
 * ```
 */
export function proofInput(role: ProofRole, transcript: HandshakeTranscript): Uint8Array {
  const fields = [
    utf8.encode(PROOF_LABELS[role]),
    transcript.serverNonce,
    transcript.clientNonce,
    utf8.encode(transcript.offer.join(",")),
    utf8.encode(transcript.binding),
    transcript.channelBinding,
  ];
  const out = new Uint8Array(fields.reduce((n, f) => n + 4 + f.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const field of fields) {
    view.setUint32(at, field.length);
    out.set(field, at + 4);
    at += 4 + field.length;
  }
  return out;
}

/**
 * One side's proof: base64 of HMAC-SHA256(key = the token, message = {@linkcode proofInput}).
 *
 * @example
 * ```ts
 * import { createNonce, importTokenKey, signProof } from "@unstuck/unstuck/exec/protocol";
 * const key = await importTokenKey("s3cret");
 * const transcript = {
 *   serverNonce: createNonce(),
 *   clientNonce: createNonce(),
 *   offer: ["none"],
 *   binding: "none",
 *   channelBinding: new Uint8Array(0),
 * };
 * console.log((await signProof(key, "client", transcript)).length); // 44
 * ```
 */
export async function signProof(
  key: TokenKey,
  role: ProofRole,
  transcript: HandshakeTranscript,
): Promise<string> {
  const input = proofInput(role, transcript) as Uint8Array<ArrayBuffer>;
  return encodeBase64(new Uint8Array(await crypto.subtle.sign(HMAC, key, input)));
}

/**
 * Checks the other side's proof against the transcript as this end sees it, in constant time.
 * False for a wrong MAC and for anything that is not base64 of 32 bytes.
 *
 * @example
 * ```ts
 * import { createNonce, importTokenKey, signProof, verifyProof } from "@unstuck/unstuck/exec/protocol";
 * const key = await importTokenKey("s3cret");
 * const transcript = {
 *   serverNonce: createNonce(),
 *   clientNonce: createNonce(),
 *   offer: ["none"],
 *   binding: "none",
 *   channelBinding: new Uint8Array(0),
 * };
 * const mac = await signProof(key, "server", transcript);
 * console.log(await verifyProof(key, "server", transcript, mac)); // true
 * console.log(await verifyProof(key, "client", transcript, mac)); // false: another label
 * ```
 */
export async function verifyProof(
  key: TokenKey,
  role: ProofRole,
  transcript: HandshakeTranscript,
  mac: string,
): Promise<boolean> {
  const bytes = decodeBase64(mac);
  if (bytes === undefined || bytes.length !== 32) return false;
  const input = proofInput(role, transcript) as Uint8Array<ArrayBuffer>;
  return await crypto.subtle.verify(HMAC, key, bytes as Uint8Array<ArrayBuffer>, input);
}

// The handshake's key and nonces: fresh 32-byte nonces, an empty token refused, and the token's
// UTF-8 bytes as the HMAC key (the proofs themselves: proof.test.ts, with the protocol's vectors).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExecTokenError } from "../../../mod.ts";
import {
  createNonce,
  EXEC_NONCE_LENGTH,
  type HandshakeTranscript,
  importTokenKey,
  proofInput,
  signProof,
} from "../../../src/services/exec/protocol/mod.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

describe("exec auth", () => {
  it("makes fresh 32-byte nonces", () => {
    const a = createNonce();
    const b = createNonce();
    assert.equal(a.length, EXEC_NONCE_LENGTH);
    assert.equal(EXEC_NONCE_LENGTH, 32);
    assert.notDeepEqual(a, b);
  });

  it("refuses an empty token", async () => {
    await assert.rejects(importTokenKey(""), ExecTokenError);
  });

  it("uses the token's UTF-8 bytes as the key", async () => {
    const transcript: HandshakeTranscript = {
      serverNonce: createNonce(),
      clientNonce: createNonce(),
      offer: ["none"],
      binding: "none",
      channelBinding: new Uint8Array(0),
    };
    const a = await signProof(await importTokenKey("pässwörd"), "client", transcript);
    const raw = await crypto.subtle.importKey(
      "raw",
      utf8("pässwörd") as Uint8Array<ArrayBuffer>,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const input = proofInput("client", transcript) as Uint8Array<ArrayBuffer>;
    const b = new Uint8Array(await crypto.subtle.sign("HMAC", raw, input));
    assert.equal(a, base64(b));
  });
});

// The HMAC handshake: known-answer vectors (RFC 4231), nonce freshness, and verification that
// fails for every wrong or malformed answer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExecTokenError } from "../../../mod.ts";
import {
  createNonce,
  EXEC_NONCE_LENGTH,
  importTokenKey,
  signNonce,
  verifyNonce,
} from "../../../src/services/exec/protocol/mod.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (h: string): Uint8Array => new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16)));
const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

describe("exec auth", () => {
  it("computes HMAC-SHA256 exactly (RFC 4231 test case 2)", async () => {
    const key = await importTokenKey("Jefe");
    const mac = await signNonce(key, utf8("what do ya want for nothing?"));
    const expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    assert.equal(mac, base64(hex(expected)));
  });

  it("matches the test vector in docs/PROTOCOL.md", async () => {
    const key = await importTokenKey("correct horse battery staple");
    const nonce = Uint8Array.from({ length: 32 }, (_, i) => i);
    assert.equal(base64(nonce), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    assert.equal(await signNonce(key, nonce), "VrBrtSMr5KbTSZn8IiXG+o6FJZpF1Ybg+5RlFx+zSnQ=");
  });

  it("verifies a right answer and refuses wrong ones", async () => {
    const key = await importTokenKey("s3cret token");
    const other = await importTokenKey("s3cret tokeN");
    const nonce = createNonce();
    const mac = await signNonce(key, nonce);
    assert.equal(await verifyNonce(key, nonce, mac), true);
    assert.equal(await verifyNonce(key, nonce, await signNonce(other, nonce)), false);
    assert.equal(await verifyNonce(key, createNonce(), mac), false);
    const flipped = Uint8Array.from(atob(mac), (c) => c.charCodeAt(0));
    flipped[31] ^= 1;
    assert.equal(await verifyNonce(key, nonce, base64(flipped)), false);
  });

  it("refuses answers that are not base64 of 32 bytes", async () => {
    const key = await importTokenKey("t");
    const nonce = createNonce();
    const mac = await signNonce(key, nonce);
    for (const bad of ["", "AAAA", mac.slice(0, -1), ` ${mac}`, `${mac}\n`, mac + "AAAA", "!!!!"]) {
      assert.equal(await verifyNonce(key, nonce, bad), false, JSON.stringify(bad));
    }
  });

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
    const nonce = utf8("n");
    const a = await signNonce(await importTokenKey("pässwörd"), nonce);
    const raw = await crypto.subtle.importKey(
      "raw",
      utf8("pässwörd") as Uint8Array<ArrayBuffer>,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const b = new Uint8Array(
      await crypto.subtle.sign("HMAC", raw, nonce as Uint8Array<ArrayBuffer>),
    );
    assert.equal(a, base64(b));
  });
});

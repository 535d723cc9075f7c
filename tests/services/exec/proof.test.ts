// The proofs and channel binding of unstuck-exec/2: the test vectors of docs/PROTOCOL.md (computed
// there with Python's hmac and hashlib), the MAC input's layout, the labels that keep the two
// proofs apart, and the client's choice of binding from the server's offer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ExecProtocolError } from "../../../mod.ts";
import {
  bindingOffer,
  type ChannelBinding,
  channelBindingValue,
  chooseBinding,
  type HandshakeTranscript,
  importTokenKey,
  proofInput,
  signProof,
  verifyProof,
} from "../../../src/services/exec/protocol/mod.ts";
import { projectPath } from "../../_helpers/paths.ts";

const hex = (h: string): Uint8Array => new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array): string =>
  [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const range = (from: number, to: number): Uint8Array =>
  Uint8Array.from({ length: to - from }, (_, i) => from + i);

const TOKEN = "correct horse battery staple";
const BOTH = ["tls-exporter", "tls-server-cert"];

/** The vectors of docs/PROTOCOL.md: binding, offer, value, the client's MAC, the server's. */
const VECTORS: [ChannelBinding, string[], Uint8Array, string, string][] = [
  [
    "tls-exporter",
    BOTH,
    range(0x40, 0x60),
    "aBjxNCIjlozKNH7e5WMbwEEWFP9JuE5ufscaCcI0JEU=",
    "tsKub/0TP7CPfFwL510lyS5da6H9vID59X0abOq2ePI=",
  ],
  [
    "tls-server-cert",
    BOTH,
    hex("48df3da1bff25bab3f2e8993f1611d948a81eef712a6d774f8770faf55c5ce4b"),
    "47IjkEfbjrAroQV6OCRwNiJYKv824RnWOv9NxJ3pHgg=",
    "MZajYAa1iq/WW5Og0WR8Lk7txzuLrPuI7x01kIm9TGA=",
  ],
  [
    "none",
    ["none"],
    new Uint8Array(0),
    "o4DSpX0kaTeVJvloZh/jHx/rjJ34ztKIYX3rrsWHzI8=",
    "VwqF7LiDBsBqbCiU72ZgBiQ738kje+nqnJ4KarMOaKQ=",
  ],
];

function transcript(binding: string, offer: string[], value: Uint8Array): HandshakeTranscript {
  return {
    serverNonce: range(0, 32),
    clientNonce: range(32, 64),
    offer,
    binding,
    channelBinding: value,
  };
}

describe("exec v2 proofs", () => {
  it("lays the MAC input out as docs/PROTOCOL.md shows", () => {
    const input = proofInput("client", transcript("none", ["none"], new Uint8Array(0)));
    const expected = "00000015" + toHex(new TextEncoder().encode("unstuck-exec/2 client")) +
      "00000020" + toHex(range(0, 32)) + "00000020" + toHex(range(32, 64)) +
      "00000004" + "6e6f6e65" + "00000004" + "6e6f6e65" + "00000000";
    assert.equal(toHex(input), expected);
    const doc = readFileSync(projectPath("docs/PROTOCOL.md"), "utf8").replace(/\s+/g, "");
    assert.ok(doc.includes(expected), "docs/PROTOCOL.md shows this input in hex");
  });

  it("matches the test vectors of docs/PROTOCOL.md, both labels", async () => {
    const key = await importTokenKey(TOKEN);
    const doc = readFileSync(projectPath("docs/PROTOCOL.md"), "utf8");
    for (const [binding, offer, value, client, server] of VECTORS) {
      const t = transcript(binding, offer, value);
      assert.equal(await signProof(key, "client", t), client, `${binding}: client`);
      assert.equal(await signProof(key, "server", t), server, `${binding}: server`);
      assert.ok(doc.includes(client) && doc.includes(server), `${binding}: in docs/PROTOCOL.md`);
    }
  });

  it("hashes the server certificate for tls-server-cert, as the vector says", async () => {
    const value = await channelBindingValue("tls-server-cert", {
      serverCertificate: hex("300302012a"),
    });
    assert.deepEqual(value, VECTORS[1][2]);
    assert.deepEqual(
      await channelBindingValue("tls-exporter", { exporter: range(64, 96) }),
      range(64, 96),
    );
    assert.deepEqual(await channelBindingValue("none", {}), new Uint8Array(0));
    await assert.rejects(channelBindingValue("tls-exporter", {}), ExecProtocolError);
    await assert.rejects(channelBindingValue("tls-server-cert", {}), ExecProtocolError);
  });

  it("keeps the two proofs apart, and covers every field of the transcript", async () => {
    const key = await importTokenKey(TOKEN);
    const t = transcript("tls-exporter", BOTH, range(64, 96));
    const client = await signProof(key, "client", t);
    assert.equal(await verifyProof(key, "client", t, client), true);
    assert.equal(
      await verifyProof(key, "server", t, client),
      false,
      "a client proof is no server proof",
    );
    const changed: HandshakeTranscript[] = [
      { ...t, serverNonce: range(1, 33) },
      { ...t, clientNonce: range(31, 63) },
      { ...t, offer: ["tls-server-cert"] }, // a relay that strips the exporter from the offer
      { ...t, offer: ["tls-server-cert", "tls-exporter"] },
      { ...t, binding: "tls-server-cert" },
      { ...t, channelBinding: range(65, 97) }, // the other leg of a relay
      { ...t, channelBinding: new Uint8Array(0) },
    ];
    for (const other of changed) {
      assert.equal(await verifyProof(key, "client", other, client), false, JSON.stringify(other));
    }
    assert.equal(await verifyProof(await importTokenKey("another"), "client", t, client), false);
    for (const bad of ["", "AAAA", client.slice(0, -1), ` ${client}`, client + "AAAA"]) {
      assert.equal(await verifyProof(key, "client", t, bad), false, JSON.stringify(bad));
    }
  });

  it("cannot confuse fields: moving a byte between two fields changes the input", () => {
    const a = proofInput("client", { ...transcript("none", ["none"], new Uint8Array(0)) });
    const b = proofInput("client", { ...transcript("non", ["none"], hex("65")) });
    assert.notEqual(toHex(a), toHex(b));
  });
});

describe("exec v2 channel binding: offer and choice", () => {
  it("offers what the server can compute, strongest first; never none over TLS", () => {
    assert.deepEqual(bindingOffer({ tls: true, exporter: true }), BOTH);
    assert.deepEqual(bindingOffer({ tls: true, exporter: false }), ["tls-server-cert"]);
    assert.deepEqual(bindingOffer({ tls: false, exporter: false }), ["none"]);
  });

  it("takes the first offered binding this end can compute", () => {
    assert.equal(chooseBinding(BOTH, { tls: true, exporter: true }), "tls-exporter");
    assert.equal(chooseBinding(BOTH, { tls: true, exporter: false }), "tls-server-cert");
    assert.equal(
      chooseBinding(["tls-server-cert"], { tls: true, exporter: true }),
      "tls-server-cert",
    );
    assert.equal(chooseBinding(["none"], { tls: false, exporter: false }), "none");
    // Names a later server may add are passed over, not refused.
    assert.equal(
      chooseBinding(["tls-future", ...BOTH], { tls: true, exporter: false }),
      "tls-server-cert",
    );
  });

  it("refuses when the ends do not see the same kind of connection", () => {
    assert.throws(() => chooseBinding(["none"], { tls: true, exporter: true }), /no TLS/);
    assert.throws(() => chooseBinding(BOTH, { tls: false, exporter: false }), /adds TLS/);
  });

  it("refuses malformed offers", () => {
    for (
      const offer of [
        [],
        ["none", "none"],
        ["NONE"],
        [""],
        Array(9).fill(0).map((_, i) => `b${i}`),
      ]
    ) {
      assert.throws(() => chooseBinding(offer, { tls: false, exporter: false }), ExecProtocolError);
    }
  });
});

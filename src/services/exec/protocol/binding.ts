/**
 * Channel binding in `unstuck-exec/2`: which property of the connection both proofs cover. The
 * server offers what it can compute on this connection (strongest first); the client takes the
 * first offered one it can compute too. Both proofs cover the offer and the choice, so a relay
 * that edits either fails (docs/PROTOCOL.md, "Channel binding").
 *
 * @module
 */
import { ExecProtocolError } from "../errors.ts";

/**
 * The channel bindings of `unstuck-exec/2`, strongest first:
 *
 * - `"tls-exporter"`: the RFC 9266 value (RFC 5705 exporter, label `EXPORTER-Channel-Binding`,
 *   empty context, 32 bytes) of a TLS 1.3 connection. Different on each of a relay's two
 *   connections, whatever certificate and key the relay holds.
 * - `"tls-server-cert"`: SHA-256 of the server's certificate (DER), as the server serves it and
 *   the client received it. A relay that does not hold the server's private key must show the
 *   client another certificate.
 * - `"none"`: plaintext; binds nothing (an empty value).
 *
 * @example
 * ```ts
 * import { CHANNEL_BINDINGS } from "@unstuck/unstuck/exec/protocol";
 * console.log(CHANNEL_BINDINGS); // ["tls-exporter", "tls-server-cert", "none"]
 * ```
 */
export const CHANNEL_BINDINGS: readonly ChannelBinding[] = Object.freeze([
  "tls-exporter",
  "tls-server-cert",
  "none",
]);

/** The name of a channel binding ({@linkcode CHANNEL_BINDINGS}). */
export type ChannelBinding = "tls-exporter" | "tls-server-cert" | "none";

/** What one end of a connection can bind to. */
export interface BindingAbility {
  /** The connection is TLS. */
  tls: boolean;
  /** This end can compute the RFC 9266 `tls-exporter` value (TLS 1.3, a runtime with one). */
  exporter: boolean;
}

/** What a binding's value is computed from, at one end of a connection. */
export interface BindingMaterial {
  /** The RFC 9266 `tls-exporter` value (32 bytes), where this end has it. */
  exporter?: Uint8Array;
  /** The server's certificate, DER: the server's own, or the one the client received. */
  serverCertificate?: Uint8Array;
}

/** An offered name: lower-case letters, digits and hyphens, as every binding's name is. */
const NAME = /^[a-z0-9-]{1,32}$/;

/** The most names an offer may hold. */
export const MAX_OFFERED_BINDINGS = 8;

/**
 * What a server offers on a connection, strongest first: on TLS the exporter (where it has one)
 * and the certificate; on plaintext `"none"` only. A TLS server never offers `"none"`.
 *
 * @example
 * ```ts
 * import { bindingOffer } from "@unstuck/unstuck/exec/protocol";
 * console.log(bindingOffer({ tls: true, exporter: false })); // ["tls-server-cert"]
 * console.log(bindingOffer({ tls: false, exporter: false })); // ["none"]
 * ```
 */
export function bindingOffer(ability: BindingAbility): ChannelBinding[] {
  if (!ability.tls) return ["none"];
  return ability.exporter ? ["tls-exporter", "tls-server-cert"] : ["tls-server-cert"];
}

/**
 * Checks an offer as a client receives it: 1 to {@linkcode MAX_OFFERED_BINDINGS} distinct names
 * of lower-case letters, digits and hyphens (names this client does not know are allowed: a later
 * server may offer more).
 *
 * @throws {ExecProtocolError} when it is not such a list
 * @example
 * ```ts
 * import { checkOffer } from "@unstuck/unstuck/exec/protocol";
 * checkOffer(["tls-exporter", "tls-server-cert"]); // fine
 * ```
 */
export function checkOffer(offer: readonly string[]): void {
  if (offer.length === 0 || offer.length > MAX_OFFERED_BINDINGS) {
    throw new ExecProtocolError(
      `the binding offer must name 1 to ${MAX_OFFERED_BINDINGS} bindings, got ${offer.length}`,
    );
  }
  for (const name of offer) {
    if (!NAME.test(name)) {
      throw new ExecProtocolError(`bad binding name ${JSON.stringify(name)} in the offer`);
    }
  }
  if (new Set(offer).size !== offer.length) {
    throw new ExecProtocolError("the binding offer names a binding twice");
  }
}

/**
 * The binding a client uses: the first one in the server's offer that it can compute. A TLS
 * client never uses `"none"`, and a plaintext client nothing else: an offer without a binding
 * this end can use means the two ends do not see the same kind of connection (a proxy that
 * adds or removes TLS, or a relay), and the client gives up.
 *
 * @throws {ExecProtocolError} for a malformed offer, or one with no binding this end can use
 * @example
 * ```ts
 * import { chooseBinding } from "@unstuck/unstuck/exec/protocol";
 * const offer = ["tls-exporter", "tls-server-cert"];
 * console.log(chooseBinding(offer, { tls: true, exporter: true })); // "tls-exporter"
 * console.log(chooseBinding(offer, { tls: true, exporter: false })); // "tls-server-cert"
 * ```
 */
export function chooseBinding(
  offer: readonly string[],
  ability: BindingAbility,
): ChannelBinding {
  checkOffer(offer);
  const usable = bindingOffer(ability);
  const chosen = offer.find((name): name is ChannelBinding => (usable as string[]).includes(name));
  if (chosen !== undefined) return chosen;
  throw new ExecProtocolError(
    ability.tls
      ? "the server sees no TLS on this connection (it offers " + offer.join(", ") + "): a " +
        "proxy that ends TLS, or a relay, is in between; refusing"
      : "the server offers only TLS bindings (" + offer.join(", ") + ") on a connection this " +
        "client made without TLS: something in between adds TLS; refusing",
  );
}

/**
 * The value a binding covers, at one end: the exporter's 32 bytes, SHA-256 of the server's
 * certificate (DER), or no bytes for `"none"`.
 *
 * @throws {ExecProtocolError} when this end lacks what the binding needs
 * @example
 * ```ts
 * import { channelBindingValue } from "@unstuck/unstuck/exec/protocol";
 * const der = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x2a]);
 * const value = await channelBindingValue("tls-server-cert", { serverCertificate: der });
 * console.log(value.length); // 32
 * ```
 */
export async function channelBindingValue(
  binding: ChannelBinding,
  material: BindingMaterial,
): Promise<Uint8Array> {
  switch (binding) {
    case "none":
      return new Uint8Array(0);
    case "tls-exporter":
      if (material.exporter?.length !== 32) {
        throw new ExecProtocolError("no tls-exporter value on this connection");
      }
      return material.exporter;
    case "tls-server-cert": {
      const der = material.serverCertificate;
      if (der === undefined || der.length === 0) {
        throw new ExecProtocolError("no server certificate on this connection");
      }
      const hash = await crypto.subtle.digest("SHA-256", der as Uint8Array<ArrayBuffer>);
      return new Uint8Array(hash);
    }
  }
}

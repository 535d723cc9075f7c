/**
 * What one end of an exec connection can bind its proofs to (docs/PROTOCOL.md, "Channel
 * binding"), read from the connection: plaintext binds nothing; TLS binds the server's
 * certificate (a server's own, the one a client received) and, where the runtime has one, the
 * RFC 9266 `tls-exporter` value of a TLS 1.3 connection.
 *
 * @module
 */
import { type TcpConnection, tlsExporter } from "../../runtime/mod.ts";
import type { BindingAbility, BindingMaterial } from "./protocol/mod.ts";

/** A connection's binding ability and material, at one end. */
export interface ConnectionBinding {
  /** What this end can compute. */
  ability: BindingAbility;
  /** What the values are computed from. */
  material: BindingMaterial;
}

/**
 * The binding ability and material of `conn` at its `side`. Read while the connection is open:
 * a closed connection has no exporter.
 *
 * @example
 * ```ts
 * import { connectionBinding } from "./channel.ts";
 * console.log(connectionBinding({ tls: undefined }, "client").ability); // { tls: false, exporter: false }
 * ```
 */
export function connectionBinding(
  conn: Pick<TcpConnection, "tls">,
  side: "client" | "server",
): ConnectionBinding {
  const tls = conn.tls;
  if (tls === undefined) return { ability: { tls: false, exporter: false }, material: {} };
  const exporter = tlsExporter(conn);
  return {
    ability: { tls: true, exporter: exporter !== undefined },
    material: {
      exporter,
      serverCertificate: side === "server" ? tls.localCertificate : tls.peerCertificate,
    },
  };
}

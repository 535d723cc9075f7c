/**
 * TLS over `node:tls`, for the node adapter (in Node, Deno and Bun) and the deno adapter's
 * client: wrapping an accepted socket, opening a verified client connection, and what a session
 * offers ({@linkcode nodeTlsInfo}).
 *
 * A server wraps each socket its `net.Server` accepted in a `TLSSocket` itself, as Node's own
 * `tls.Server` does, so that the adapter sees every connection from its first byte: the
 * handshake's deadline and the cap on pending handshakes apply to it (shared/handshakes.ts).
 *
 * @module
 */
import tls from "node:tls";
import type net from "node:net";
import { Buffer } from "node:buffer";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { TlsInfo } from "../types.ts";
import { type ClientTlsConfig, credentialsError, type ServerTlsConfig } from "../shared/tls.ts";

/**
 * What a node:tls session offers: the protocol, the peer's certificate (a client's view of the
 * server), our own certificate (a server's, from its options) and the exporter where the runtime
 * has one (Node and Bun do; Deno's node:tls does not).
 *
 * @example
 * ```ts
 * import tls from "node:tls";
 * import { nodeTlsInfo } from "./tls.ts";
 * const socket = tls.connect({ host: "127.0.0.1", port: 8443 }, () => {
 *   console.log(nodeTlsInfo(socket).protocol); // "TLSv1.3"
 *   socket.end();
 * });
 * ```
 */
export function nodeTlsInfo(socket: tls.TLSSocket, localCertificate?: Uint8Array): TlsInfo {
  const raw = socket.getPeerCertificate(true)?.raw as Uint8Array | undefined;
  const info: TlsInfo = {
    protocol: socket.getProtocol() ?? undefined,
    peerCertificate: raw === undefined ? undefined : new Uint8Array(raw),
    localCertificate,
  };
  if (typeof socket.exportKeyingMaterial !== "function") return info;
  return {
    ...info,
    exporter: (label, length, context) => {
      const ctx = context === undefined
        ? undefined
        : Buffer.from(context.buffer, context.byteOffset, context.byteLength);
      return new Uint8Array(socket.exportKeyingMaterial(length, label, ctx as Buffer));
    },
  };
}

/**
 * The secure context of a server's certificate and key. Throws `TypeError` (the runtime's error
 * as cause) when the runtime rejects them: not a certificate, a key that does not match.
 *
 * @example
 * ```ts
 * import { serverContext } from "./tls.ts";
 * import { serverTlsConfig } from "../shared/tls.ts";
 * const pem = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
 * try {
 *   serverContext(serverTlsConfig({ cert: pem, key: pem.replaceAll("CERTIFICATE", "PRIVATE KEY") }));
 * } catch (e) {
 *   console.log((e as Error).name); // "TypeError"
 * }
 * ```
 */
export function serverContext(config: ServerTlsConfig): tls.SecureContext {
  let context: tls.SecureContext;
  let matches: boolean;
  try {
    context = tls.createSecureContext({ cert: config.cert, key: config.key });
    // Deno's node:tls takes a key that is not the certificate's here, and fails every handshake.
    matches = new X509Certificate(config.cert).checkPrivateKey(createPrivateKey(config.key));
  } catch (e) {
    throw credentialsError(e);
  }
  if (!matches) throw credentialsError(new Error("the key is not the certificate's"));
  return context;
}

/**
 * Starts the server side of TLS on an accepted socket; `onSecure` runs once the handshake has
 * completed, `onError` if it fails (the socket is not closed for you).
 *
 * @example
 * ```ts
 * import net from "node:net";
 * import { secureAccepted, serverContext } from "./tls.ts";
 * import { serverTlsConfig } from "../shared/tls.ts";
 * declare const cert: string, key: string;
 * const context = serverContext(serverTlsConfig({ cert, key }));
 * net.createServer((raw) => {
 *   const socket = secureAccepted(raw, context, () => socket.end("hi"), () => raw.destroy());
 * });
 * ```
 */
export function secureAccepted(
  raw: net.Socket,
  context: tls.SecureContext,
  onSecure: () => void,
  onError: (error: Error) => void,
): tls.TLSSocket {
  // The raw socket's errors are the TLS socket's too (it reports them); one without a listener
  // would be thrown.
  raw.on("error", () => {});
  const socket = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
  socket.allowHalfOpen = true;
  let failed = false;
  // After a failure, later errors of the dying socket are ignored rather than thrown.
  const onFailure = (error: Error): void => {
    if (failed) return;
    failed = true;
    socket.off("secure", onReady);
    onError(error);
  };
  const onReady = (): void => {
    socket.off("error", onFailure);
    onSecure();
  };
  // "secure" is the event Node's own tls.Server waits for on the sockets it wraps (Deno's and
  // Bun's node:tls emit it too); "secureConnect" is a client's.
  socket.once("secure", onReady);
  socket.on("error", onFailure);
  return socket;
}

/**
 * Opens a TLS connection that trusts only `config.ca` (or the default store without it) and
 * checks the server's certificate against `config.serverName`. Its `secureConnect` event says
 * the handshake completed and the certificate verified; an `error` before that, that it failed.
 *
 * @example
 * ```ts
 * import { connectSecure } from "./tls.ts";
 * import { clientTlsConfig } from "../shared/tls.ts";
 * const socket = connectSecure("127.0.0.1", 8443, clientTlsConfig({}, "127.0.0.1"));
 * socket.once("secureConnect", () => socket.end());
 * socket.once("error", (e) => console.error(e.message));
 * ```
 */
export function connectSecure(host: string, port: number, config: ClientTlsConfig): tls.TLSSocket {
  const socket = tls.connect({
    host,
    port,
    ca: config.ca,
    servername: config.sni,
    // The name to check is ours to choose (an IP literal is never sent as SNI).
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(config.serverName, cert),
  });
  // Not a tls.connect option; before any data can arrive, the same as one.
  socket.allowHalfOpen = true;
  return socket;
}

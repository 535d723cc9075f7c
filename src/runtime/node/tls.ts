/**
 * TLS over `node:tls`, for the node adapter (in Node, Deno and Bun) and the deno adapter's TLS:
 * wrapping an accepted socket, opening a verified client connection, and what a session offers
 * ({@linkcode nodeTlsInfo}).
 *
 * A server wraps each socket its `net.Server` accepted in a `TLSSocket` itself, as Node's own
 * `tls.Server` does, so that the adapter sees every connection from its first byte: the
 * handshake's deadline and the cap on pending handshakes apply to it (shared/handshakes.ts).
 *
 * In Deno the TLS socket runs over a JS stream around the TCP socket ({@linkcode jsStream}): Deno
 * 2.9's node:tls, attached to the TCP handle, goes on reading while paused (decrypted data piles up)
 * and loses a close_notify that arrives while paused (the connection never reads EOF); so there the
 * TLS socket is never paused and reading stops at the TCP socket instead
 * (tests/runtime/deno_tls_facts.test.ts shows the EOF bug; docs/RUNTIME.md has the rest).
 *
 * @module
 */
import tls from "node:tls";
import net from "node:net";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { TlsInfo } from "../types.ts";
import {
  type ClientTlsConfig,
  credentialsError,
  exporterOf,
  type ServerTlsConfig,
} from "../shared/tls.ts";
import { detectRuntime } from "../adapter.ts";

/** Whether TLS sockets run over a JS stream (in Deno: see the module's comment). */
const OVER_JS_STREAM = detectRuntime() === "deno";

/** Bytes a JS stream reads from its TCP socket ahead of the TLS layer. */
const JS_STREAM_HIGH_WATER_MARK = 256 * 1024;

/** The largest write over a JS stream: under the 48 KiB encrypted at once, with a margin. */
const JS_STREAM_MAX_WRITE = 40 * 1024;

/**
 * How long a socket that is being closed may take to deliver bytes it already took, at most
 * (as a kernel goes on sending after close(2)).
 */
export const CLOSE_FLUSH_MS = 2_000;

/** A TLS socket, the TCP socket under it, and how to stop and restart reading from the network. */
export interface SecureTransport {
  /** The TLS socket: cleartext is read and written here. */
  readonly socket: tls.TLSSocket;
  /** The socket that has the addresses and takes `setNoDelay` (the TLS one, or the TCP one). */
  readonly raw: net.Socket;
  /** Stops reading (backpressure). */
  pause(): void;
  /** Reads again. */
  resume(): void;
  /**
   * Each write must be at most this many bytes, or undefined: no limit. Deno's node:tls over a JS
   * stream encrypts 48 KiB of a write at once and completes the write anyway: the rest is dropped
   * by the next write, or overtaken by a close_notify. (Its socket never merges writes: see
   * {@linkcode transportOf}.)
   */
  readonly maxWrite: number | undefined;
}

/**
 * A Duplex over a TCP socket, for a TLS socket that is never paused: the TCP socket reads only
 * while the TLS layer has room and nobody `hold`s it.
 */
function jsStream(raw: net.Socket): { duplex: Duplex; hold(held: boolean): void } {
  let wanted = true;
  let held = false;
  const update = (): void => void (wanted && !held ? raw.resume() : raw.pause());
  const duplex = new Duplex({
    highWaterMark: JS_STREAM_HIGH_WATER_MARK,
    read() {
      wanted = true;
      update();
    },
    write(chunk: Uint8Array, _encoding, done) {
      if (raw.write(chunk)) done();
      else raw.once("drain", () => done());
    },
    final(done) {
      raw.end(() => done());
    },
    destroy(error, done) {
      raw.destroy(error ?? undefined);
      done(error);
    },
  });
  raw.on("data", (chunk: Uint8Array) => {
    if (!duplex.push(chunk)) {
      wanted = false;
      update();
    }
  });
  raw.on("end", () => duplex.push(null));
  raw.on("error", (e: Error) => duplex.destroy(e));
  raw.on("close", () => duplex.destroy());
  return {
    duplex,
    hold: (h) => {
      held = h;
      update();
    },
  };
}

/** The transport of `socket`, over `raw` (through `stream` when it runs over a JS stream). */
function transportOf(
  socket: tls.TLSSocket,
  raw: net.Socket,
  stream: ReturnType<typeof jsStream> | undefined,
): SecureTransport {
  if (stream === undefined) {
    return {
      socket,
      raw: socket,
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      maxWrite: undefined,
    };
  }
  // Writes the socket buffered must not be merged into one larger than `maxWrite`: without
  // `_writev`, a Writable writes them one by one.
  (socket as { _writev?: unknown })._writev = undefined;
  // Deno's TLS socket does not end or destroy the stream under it: once it has closed, the TCP
  // socket delivers what it holds (the close_notify, say), then closes, within a bound.
  socket.once("close", () => {
    if (raw.destroyed || raw.writableLength === 0) return void raw.destroy();
    const timer = setTimeout(() => raw.destroy(), CLOSE_FLUSH_MS);
    raw.once("close", () => clearTimeout(timer));
    raw.end(() => raw.destroy());
  });
  return {
    socket,
    raw,
    pause: () => stream.hold(true),
    resume: () => stream.hold(false),
    maxWrite: JS_STREAM_MAX_WRITE,
  };
}

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
    exporter: exporterOf((length, label, context) => {
      const ctx = context === undefined
        ? undefined
        : Buffer.from(context.buffer, context.byteOffset, context.byteLength);
      return socket.exportKeyingMaterial(length, label, ctx as Buffer);
    }),
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
 *   const t = secureAccepted(raw, context, () => t.socket.end("hi"), () => raw.destroy());
 * });
 * ```
 */
export function secureAccepted(
  raw: net.Socket,
  context: tls.SecureContext,
  onSecure: () => void,
  onError: (error: Error) => void,
): SecureTransport {
  // The raw socket's errors are the TLS socket's too (it reports them, but not always before the
  // handshake: see "close" below); one without a listener would be thrown.
  let rawError: Error | undefined;
  raw.on("error", (e: Error) => (rawError ??= e));
  const stream = OVER_JS_STREAM ? jsStream(raw) : undefined;
  const socket = new tls.TLSSocket(stream?.duplex ?? raw, {
    isServer: true,
    secureContext: context,
  });
  socket.allowHalfOpen = true;
  let settled = false;
  // After a failure, later errors of the dying socket are ignored rather than thrown.
  const onFailure = (error: Error): void => {
    if (settled) return;
    settled = true;
    socket.off("secure", onReady);
    onError(error);
  };
  const onReady = (): void => {
    settled = true;
    socket.off("error", onFailure);
    onSecure();
  };
  // "secure" is the event Node's own tls.Server waits for on the sockets it wraps (Deno's and
  // Bun's node:tls emit it too); "secureConnect" is a client's.
  socket.once("secure", onReady);
  socket.on("error", onFailure);
  // Deno's node:tls over a JS stream closes without an error when the peer resets first.
  socket.once("close", () => {
    if (settled) return;
    onFailure(
      rawError ?? Object.assign(new Error("closed during the handshake"), { code: "ECONNRESET" }),
    );
  });
  return transportOf(socket, raw, stream);
}

/**
 * Opens a TLS connection that trusts only `config.ca` (or the default store without it) and
 * checks the server's certificate against `config.serverName`. Its socket's `secureConnect`
 * event says the handshake completed and the certificate verified; an `error` before that, that
 * it failed; its raw socket's `connect`, that the TCP connection opened.
 *
 * @example
 * ```ts
 * import { connectSecure } from "./tls.ts";
 * import { clientTlsConfig } from "../shared/tls.ts";
 * const { socket } = connectSecure("127.0.0.1", 8443, clientTlsConfig({}, "127.0.0.1"));
 * socket.once("secureConnect", () => socket.end());
 * socket.once("error", (e) => console.error(e.message));
 * ```
 */
export function connectSecure(
  host: string,
  port: number,
  config: ClientTlsConfig,
): SecureTransport {
  const options: tls.ConnectionOptions = {
    ca: config.ca,
    servername: config.sni,
    // The name to check is ours to choose (an IP literal is never sent as SNI).
    checkServerIdentity: (_host: string, cert: tls.PeerCertificate) =>
      tls.checkServerIdentity(config.serverName, cert),
  };
  let socket: tls.TLSSocket;
  let raw: net.Socket;
  let stream: ReturnType<typeof jsStream> | undefined;
  if (OVER_JS_STREAM) {
    raw = net.connect({ host, port, allowHalfOpen: true });
    stream = jsStream(raw);
    socket = tls.connect({ ...options, socket: stream.duplex });
  } else {
    socket = tls.connect({ ...options, host, port });
    raw = socket;
  }
  // Not a tls.connect option; before any data can arrive, the same as one.
  socket.allowHalfOpen = true;
  return { ...transportOf(socket, raw, stream), raw };
}

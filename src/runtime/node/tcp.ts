/**
 * TCP over `node:net`, and TLS over `node:tls` (./tls.ts). Runs in Node, and in Deno and Bun
 * through their Node compatibility.
 *
 * Reading: `data` events fill a bounded queue; past its high-water mark the socket is paused, so
 * a slow consumer stops the peer (TCP flow control) instead of growing our memory. Writing:
 * `socket.write()` returns false once Node's buffer is over its high-water mark; we then wait
 * for `drain`.
 *
 * @module
 */
import net from "node:net";
import { once } from "node:events";
import type { Buffer } from "node:buffer";
import type {
  ConnectionHandler,
  ConnectOptions,
  ListenOptions,
  NetAddress,
  TcpConnection,
  TcpServer,
  TlsInfo,
} from "../types.ts";
import { toNetworkError, toTlsError } from "../errors.ts";
import { BaseConnection } from "../shared/connection.ts";
import { BaseServer } from "../shared/server.ts";
import { PushQueue } from "../shared/push_queue.ts";
import { bindAddress, peerAddress } from "../shared/address.ts";
import {
  clientTlsConfig,
  handshakeTimeoutError,
  type ServerTlsConfig,
  serverTlsConfig,
} from "../shared/tls.ts";
import {
  CLOSE_FLUSH_MS,
  connectSecure,
  nodeTlsInfo,
  secureAccepted,
  type SecureTransport,
  serverContext,
} from "./tls.ts";

/** Bytes queued from a socket before it is paused. */
const READ_HIGH_WATER_MARK = 256 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A TCP connection over a `net.Socket`, or a TLS one over a `tls.TLSSocket` (the same class).
 *
 * @example
 * ```ts
 * import { connectNode } from "./tcp.ts";
 * const conn = await connectNode({ port: 8080 });
 * await conn.write(new TextEncoder().encode("hi"));
 * conn.close();
 * ```
 */
export class NodeConnection extends BaseConnection {
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly #socket: net.Socket;
  /** The TCP socket: `#socket` itself, or the one under a TLS socket over a JS stream. */
  readonly #raw: net.Socket;
  /** Set when each write must be at most this large (`SecureTransport.maxWrite`). */
  readonly #maxWrite: number | undefined;
  readonly #queue: PushQueue<Uint8Array>;
  #drain: Promise<void> | null = null;
  #drained: (() => void) | null = null;
  #broken: ((e: unknown) => void) | null = null;
  #error: unknown = undefined;

  /**
   * Wraps a connected socket (created with `allowHalfOpen: true`). A TLS one comes with `tls`,
   * and with its `transport` when the TCP socket underneath is another object (./tls.ts).
   */
  constructor(
    socket: net.Socket,
    signal?: AbortSignal,
    tls?: TlsInfo,
    transport?: SecureTransport,
  ) {
    super(signal, tls);
    this.#socket = socket;
    const raw = transport?.raw ?? socket;
    this.#raw = raw;
    this.#maxWrite = transport?.maxWrite;
    this.localAddr = { hostname: raw.localAddress ?? "", port: raw.localPort ?? 0 };
    this.remoteAddr = { hostname: raw.remoteAddress ?? "", port: raw.remotePort ?? 0 };
    const queue = new PushQueue<Uint8Array>({
      highWaterMark: READ_HIGH_WATER_MARK,
      sizeOf: (c) => c.length,
      pause: () => (transport ? transport.pause() : socket.pause()),
      resume: () => (transport ? transport.resume() : socket.resume()),
    });
    this.#queue = queue;
    socket.on("data", (b: Buffer) => queue.push(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    socket.on("end", () => queue.end());
    socket.on("drain", () => this.#settleDrain(null));
    socket.on("error", (e: Error) => {
      this.#error = e;
      queue.fail(toNetworkError(e, "read"));
    });
    socket.on("close", () => {
      queue.end();
      this.#settleDrain(this.closedError(this.#error));
      this.markClosed();
    });
  }

  protected readResult(): Promise<IteratorResult<Uint8Array, undefined>> {
    return this.#queue.next();
  }

  protected writeBytes(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed) return Promise.reject(this.closedError(this.#error));
    if (this.#maxWrite !== undefined) return this.#writeInPieces([bytes]);
    return socket.write(bytes) ? RESOLVED : this.#waitDrain();
  }

  protected override writeMany(chunks: readonly Uint8Array[]): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed) return Promise.reject(this.closedError(this.#error));
    if (this.#maxWrite !== undefined) return this.#writeInPieces(chunks);
    socket.cork();
    let ok = true;
    for (const chunk of chunks) ok = socket.write(chunk);
    socket.uncork();
    return ok && socket.writableLength < socket.writableHighWaterMark
      ? RESOLVED
      : this.#waitDrain();
  }

  protected shutdownWrite(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.end((e?: Error | null) => (e ? reject(this.closedError(e)) : resolve()));
    });
  }

  /**
   * Closes now, but first delivers what `write()` already resolved for and the runtime still
   * holds (as a kernel does after close(2)): node:tls in Deno and Bun queues encrypted bytes after
   * `write()` returns, and `destroy()` would drop them. Bounded by {@linkcode CLOSE_FLUSH_MS}.
   */
  protected destroy(): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableLength === 0 || socket.writableFinished) {
      socket.destroy();
      return;
    }
    socket.pause();
    const timer = setTimeout(() => socket.destroy(), CLOSE_FLUSH_MS);
    socket.once("close", () => clearTimeout(timer));
    socket.once("finish", () => socket.destroy());
    if (!socket.writableEnded) socket.end();
  }

  setNoDelay(noDelay: boolean): void {
    this.#raw.setNoDelay(noDelay);
  }

  /**
   * Writes `chunks` repacked into pieces of at most `#maxWrite` bytes, each a write of its own
   * (see `SecureTransport.maxWrite`); waits for `drain` like any write.
   */
  #writeInPieces(chunks: readonly Uint8Array[]): Promise<void> {
    const socket = this.#socket;
    let ok = true;
    for (const piece of repack(chunks, this.#maxWrite!)) ok = socket.write(piece);
    return ok ? RESOLVED : this.#waitDrain();
  }

  #waitDrain(): Promise<void> {
    this.#drain ??= new Promise<void>((resolve, reject) => {
      this.#drained = resolve;
      this.#broken = reject;
    });
    return this.#drain;
  }

  #settleDrain(error: unknown): void {
    if (this.#drain === null) return;
    const [drained, broken] = [this.#drained, this.#broken];
    this.#drain = this.#drained = this.#broken = null;
    if (error === null) drained?.();
    else broken?.(error);
  }
}

/**
 * A server over a listening `net.Server`. Exported for the tests, which drive it with a server
 * of their own to make it fail.
 *
 * @example
 * ```ts
 * import net from "node:net";
 * import { once } from "node:events";
 * import { NodeServer } from "./tcp.ts";
 * const listening = net.createServer({ allowHalfOpen: true }).listen(0, "127.0.0.1");
 * await once(listening, "listening");
 * const server = new NodeServer(listening, (conn) => conn.close());
 * await server.close();
 * ```
 */
export class NodeServer extends BaseServer {
  readonly #server: net.Server;

  /**
   * Serves the connections `server` (already listening) accepts; `options` as `listen()`'s,
   * with `tls` checked by `serverTlsConfig()`.
   */
  constructor(
    server: net.Server,
    handler: ConnectionHandler,
    options: Pick<ListenOptions, "signal" | "onAcceptError" | "noDelay"> & {
      tls?: ServerTlsConfig;
    } = {},
  ) {
    const a = server.address() as net.AddressInfo;
    super({ hostname: a.address, port: a.port }, handler, options);
    this.#server = server;
    const noDelay = options.noDelay ?? true;
    const secure = options.tls === undefined ? undefined : this.#secure(options.tls);
    server.on("connection", (socket: net.Socket) => {
      socket.setNoDelay(noDelay);
      if (secure === undefined) this.accept(new NodeConnection(socket));
      else secure(socket);
    });
    // After listening, node:net emits failed accepts here, and goes on listening: sorted like
    // every adapter's, only a failure of the listening socket itself ends the server. (libuv
    // handles ECONNABORTED and EMFILE itself and says nothing: docs/RUNTIME.md.)
    server.on("error", (e: Error) => void this.acceptFailed(e));
  }

  /** What a TLS server does with each accepted socket: the handshake, tracked, then `accept`. */
  #secure(config: ServerTlsConfig): (raw: net.Socket) => void {
    const context = serverContext(config);
    const handshakes = this.trackHandshakes(config);
    return (raw) => {
      const peer = { hostname: raw.remoteAddress ?? "", port: raw.remotePort ?? 0 };
      let transport: SecureTransport | undefined = undefined;
      const finish = handshakes.start(peer, () => (transport?.socket ?? raw).destroy());
      transport = secureAccepted(raw, context, () => {
        if (!finish()) return;
        const { socket } = transport!;
        const info = nodeTlsInfo(socket, config.localCertificate);
        this.accept(new NodeConnection(socket, undefined, info, transport));
      }, (error) => {
        if (finish()) handshakes.failed(peer, error);
        transport!.socket.destroy();
      });
    };
  }

  protected stopListening(): void {
    this.#server.close();
  }
}

/**
 * Starts a TCP server with `node:net`.
 *
 * @example
 * ```ts
 * import { listenNode } from "./tcp.ts";
 * const server = await listenNode({ port: 0 }, (conn) => conn.close());
 * console.log(server.addr.port);
 * await server.close();
 * ```
 */
export async function listenNode(
  options: ListenOptions,
  onConnection: ConnectionHandler,
): Promise<TcpServer> {
  const { hostname, port } = bindAddress(options);
  const tlsConfig = options.tls === undefined ? undefined : serverTlsConfig(options.tls);
  if (tlsConfig !== undefined) serverContext(tlsConfig); // refuse bad credentials before binding
  options.signal?.throwIfAborted();
  const server = net.createServer({ allowHalfOpen: true });
  try {
    server.listen({ host: hostname, port });
    await once(server, "listening"); // rejects with an "error" event instead
  } catch (e) {
    server.close();
    throw toNetworkError(e, `listen on ${hostname}:${port}`);
  }
  return new NodeServer(server, onConnection, { ...options, tls: tlsConfig });
}

/**
 * Opens a TCP connection with `node:net`, or a TLS one with `node:tls` (resolved once the
 * handshake completed and the server's certificate verified).
 *
 * @example
 * ```ts
 * import { connectNode } from "./tcp.ts";
 * const conn = await connectNode({ hostname: "127.0.0.1", port: 8080 });
 * conn.close();
 * ```
 */
export function connectNode(options: ConnectOptions): Promise<TcpConnection> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const { hostname, port } = peerAddress(options);
    const tlsConfig = options.tls === undefined
      ? undefined
      : clientTlsConfig(options.tls, hostname);
    if (signal?.aborted) return reject(signal.reason);
    const where = `${hostname}:${port}`;
    let connected = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const transport = tlsConfig === undefined
      ? undefined
      : connectSecure(hostname, port, tlsConfig);
    const socket = transport?.socket ?? net.connect({ host: hostname, port, allowHalfOpen: true });
    const raw = transport?.raw ?? socket;
    const ready = tlsConfig === undefined ? "connect" : "secureConnect";
    const settle = (): void => {
      clearTimeout(timer);
      raw.off("connect", onConnect);
      socket.off(ready, onReady);
      signal?.removeEventListener("abort", onAbort);
    };
    // Stays attached after a failure: the dying socket's later errors must not be thrown.
    const fail = (error: unknown): void => {
      settle();
      socket.destroy();
      reject(error);
    };
    const onError = (e: Error): void =>
      fail(
        connected && tlsConfig !== undefined
          ? toTlsError(e, `TLS handshake with ${where}`)
          : toNetworkError(e, `connect to ${where}`),
      );
    const onAbort = (): void => fail(signal?.reason);
    const onConnect = (): void => {
      connected = true;
      if (tlsConfig === undefined) return;
      const ms = tlsConfig.handshakeTimeoutMs;
      timer = setTimeout(() => fail(handshakeTimeoutError(where, ms)), ms);
    };
    const onReady = (): void => {
      settle();
      socket.off("error", onError);
      raw.setNoDelay(options.noDelay ?? true);
      const info = transport === undefined ? undefined : nodeTlsInfo(transport.socket);
      resolve(new NodeConnection(socket, signal, info, transport));
    };
    socket.on("error", onError);
    raw.once("connect", onConnect);
    socket.once(ready, onReady);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * `chunks` as pieces of at most `max` bytes, all of one size (the last one maybe shorter), so that
 * no piece is a few bytes left over (each piece is a write, and a TLS record of its own): a piece
 * inside one chunk is a view of it, one that spans chunks a copy.
 *
 * @example
 * ```ts
 * import { repack } from "./tcp.ts";
 * const pieces = repack([new Uint8Array(4), new Uint8Array(20)], 16);
 * console.log(pieces.map((p) => p.length)); // [12, 12]
 * ```
 */
export function repack(chunks: readonly Uint8Array[], max: number): Uint8Array[] {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const size = Math.ceil(total / Math.ceil(total / max));
  const out: Uint8Array[] = [];
  let piece: Uint8Array | null = null;
  let filled = 0;
  for (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) {
      const want = Math.min(size, total) - filled;
      if (piece === null && chunk.length - at >= want) {
        out.push(chunk.subarray(at, at + want));
        at += want;
        total -= want;
        continue;
      }
      piece ??= new Uint8Array(Math.min(size, total));
      const n = Math.min(piece.length - filled, chunk.length - at);
      piece.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === piece.length) {
        out.push(piece);
        total -= filled;
        piece = null;
        filled = 0;
      }
    }
  }
  return out;
}

/**
 * TCP and TLS over `Bun.listen` / `Bun.connect` (their `tls` option).
 *
 * Bun's `socket.write()` is unbuffered: it returns how many bytes the kernel took, possibly fewer
 * than asked (or 0). The rest waits in a queue here and goes out on `drain`, and each write
 * resolves only once all of its bytes went out, so a slow peer slows the writer down instead of
 * growing memory. Reading: `data` events fill a bounded queue; past its mark the socket is paused.
 *
 * @module
 */
import type {
  ConnectionHandler,
  ConnectOptions,
  ListenOptions,
  NetAddress,
  TcpConnection,
  TcpServer,
  TlsInfo,
} from "../types.ts";
import { ConnectionResetError, toNetworkError, toTlsError } from "../errors.ts";
import { BaseConnection, SMALL_CHUNK } from "../shared/connection.ts";
import { BaseServer } from "../shared/server.ts";
import { abortable } from "../shared/abortable.ts";
import { bindAddress, peerAddress } from "../shared/address.ts";
import { PushQueue } from "../shared/push_queue.ts";
import {
  clientTlsConfig,
  exporterOf,
  handshakeTimeoutError,
  type ServerTlsConfig,
  serverTlsConfig,
  tlsListenError,
  withDeadline,
} from "../shared/tls.ts";
import type { PendingHandshakes } from "../shared/handshakes.ts";
import { bunApi, type BunListener, type BunSocket, type BunSocketHandler } from "./api.ts";

/** Bytes queued from a socket before it is paused. */
const READ_HIGH_WATER_MARK = 256 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();

/** A write the kernel has not taken all of yet. */
interface PendingWrite {
  bytes: Uint8Array;
  offset: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

type Slot = BunConnection | undefined;

/**
 * A TCP connection over a Bun socket.
 *
 * @example
 * ```ts
 * import { connectBun } from "./tcp.ts";
 * const conn = await connectBun({ port: 8080 });
 * conn.close();
 * ```
 */
export class BunConnection extends BaseConnection {
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly #socket: BunSocket<Slot>;
  readonly #queue: PushQueue<Uint8Array>;
  #pending: PendingWrite[] = [];
  /** The staging buffer of TLS writevs (see `writeMany`). */
  #stage: Uint8Array | undefined;
  #error: unknown = undefined;
  #peerEnded = false;

  /**
   * Wraps an open Bun socket (a TLS one once its handshake completed, with `tls`); the socket's
   * handlers forward its events here.
   */
  constructor(socket: BunSocket<Slot>, signal?: AbortSignal, tls?: TlsInfo) {
    super(signal, tls);
    this.#socket = socket;
    this.localAddr = { hostname: socket.localAddress, port: socket.localPort };
    this.remoteAddr = { hostname: socket.remoteAddress, port: socket.remotePort };
    this.#queue = new PushQueue<Uint8Array>({
      highWaterMark: READ_HIGH_WATER_MARK,
      sizeOf: (c) => c.length,
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    });
  }

  /** `data` event. */
  onData(chunk: Uint8Array): void {
    this.#queue.push(chunk);
  }

  /**
   * `end` event: the peer sent FIN. From now on the socket keeps the process alive only while a
   * write waits for `drain`, as Node's and Deno's sockets do: a connection whose peer has gone and
   * that nobody closed must not hold the process open.
   */
  onEnd(): void {
    this.#queue.end();
    this.#peerEnded = true;
    if (this.#pending.length === 0) this.#socket.unref();
  }

  /** `drain` event: the kernel takes bytes again. */
  onDrain(): void {
    this.#flush();
  }

  /** `error` event. */
  onError(error: Error): void {
    this.#error ??= error;
    this.#queue.fail(toNetworkError(error, "read"));
  }

  /** `close` event. */
  onClose(error?: Error): void {
    if (error !== undefined) {
      this.#error ??= error;
      if (!this.isClosing) this.#queue.fail(toNetworkError(error, "read"));
    }
    this.#queue.end();
    this.#failPending(this.closedError(this.#error));
    this.markClosed();
  }

  protected readResult(): Promise<IteratorResult<Uint8Array, undefined>> {
    return this.#queue.next();
  }

  /**
   * Over TLS, a writev's first {@linkcode SMALL_CHUNK} bytes (one TLS record: a frame's header and
   * the start of its payload) go out as one write, copied into a staging buffer; the rest as the
   * views they are. Each write is its own `SSL_write` and record: a 4-byte header written by itself
   * cost a 64 KiB frame up to a third of its throughput, and copying the whole frame (Bun copies
   * at about 2 GB/s) as much (bench/tls.ts). The staging buffer is reused once Bun took all of it.
   */
  protected override writeMany(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.tls === undefined || chunks.length < 2) return super.writeMany(chunks);
    // With writes waiting, the staging buffer could not be reused: a buffer of its own.
    const free = this.#pending.length === 0;
    const head = free ? (this.#stage ??= new Uint8Array(SMALL_CHUNK)) : new Uint8Array(SMALL_CHUNK);
    let filled = 0;
    const rest: Uint8Array[] = [];
    for (const chunk of chunks) {
      const n = Math.min(chunk.length, SMALL_CHUNK - filled);
      if (n > 0) {
        head.set(n === chunk.length ? chunk : chunk.subarray(0, n), filled);
        filled += n;
      }
      if (n < chunk.length) rest.push(chunk.subarray(n));
    }
    const first = head.subarray(0, filled);
    let writing: Promise<void>;
    if (!free) writing = this.#enqueue(first, 0);
    else {
      const n = this.#socket.write(first);
      if (n < 0) return Promise.reject(this.#writeError());
      writing = n === filled ? RESOLVED : this.#enqueue(first.slice(n), 0);
    }
    if (rest.length === 0) return writing;
    return Promise.all([writing, ...rest.map((chunk) => this.writeBytes(chunk))]).then(() => {});
  }

  protected writeBytes(bytes: Uint8Array): Promise<void> {
    if (this.#pending.length > 0) return this.#enqueue(bytes, 0);
    const n = this.#socket.write(bytes);
    if (n === bytes.length) return RESOLVED;
    if (n < 0) return Promise.reject(this.#writeError());
    return this.#enqueue(bytes, n);
  }

  #enqueue(bytes: Uint8Array, offset: number): Promise<void> {
    if (this.#peerEnded && this.#pending.length === 0) this.#socket.ref();
    return new Promise((resolve, reject) => this.#pending.push({ bytes, offset, resolve, reject }));
  }

  #flush(): void {
    const pending = this.#pending;
    while (pending.length > 0) {
      const p = pending[0];
      const left = p.bytes.length - p.offset;
      const n = this.#socket.write(p.bytes, p.offset, left);
      if (n < 0) {
        this.#failPending(this.#writeError());
        return;
      }
      p.offset += n;
      if (n < left) return;
      pending.shift();
      p.resolve();
    }
    if (this.#peerEnded) this.#socket.unref();
  }

  #failPending(error: unknown): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) p.reject(error);
  }

  #writeError(): Error {
    return this.#error === undefined
      ? new ConnectionResetError("write failed: the connection is closed")
      : toNetworkError(this.#error, "write");
  }

  protected async shutdownWrite(): Promise<void> {
    const last = this.#pending.at(-1);
    if (last !== undefined) {
      await new Promise<void>((resolve, reject) => {
        const { resolve: done, reject: failed } = last;
        last.resolve = () => (done(), resolve());
        last.reject = (e) => (failed(e), reject(e));
      });
    }
    this.#socket.shutdown();
  }

  protected destroy(): void {
    this.#failPending(this.closedError());
    this.#socket.close();
  }

  setNoDelay(noDelay: boolean): void {
    this.#socket.setNoDelay(noDelay);
  }
}

/** What a TLS socket's handlers do before its connection exists. */
interface HandshakeHooks {
  /** The handshake ended (a client's certificate check failed with `error`). */
  handshake(socket: BunSocket<Slot>, success: boolean, error: Error | null): void;
  /** The socket closed before its connection existed. */
  closedEarly(socket: BunSocket<Slot>, error?: Error): void;
}

/**
 * Handlers that forward each socket's events to its connection (kept in `socket.data`); a TLS
 * socket's connection exists once its handshake completed, `tls` handles what comes before.
 */
function socketHandlers(
  open: (socket: BunSocket<Slot>) => void,
  tls?: HandshakeHooks,
): BunSocketHandler<Slot> {
  return {
    binaryType: "uint8array",
    open,
    data: (s, d) => s.data?.onData(d),
    drain: (s) => s.data?.onDrain(),
    end: (s) => s.data?.onEnd(),
    close: (s, e) => (s.data === undefined ? tls?.closedEarly(s, e) : s.data.onClose(e)),
    error: (s, e) => s.data?.onError(e),
    connectError: () => {/* the connect promise rejects with it */},
    handshake: tls?.handshake,
  };
}

/**
 * What a Bun TLS socket offers: protocol, the peer's certificate (a client's view of the
 * server), our own (a server's, from its options), the exporter.
 */
function bunTlsInfo(socket: BunSocket<Slot>, localCertificate?: Uint8Array): TlsInfo {
  const raw = socket.getPeerCertificate?.()?.raw;
  const info: TlsInfo = {
    protocol: socket.getTLSVersion?.() ?? undefined,
    peerCertificate: raw === undefined ? undefined : new Uint8Array(raw),
    localCertificate,
  };
  const exporter = socket.exportKeyingMaterial;
  if (typeof exporter !== "function") return info;
  return { ...info, exporter: exporterOf(exporter.bind(socket)) };
}

/**
 * A server over `Bun.listen`. Failed accepts never reach JavaScript: Bun's event loop skips them
 * and tries again on the next readiness of the listening socket (which stays readable while a
 * connection waits), and nothing in it closes a listening socket on an accept error. So
 * `onAcceptError` is never called here, and `closed` settles only by `close()`.
 */
class BunServer extends BaseServer {
  readonly #listener: BunListener;
  readonly #tls: ServerTlsConfig | undefined;
  readonly #handshakes: PendingHandshakes | undefined;
  /** The sockets in their TLS handshake: `finish` of each, and its peer. */
  readonly #pending = new WeakMap<BunSocket<Slot>, { finish: () => boolean; peer: NetAddress }>();

  constructor(
    listener: BunListener,
    handler: ConnectionHandler,
    options: Pick<ListenOptions, "signal" | "onAcceptError"> & { tls?: ServerTlsConfig },
  ) {
    super({ hostname: listener.hostname, port: listener.port }, handler, options);
    this.#listener = listener;
    this.#tls = options.tls;
    this.#handshakes = options.tls === undefined ? undefined : this.trackHandshakes(options.tls);
  }

  /** Takes a socket the listener accepted (a TLS one once its handshake completed). */
  take(socket: BunSocket<Slot>): void {
    const tls = this.#tls === undefined
      ? undefined
      : bunTlsInfo(socket, this.#tls.localCertificate);
    const conn = new BunConnection(socket, undefined, tls);
    socket.data = conn;
    this.accept(conn);
  }

  /** A TLS socket opened: its handshake begins, tracked. */
  handshakeStarted(socket: BunSocket<Slot>): void {
    const peer = { hostname: socket.remoteAddress, port: socket.remotePort };
    const finish = this.#handshakes!.start(peer, () => socket.close());
    this.#pending.set(socket, { finish, peer });
  }

  /** Its handshake ended: served, or reported and closed. */
  handshakeEnded(socket: BunSocket<Slot>, success: boolean, error: Error | null): void {
    const pending = this.#pending.get(socket);
    this.#pending.delete(socket);
    if (pending === undefined || !pending.finish()) return;
    if (success) return this.take(socket);
    this.#handshakes!.failed(pending.peer, error ?? new Error("handshake failed"));
    socket.close();
  }

  /** It closed before its handshake ended (Bun tells the handshake first when it knows). */
  closedEarly(socket: BunSocket<Slot>, error?: Error): void {
    this.handshakeEnded(socket, false, error ?? new Error("closed during the handshake"));
  }

  protected stopListening(): void {
    this.#listener.stop(false);
  }
}

/**
 * Starts a TCP server with `Bun.listen`.
 *
 * @example
 * ```ts
 * import { listenBun } from "./tcp.ts";
 * const server = await listenBun({ port: 0 }, (conn) => conn.close());
 * await server.close();
 * ```
 */
// Async on purpose: a bind failure rejects the promise instead of throwing synchronously.
// deno-lint-ignore require-await
export async function listenBun(
  options: ListenOptions,
  onConnection: ConnectionHandler,
): Promise<TcpServer> {
  const bun = bunApi();
  const { hostname, port } = bindAddress(options);
  const tls = options.tls === undefined ? undefined : serverTlsConfig(options.tls);
  options.signal?.throwIfAborted();
  const noDelay = options.noDelay ?? true;
  const accepted: { server?: BunServer } = {};
  let listener: BunListener;
  try {
    listener = bun.listen<Slot>({
      hostname,
      port,
      allowHalfOpen: true,
      tls: tls === undefined ? undefined : { cert: tls.cert, key: tls.key },
      socket: socketHandlers(
        (socket) => {
          socket.setNoDelay(noDelay);
          if (accepted.server === undefined) socket.close();
          else if (tls === undefined) accepted.server.take(socket);
          else accepted.server.handshakeStarted(socket);
        },
        tls === undefined ? undefined : {
          handshake: (s, success, error) => accepted.server?.handshakeEnded(s, success, error),
          closedEarly: (s, error) => accepted.server?.closedEarly(s, error),
        },
      ),
    });
  } catch (e) {
    if (tls !== undefined) throw tlsListenError(e, `${hostname}:${port}`);
    throw toNetworkError(e, `listen on ${hostname}:${port}`);
  }
  accepted.server = new BunServer(listener, onConnection, { ...options, tls });
  return accepted.server;
}

/**
 * Opens a TCP connection with `Bun.connect`, or a TLS one (resolved once the handshake completed
 * and the server's certificate verified).
 *
 * @example
 * ```ts
 * import { connectBun } from "./tcp.ts";
 * const conn = await connectBun({ hostname: "127.0.0.1", port: 8080 });
 * conn.close();
 * ```
 */
export async function connectBun(options: ConnectOptions): Promise<TcpConnection> {
  const bun = bunApi();
  const { signal } = options;
  const { hostname, port } = peerAddress(options);
  const tls = options.tls === undefined ? undefined : clientTlsConfig(options.tls, hostname);
  signal?.throwIfAborted();
  const where = `${hostname}:${port}`;
  let secured: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const handshake = new Promise<void>((resolve, reject) => (secured = { resolve, reject }));
  handshake.catch(() => {/* awaited below, once connected */});
  const failed = (error: unknown): void =>
    secured!.reject(toTlsError(error, `TLS handshake with ${where}`));
  const connecting = bun.connect<Slot>({
    hostname,
    port,
    allowHalfOpen: true,
    tls: tls === undefined ? undefined : {
      ca: tls.ca,
      serverName: tls.serverName === hostname ? undefined : tls.serverName,
      rejectUnauthorized: true,
    },
    socket: socketHandlers((socket) => {
      socket.setNoDelay(options.noDelay ?? true);
      if (tls === undefined) socket.data = new BunConnection(socket, signal);
    }, {
      handshake: (socket, success, error) => {
        if (!success || error !== null) return failed(error ?? new Error("handshake failed"));
        socket.data = new BunConnection(socket, signal, bunTlsInfo(socket));
        secured!.resolve();
      },
      closedEarly: (_socket, error) => failed(error ?? new Error("closed during the handshake")),
    }),
  });
  let socket: BunSocket<Slot>;
  try {
    socket = await abortable(connecting, signal, (s) => s.close());
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw toNetworkError(e, `connect to ${hostname}:${port}`);
  }
  if (tls !== undefined) {
    const ms = tls.handshakeTimeoutMs;
    try {
      await abortable(
        withDeadline(handshake, ms, () => handshakeTimeoutError(where, ms)),
        signal,
        () => {},
      );
    } catch (e) {
      socket.close();
      throw e;
    }
  }
  return socket.data ?? new BunConnection(socket, signal);
}

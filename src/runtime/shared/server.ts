/**
 * What every adapter's TCP server has in common: the set of open connections, running the
 * handler (a rejection closes that connection only), `close()` with its options, abort, async
 * dispose, what a failed accept means (reported, or the end of the server: `closed` rejects),
 * and a TLS server's pending handshakes. Each adapter supplies how to stop accepting.
 *
 * @module
 */
import type {
  ConnectionHandler,
  ListenOptions,
  NetAddress,
  ServerCloseOptions,
  TcpConnection,
  TcpServer,
} from "../types.ts";
import { ListenerError, type NetworkError, toNetworkError } from "../errors.ts";
import { whenAborted } from "./abortable.ts";
import { acceptRetryDelay, defaultAcceptErrorReporter } from "./accept.ts";
import { type HandshakeLimits, PendingHandshakes } from "./handshakes.ts";

/**
 * Base class of the adapters' TCP servers.
 *
 * @example What an adapter subclass looks like
 * ```ts
 * import { BaseServer } from "./server.ts";
 * class Idle extends BaseServer {
 *   protected stopListening() {}
 * }
 * const server = new Idle({ hostname: "127.0.0.1", port: 1 }, () => {});
 * await server.close();
 * ```
 */
export abstract class BaseServer implements TcpServer {
  /** The bound address; for port 0 this holds the real port. */
  readonly addr: NetAddress;
  readonly #connections = new Set<TcpConnection>();
  readonly #handler: ConnectionHandler;
  #stopped: Promise<void> | null = null;
  readonly #stopAbort: () => void;
  readonly #onAcceptError: (error: NetworkError) => void;
  #handshakes: PendingHandshakes | undefined;
  #failure: ListenerError | undefined;
  /** Settles `closed`: resolves, or rejects with the listener's failure. */
  #settle!: (failure?: ListenerError) => void;
  /**
   * Settles once the server has stopped listening: resolves after `close()` (or an abort, or
   * async dispose), rejects with `ListenerError` when the listening socket failed.
   */
  readonly closed: Promise<void>;

  /**
   * Serves `handler` at `addr`; aborting `options.signal` closes the server, and
   * `options.onAcceptError` hears of connections that failed while being accepted.
   */
  constructor(
    addr: NetAddress,
    handler: ConnectionHandler,
    options: Pick<ListenOptions, "signal" | "onAcceptError"> = {},
  ) {
    this.addr = addr;
    this.#handler = handler;
    this.#onAcceptError = options.onAcceptError ?? defaultAcceptErrorReporter(addr);
    this.closed = new Promise((resolve, reject) => {
      this.#settle = (failure) => (failure === undefined ? resolve() : reject(failure));
    });
    this.#stopAbort = whenAborted(options.signal, () => void this.close());
  }

  /** Stops accepting new connections (the listening socket closes). */
  protected abstract stopListening(): void | Promise<void>;

  /** Connections currently open. */
  get connections(): ReadonlySet<TcpConnection> {
    return this.#connections;
  }

  /** True once `close()` was called. */
  protected get isClosing(): boolean {
    return this.#stopped !== null;
  }

  /**
   * Handles a failed accept. One connection's failure (its peer reset before we took it, …) or a
   * want of descriptors is reported to `onAcceptError`, and the result is how long to wait
   * before accepting again (0, or a short backoff). Any other failure is the listener's own:
   * the server closes, `closed` rejects with `ListenerError`, and the result is undefined (stop
   * accepting). Also undefined once the server is closing: its own close failed the accept.
   */
  protected acceptFailed(error: unknown): number | undefined {
    if (this.isClosing) return undefined;
    const delay = acceptRetryDelay(error);
    if (delay === undefined) {
      this.listenerFailed(error);
      return undefined;
    }
    this.reportAcceptError(toNetworkError(error, "accept"));
    return delay;
  }

  /** Tells `onAcceptError` of one connection's failure; the server goes on either way. */
  protected reportAcceptError(error: NetworkError): void {
    try {
      this.#onAcceptError(error);
    } catch (e) {
      // The callback's own bug: surface it, but never let it stop the accepting.
      queueMicrotask(() => {
        throw e;
      });
    }
  }

  /**
   * The pending TLS handshakes of this server, within `limits`: what fails, times out or is
   * dropped is told to `onAcceptError`; closing the server aborts the ones still pending.
   */
  protected trackHandshakes(limits: HandshakeLimits): PendingHandshakes {
    this.#handshakes = new PendingHandshakes(limits, (e) => this.reportAcceptError(e));
    return this.#handshakes;
  }

  /** The listening socket failed: closes the server; `closed` rejects with `ListenerError`. */
  protected listenerFailed(error: unknown): void {
    if (this.isClosing) return;
    this.#failure = new ListenerError(this.addr, error);
    void this.close();
  }

  /** Takes a newly accepted connection and runs the handler on it. */
  protected accept(conn: TcpConnection): void {
    if (this.#stopped !== null) {
      conn.close();
      return;
    }
    this.#connections.add(conn);
    void conn.closed.then(() => this.#connections.delete(conn));
    try {
      const result = this.#handler(conn);
      if (result !== undefined) Promise.resolve(result).catch(() => conn.close());
    } catch {
      conn.close();
    }
  }

  /** Stops accepting. Idempotent. With `waitForConnections`, resolves once every one closed. */
  async close(options?: ServerCloseOptions): Promise<void> {
    if (this.#stopped === null) {
      this.#stopAbort();
      this.#stopped = (async () => {
        await this.stopListening();
        // Not accepted yet, so not the caller's to keep: they would only be closed on success.
        this.#handshakes?.abortAll();
      })();
      this.#stopped.then(() => this.#settle(this.#failure), () => this.#settle(this.#failure));
    }
    await this.#stopped;
    if (options?.waitForConnections) {
      await Promise.all([...this.#connections].map((c) => c.closed));
    }
  }

  /** Stops accepting, closes every open connection and waits until they are closed. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
    for (const conn of this.#connections) conn.close();
    await Promise.all([...this.#connections].map((c) => c.closed));
  }
}

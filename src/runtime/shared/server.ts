/**
 * What every adapter's TCP server has in common: the set of open connections, running the
 * handler (a rejection closes that connection only), `close()` with its options, abort and async
 * dispose. Each adapter supplies how to stop accepting.
 *
 * @module
 */
import type {
  ConnectionHandler,
  NetAddress,
  ServerCloseOptions,
  TcpConnection,
  TcpServer,
} from "../types.ts";
import { whenAborted } from "./abortable.ts";

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

  /** Serves `handler` at `addr`; aborting `signal` closes the server. */
  constructor(addr: NetAddress, handler: ConnectionHandler, signal?: AbortSignal) {
    this.addr = addr;
    this.#handler = handler;
    this.#stopAbort = whenAborted(signal, () => void this.close());
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
      this.#stopped = Promise.resolve(this.stopListening());
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

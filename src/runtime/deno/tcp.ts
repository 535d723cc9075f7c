/**
 * TCP over `Deno.listen` / `Deno.connect`.
 *
 * Reading uses a `conn.read()` loop, not `conn.readable`: draining `readable` to EOF closes the
 * whole connection (so half-close breaks) and costs about a third of the throughput. Writing loops
 * over `conn.write()`, which may take only part of a buffer, and runs one write at a time so
 * concurrent callers never interleave.
 *
 * @module
 */
import type { ConnectionHandler, ConnectOptions, ListenOptions, NetAddress, TcpConnection, TcpServer } from "../types.ts";
import { errorCode, toNetworkError } from "../errors.ts";
import { BaseConnection, READ_DONE } from "../shared/connection.ts";
import { BaseServer } from "../shared/server.ts";
import { type DenoConn, type DenoListener, denoApi } from "./api.ts";

/** Size of the buffer each read fills. */
const READ_SIZE = 64 * 1024;
/** A read at least this large is handed out as a view of its buffer; a smaller one is copied. */
const HAND_OVER = READ_SIZE / 4;

/**
 * A TCP connection over a `Deno.Conn`. Chunks are never reused by the adapter: a large read is
 * handed out as a view of its own buffer, a small one as a copy (so a small chunk kept for long
 * does not pin a 64 KiB buffer).
 *
 * @example
 * ```ts
 * import { connectDeno } from "./tcp.ts";
 * const conn = await connectDeno({ port: 8080 });
 * conn.close();
 * ```
 */
export class DenoConnection extends BaseConnection {
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly #conn: DenoConn;
  #buffer: Uint8Array | null = null;
  #writing: Promise<void> | null = null;

  /** Wraps an open `Deno.Conn`. */
  constructor(conn: DenoConn, signal?: AbortSignal) {
    super(signal);
    this.#conn = conn;
    this.localAddr = { hostname: conn.localAddr.hostname, port: conn.localAddr.port };
    this.remoteAddr = { hostname: conn.remoteAddr.hostname, port: conn.remoteAddr.port };
  }

  protected async readResult(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.isClosing) return READ_DONE;
    const buffer = this.#buffer ?? new Uint8Array(READ_SIZE);
    let n: number | null;
    try {
      n = await this.#conn.read(buffer);
    } catch (e) {
      if (this.isClosing) return READ_DONE;
      throw toNetworkError(e, "read");
    }
    if (n === null) return READ_DONE;
    if (n >= HAND_OVER) {
      this.#buffer = null;
      return { done: false, value: buffer.subarray(0, n) };
    }
    this.#buffer = buffer;
    return { done: false, value: buffer.slice(0, n) };
  }

  protected writeBytes(bytes: Uint8Array): Promise<void> {
    const previous = this.#writing;
    const write = previous === null
      ? this.#writeAll(bytes)
      : previous.then(() => this.#writeAll(bytes));
    const settled: Promise<void> = write.then(
      () => this.#release(settled),
      () => this.#release(settled),
    );
    this.#writing = settled;
    return write;
  }

  #release(settled: Promise<void>): void {
    if (this.#writing === settled) this.#writing = null;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.isClosing) throw this.closedError();
      try {
        offset += await this.#conn.write(offset === 0 ? bytes : bytes.subarray(offset));
      } catch (e) {
        const error = this.isClosing ? this.closedError(e) : toNetworkError(e, "write");
        this.close();
        throw error;
      }
    }
  }

  protected async shutdownWrite(): Promise<void> {
    await this.#writing;
    try {
      await this.#conn.closeWrite();
    } catch (e) {
      throw toNetworkError(e, "closeWrite");
    }
  }

  protected destroy(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed by Deno.
    }
    this.markClosed();
  }

  setNoDelay(noDelay: boolean): void {
    if (!this.isClosing) this.#conn.setNoDelay(noDelay);
  }
}

class DenoServer extends BaseServer {
  readonly #listener: DenoListener;
  readonly #accepting: Promise<void>;

  constructor(
    listener: DenoListener,
    handler: ConnectionHandler,
    noDelay: boolean,
    signal?: AbortSignal,
  ) {
    super({ hostname: listener.addr.hostname, port: listener.addr.port }, handler, signal);
    this.#listener = listener;
    this.#accepting = this.#acceptLoop(noDelay);
  }

  async #acceptLoop(noDelay: boolean): Promise<void> {
    while (!this.isClosing) {
      let conn: DenoConn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.isClosing || !isTransient(e)) return;
        await new Promise((resolve) => setTimeout(resolve, 100)); // e.g. out of file descriptors
        continue;
      }
      try {
        conn.setNoDelay(noDelay);
      } catch {
        // The peer is already gone; the connection reports it.
      }
      this.accept(new DenoConnection(conn));
    }
  }

  protected async stopListening(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    // The socket is released once the pending accept() has failed; until then it still
    // completes handshakes (that the client then sees reset instead of refused).
    await this.#accepting;
  }
}

/** Accept errors worth retrying: the listener itself is fine. */
function isTransient(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ECONNABORTED" || code === "ECONNRESET" ||
    /too many open files/i.test(String(error));
}

/**
 * Starts a TCP server with `Deno.listen`.
 *
 * @example
 * ```ts
 * import { listenDeno } from "./tcp.ts";
 * const server = await listenDeno({ port: 0 }, (conn) => conn.close());
 * await server.close();
 * ```
 */
export function listenDeno(
  options: ListenOptions,
  onConnection: ConnectionHandler,
): Promise<TcpServer> {
  const deno = denoApi();
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  let listener: DenoListener;
  try {
    listener = deno.listen({ hostname, port, transport: "tcp" });
  } catch (e) {
    return Promise.reject(toNetworkError(e, `listen on ${hostname}:${port}`));
  }
  return Promise.resolve(
    new DenoServer(listener, onConnection, options.noDelay ?? true, options.signal),
  );
}

/**
 * Opens a TCP connection with `Deno.connect`.
 *
 * @example
 * ```ts
 * import { connectDeno } from "./tcp.ts";
 * const conn = await connectDeno({ hostname: "127.0.0.1", port: 8080 });
 * conn.close();
 * ```
 */
export async function connectDeno(options: ConnectOptions): Promise<TcpConnection> {
  const deno = denoApi();
  const { signal } = options;
  if (signal?.aborted) throw signal.reason;
  const hostname = options.hostname ?? "127.0.0.1";
  const connecting = deno.connect({ hostname, port: options.port, transport: "tcp" });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  let conn: DenoConn;
  try {
    conn = await (signal ? Promise.race([connecting, aborted]) : connecting);
  } catch (e) {
    // An abort may win the race against a connect that still succeeds: close that one.
    connecting.then((c) => c.close(), () => {});
    if (signal?.aborted) throw signal.reason;
    throw toNetworkError(e, `connect to ${hostname}:${options.port}`);
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  conn.setNoDelay(options.noDelay ?? true);
  return new DenoConnection(conn, signal);
}

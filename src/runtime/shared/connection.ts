/**
 * What every adapter's TCP connection has in common: the two read views (async iterator and
 * `readable`), closing once both directions are done, `closed`, abort, and async dispose. Each
 * adapter supplies the runtime calls.
 *
 * @module
 */
import type { NetAddress, TcpConnection } from "../types.ts";
import { ConnectionClosedError } from "../errors.ts";

/** The result of a read that hit EOF. */
export const READ_DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Base class of the adapters' TCP connections.
 *
 * @example A connection over an in-memory source (what an adapter subclass looks like)
 * ```ts
 * import { BaseConnection, READ_DONE } from "./connection.ts";
 * class Empty extends BaseConnection {
 *   readonly localAddr = { hostname: "127.0.0.1", port: 1 };
 *   readonly remoteAddr = { hostname: "127.0.0.1", port: 2 };
 *   protected readResult() { return Promise.resolve(READ_DONE); }
 *   protected writeBytes() { return Promise.resolve(); }
 *   protected shutdownWrite() { return Promise.resolve(); }
 *   protected destroy() { this.markClosed(); }
 *   setNoDelay() {}
 * }
 * for await (const chunk of new Empty()) console.log(chunk);
 * ```
 */
export abstract class BaseConnection implements TcpConnection {
  /** Our end of the connection. */
  abstract readonly localAddr: NetAddress;
  /** The peer's end of the connection. */
  abstract readonly remoteAddr: NetAddress;
  /** Resolves when the connection is fully closed, whoever closed it. */
  readonly closed: Promise<void>;

  #resolveClosed!: () => void;
  #isClosed = false;
  #closing = false;
  #readEnded = false;
  #writeEnded = false;
  #reading = false;
  #readable: ReadableStream<Uint8Array> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  /** Starts the connection's bookkeeping; aborting `signal` closes it. */
  constructor(signal?: AbortSignal) {
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    if (signal) {
      this.#signal = signal;
      this.#onAbort = () => this.close();
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** The next chunk, or done at EOF; rejects with a `NetworkError` subclass. */
  protected abstract readResult(): Promise<IteratorResult<Uint8Array, undefined>>;
  /** Hands all of `bytes` to the runtime, waiting while its buffers are full. */
  protected abstract writeBytes(bytes: Uint8Array): Promise<void>;
  /** Sends FIN after what was written. */
  protected abstract shutdownWrite(): Promise<void>;
  /** Closes both directions; must call `markClosed()` now or once the runtime reports it. */
  protected abstract destroy(): void;
  /** Turns Nagle's algorithm off (true) or on (false). */
  abstract setNoDelay(noDelay: boolean): void;

  /** True once `close()` was called or the connection closed by itself. */
  protected get isClosing(): boolean {
    return this.#closing || this.#isClosed;
  }

  /** True once the write side was shut with `closeWrite()`. */
  protected get writeEnded(): boolean {
    return this.#writeEnded;
  }

  /** Records that the connection is fully closed; idempotent. */
  protected markClosed(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#closing = true;
    if (this.#onAbort) this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#resolveClosed();
  }

  /** Reads the next chunk; at EOF, and with our side shut too, the connection closes itself. */
  async #next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.#reading) throw new TypeError("another read is already pending on this connection");
    this.#reading = true;
    try {
      const result = await this.readResult();
      if (result.done && !this.#readEnded) {
        this.#readEnded = true;
        if (this.#writeEnded) this.close();
      }
      return result;
    } catch (error) {
      this.close();
      throw error;
    } finally {
      this.#reading = false;
    }
  }

  /**
   * The received bytes, chunk by chunk, until EOF. Leaving the loop early (`break`, a throw)
   * closes the connection, as Deno's and Node's own sockets do.
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      return: () => {
        this.close();
        return Promise.resolve(READ_DONE);
      },
    };
  }

  /** The received bytes as a Web stream; cancelling it closes the connection. */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const result = await this.#next();
        if (result.done) controller.close();
        else controller.enqueue(result.value);
      },
      cancel: () => this.close(),
    }, { highWaterMark: 0 });
    return this.#readable;
  }

  /** Writes every byte; waits while the peer is slow. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#closing || this.#isClosed) return Promise.reject(this.closedError());
    if (this.#writeEnded) return Promise.reject(this.writeEndedError());
    return this.writeBytes(bytes);
  }

  /** Writes several buffers in order as one logical write. */
  writev(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.#closing || this.#isClosed) return Promise.reject(this.closedError());
    if (this.#writeEnded) return Promise.reject(this.writeEndedError());
    return this.writeMany(chunks);
  }

  /** Writes several buffers; adapters without a native writev coalesce small ones. */
  protected async writeMany(chunks: readonly Uint8Array[]): Promise<void> {
    for (const chunk of coalesce(chunks)) await this.writeBytes(chunk);
  }

  /** Half-close: the peer reads EOF; we can still read. */
  async closeWrite(): Promise<void> {
    if (this.#closing || this.#isClosed) throw this.closedError();
    if (this.#writeEnded) return;
    this.#writeEnded = true;
    await this.shutdownWrite();
    if (this.#readEnded) this.close();
  }

  /** Closes both directions now. Idempotent. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.destroy();
  }

  /** Closes the connection and waits until it is closed. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return this.closed;
  }

  /** The error for an operation on a closed connection. */
  protected closedError(cause?: unknown): ConnectionClosedError {
    return new ConnectionClosedError("connection closed", cause === undefined ? {} : { cause });
  }

  /** The error for a write after `closeWrite()`. */
  protected writeEndedError(): ConnectionClosedError {
    return new ConnectionClosedError("write side closed by closeWrite()", { code: "EPIPE" });
  }
}

/** Chunks below this size are merged with their neighbours by {@linkcode coalesce}. */
const SMALL_CHUNK = 16 * 1024;

/**
 * Merges runs of small chunks into single buffers (a 4-byte header and its 60-byte payload become
 * one write), and passes large chunks through without copying.
 *
 * @example
 * ```ts
 * import { coalesce } from "./connection.ts";
 * const out = coalesce([new Uint8Array(4), new Uint8Array(60), new Uint8Array(1 << 20)]);
 * console.log(out.map((c) => c.length)); // [64, 1048576]
 * ```
 */
export function coalesce(chunks: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const flush = (): void => {
    if (run.length === 1) out.push(run[0]);
    else if (run.length > 1) {
      const merged = new Uint8Array(runBytes);
      let offset = 0;
      for (const c of run) {
        merged.set(c, offset);
        offset += c.length;
      }
      out.push(merged);
    }
    run = [];
    runBytes = 0;
  };
  for (const chunk of chunks) {
    if (chunk.length >= SMALL_CHUNK) {
      flush();
      out.push(chunk);
    } else if (chunk.length > 0) {
      if (runBytes + chunk.length > 4 * SMALL_CHUNK) flush();
      run.push(chunk);
      runBytes += chunk.length;
    }
  }
  flush();
  return out;
}

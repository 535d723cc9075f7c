/**
 * What every adapter's TCP connection has in common: the two read views (async iterator and
 * `readable`), closing once both directions are done, `closed`, abort, and async dispose. Each
 * adapter supplies the runtime calls.
 *
 * @module
 */
import type { NetAddress, TcpConnection, TlsInfo } from "../types.ts";
import { ConnectionClosedError, toNetworkError } from "../errors.ts";
import { whenAborted } from "./abortable.ts";

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
  /** What the TLS session offers; undefined for plaintext. */
  readonly tls: TlsInfo | undefined;

  #resolveClosed!: () => void;
  #isClosed = false;
  #closing = false;
  #readEnded = false;
  #writeEnded = false;
  #reading = false;
  #leftover: Uint8Array | null = null;
  #readable: ReadableStream<Uint8Array> | undefined;
  readonly #stopAbort: () => void;

  /** Starts the connection's bookkeeping; aborting `signal` closes it; `tls` for a TLS one. */
  constructor(signal?: AbortSignal, tls?: TlsInfo) {
    this.tls = tls;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#stopAbort = whenAborted(signal, () => this.close());
  }

  /** The next chunk, or done at EOF; rejects with a `NetworkError` subclass. */
  protected abstract readResult(): Promise<IteratorResult<Uint8Array, undefined>>;
  /**
   * Hands all of `bytes` to the runtime, waiting while its buffers are full. Calls are carried
   * out in call order, each after the bytes of the ones before it (what keeps a `writev`'s parts
   * together when other writes are waiting).
   */
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
    this.#stopAbort();
    this.#resolveClosed();
  }

  /**
   * Reads into `view` (a BYOB read of `readable`); resolves to the byte count, or null at EOF.
   * This default takes the next chunk and keeps what does not fit for the next read; adapters
   * that can read straight into the caller's buffer override it.
   */
  protected async readInto(view: Uint8Array): Promise<number | null> {
    const result = await this.readResult();
    return result.done ? null : this.#fill(view, result.value);
  }

  /** Copies what fits of `chunk` into `view`; the rest is served by the next read. */
  #fill(view: Uint8Array, chunk: Uint8Array): number {
    const n = Math.min(view.length, chunk.length);
    view.set(n === chunk.length ? chunk : chunk.subarray(0, n));
    this.#leftover = n < chunk.length ? chunk.subarray(n) : null;
    return n;
  }

  /** Runs one read at a time; at EOF, with our side shut too, the connection closes itself. */
  async #guarded<T>(read: () => Promise<T>, atEnd: (result: T) => boolean): Promise<T> {
    if (this.#reading) throw new TypeError("another read is already pending on this connection");
    this.#reading = true;
    try {
      const result = await read();
      if (atEnd(result) && !this.#readEnded) {
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

  /** The next chunk (what a BYOB read left over comes first). */
  #next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const leftover = this.#leftover;
    if (leftover !== null) {
      this.#leftover = null;
      return Promise.resolve({ done: false, value: leftover });
    }
    return this.#guarded(() => this.readResult(), (r) => r.done === true);
  }

  /** Fills `view` from what a read left over, or from the connection. */
  #nextInto(view: Uint8Array): Promise<number | null> {
    const leftover = this.#leftover;
    if (leftover !== null) return Promise.resolve(this.#fill(view, leftover));
    return this.#guarded(() => this.readInto(view), (n) => n === null);
  }

  /**
   * Whether a chunk from `readResult()` is referenced by nothing else, so that the byte stream
   * may take over (transfer) its buffer. By default only a chunk spanning its whole buffer is.
   */
  protected ownsChunk(chunk: Uint8Array): boolean {
    return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
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

  /**
   * The received bytes as a Web byte stream; cancelling it closes the connection. A BYOB reader
   * (`readable.getReader({ mode: "byob" })`) reads into the caller's buffer, which it can reuse:
   * no allocation per read (in the deno adapter, straight from the socket).
   */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= new ReadableStream({
      type: "bytes",
      pull: async (controller: ReadableByteStreamController) => {
        const request = controller.byobRequest;
        if (request?.view) {
          const { buffer, byteOffset, byteLength } = request.view;
          const n = await this.#nextInto(new Uint8Array(buffer, byteOffset, byteLength));
          if (n === null) {
            controller.close();
            request.respond(0);
          } else request.respond(n);
          return;
        }
        const result = await this.#next();
        if (result.done) controller.close();
        // Enqueueing transfers the chunk's buffer to the stream: copy one that others share.
        else {
          const chunk = this.ownsChunk(result.value) ? result.value : result.value.slice();
          controller.enqueue(chunk as Uint8Array<ArrayBuffer>);
        }
      },
      cancel: () => this.close(),
    });
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

  /**
   * Writes several buffers; adapters without a native writev coalesce small ones. Every piece is
   * handed to `writeBytes` at once, in order: a write made while this one waits cannot come
   * between two of its pieces.
   */
  protected async writeMany(chunks: readonly Uint8Array[]): Promise<void> {
    await Promise.all(coalesce(chunks).map((chunk) => this.writeBytes(chunk)));
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

  /**
   * The error for an operation on a closed connection; when the runtime's error that closed it
   * is known (`cause`), the class it maps to, such as `ConnectionResetError` for a reset.
   */
  protected closedError(cause?: unknown): ConnectionClosedError {
    if (cause === undefined) return new ConnectionClosedError();
    const mapped = toNetworkError(cause, "write");
    return mapped instanceof ConnectionClosedError
      ? mapped
      : new ConnectionClosedError("connection closed", { cause });
  }

  /** The error for a write after `closeWrite()`. */
  protected writeEndedError(): ConnectionClosedError {
    return new ConnectionClosedError("write side closed by closeWrite()", { code: "EPIPE" });
  }
}

/**
 * Without a native writev, parts smaller than this are copied together before they are written
 * ({@linkcode coalesce}, the deno adapter's staging buffer); larger ones are written as they are
 * (a copy would cost more than the extra write).
 *
 * @example
 * ```ts
 * import { SMALL_CHUNK } from "./connection.ts";
 * console.log(SMALL_CHUNK); // 16384
 * ```
 */
export const SMALL_CHUNK = 16 * 1024;

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

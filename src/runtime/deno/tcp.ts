/**
 * TCP over `Deno.listen` / `Deno.connect`. TLS, server and client, is the node adapter's
 * (`node:tls`, which Deno implements itself), because Deno's own TLS API cannot be made safe
 * here (checked on Deno 2.9, docs/RUNTIME.md): `Deno.connectTls` and `Deno.startTls` trust their
 * `caCerts` in addition to the default root store, so they cannot pin a certificate; closing a
 * `Deno.listenTls` connection whose handshake stalls leaves its socket open until the peer
 * leaves, so a handshake deadline cannot free anything; and a `Deno.TlsConn` tells neither the
 * peer's certificate, the protocol, nor an exporter, nor takes `setNoDelay`.
 *
 * Reading uses a `conn.read()` loop, not `conn.readable`: draining `readable` to EOF closes the
 * whole connection (so half-close breaks) and costs about a third of the throughput. Writing loops
 * over `conn.write()`, which may take only part of a buffer, and runs one write at a time so
 * concurrent callers never interleave.
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
} from "../types.ts";
import { toNetworkError } from "../errors.ts";
import { BaseConnection, READ_DONE, SMALL_CHUNK } from "../shared/connection.ts";
import { BaseServer } from "../shared/server.ts";
import { abortable } from "../shared/abortable.ts";
import { bindAddress, peerAddress } from "../shared/address.ts";
import { denoApi, type DenoConn, type DenoListener } from "./api.ts";

/** Size of the buffer each read fills: large reads mean fewer ops and fewer frames split. */
const READ_SIZE = 256 * 1024;
/** `writev` copies up to about this many bytes into one buffer to write them with one op. */
const STAGE_SIZE = 256 * 1024;
/** A read at least this large is handed out as a view of its buffer; a smaller one is copied. */
const HAND_OVER = READ_SIZE / 4;

/**
 * A TCP connection over a `Deno.Conn`. Chunks are never reused by the adapter: a large read is
 * handed out as a view of its own buffer, a small one as a copy (so a small chunk kept for long
 * does not pin a 256 KiB buffer). A BYOB reader of `readable` reads straight into its own buffer.
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
  #stage: Uint8Array | null = null;

  /** Wraps an open `Deno.Conn`. */
  constructor(conn: DenoConn, signal?: AbortSignal) {
    super(signal);
    this.#conn = conn;
    this.localAddr = { hostname: conn.localAddr.hostname, port: conn.localAddr.port };
    this.remoteAddr = { hostname: conn.remoteAddr.hostname, port: conn.remoteAddr.port };
  }

  protected async readResult(): Promise<IteratorResult<Uint8Array, undefined>> {
    const buffer = this.#buffer ?? new Uint8Array(READ_SIZE);
    const n = await this.readInto(buffer);
    if (n === null) return READ_DONE;
    if (n >= HAND_OVER) {
      this.#buffer = null;
      return { done: false, value: buffer.subarray(0, n) };
    }
    this.#buffer = buffer;
    return { done: false, value: buffer.slice(0, n) };
  }

  /** Reads straight from the socket into `view`. */
  protected override async readInto(view: Uint8Array): Promise<number | null> {
    if (this.isClosing) return null;
    try {
      return await this.#conn.read(view);
    } catch (e) {
      if (this.isClosing) return null;
      throw toNetworkError(e, "read");
    }
  }

  /** Every chunk has a buffer of its own (handed over, or a copy). */
  protected override ownsChunk(): boolean {
    return true;
  }

  protected writeBytes(bytes: Uint8Array): Promise<void> {
    return this.#serialized(() => this.#writeAll(bytes));
  }

  /**
   * Deno has no writev, and a write op costs more than copying a frame: parts are copied into one
   * reused staging buffer and written with one op per {@linkcode STAGE_SIZE} bytes (with 64 KiB
   * frames, one op for header and payload ran at 1.5 times the rate of two ops, a 4-byte one and
   * the payload, and 1.1 times that of the header with the first 16 KiB then the rest; bench/).
   * A part of {@linkcode STAGE_SIZE} or more is not copied: the stage takes its first
   * {@linkcode SMALL_CHUNK} bytes (so that a header is never a write of its own) and the rest is
   * written as it is. One serialized job: no other write comes between the pieces.
   */
  protected override writeMany(chunks: readonly Uint8Array[]): Promise<void> {
    if (chunks.length < 2) return super.writeMany(chunks);
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    // The common case (a frame, or a few) in one op without another async step: 5 % on 64 B.
    if (total <= STAGE_SIZE) {
      return this.#serialized(() => {
        const stage = this.#stageBuffer();
        let filled = 0;
        for (const chunk of chunks) {
          stage.set(chunk, filled);
          filled += chunk.length;
        }
        return this.#writeAll(stage.subarray(0, filled));
      });
    }
    return this.#serialized(() => this.#writeStaged(chunks));
  }

  #stageBuffer(): Uint8Array {
    return this.#stage ??= new Uint8Array(STAGE_SIZE + SMALL_CHUNK);
  }

  async #writeStaged(chunks: readonly Uint8Array[]): Promise<void> {
    const stage = this.#stageBuffer();
    let filled = 0;
    for (const chunk of chunks) {
      let at = 0;
      if (chunk.length >= STAGE_SIZE) {
        if (filled > 0) {
          at = SMALL_CHUNK;
          stage.set(chunk.subarray(0, at), filled);
          await this.#writeAll(stage.subarray(0, filled + at));
          filled = 0;
        }
        await this.#writeAll(at === 0 ? chunk : chunk.subarray(at));
        continue;
      }
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, stage.length - filled);
        stage.set(n === chunk.length ? chunk : chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        // Flushed at a part's end once past STAGE_SIZE (the margin above it spares a few-byte
        // write after it), or when full.
        if (filled === stage.length || (filled >= STAGE_SIZE && at === chunk.length)) {
          await this.#writeAll(stage.subarray(0, filled));
          filled = 0;
        }
      }
    }
    if (filled > 0) await this.#writeAll(stage.subarray(0, filled));
  }

  /** Runs `write` after the writes before it: one write op in flight at a time. */
  #serialized(write: () => Promise<void>): Promise<void> {
    const previous = this.#writing;
    const running = previous === null ? write() : previous.then(write);
    const settled: Promise<void> = running.then(
      () => this.#release(settled),
      () => this.#release(settled),
    );
    this.#writing = settled;
    return running;
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

/**
 * A server over a `Deno.Listener`, accepting in a loop. Exported for the tests, which drive it
 * with a listener of their own (any object with `addr`, `accept()` and `close()`).
 *
 * @example
 * ```ts
 * import { DenoServer } from "./tcp.ts";
 * import { denoApi } from "./api.ts";
 * const listener = denoApi().listen({ hostname: "127.0.0.1", port: 0, transport: "tcp" });
 * const server = new DenoServer(listener, (conn) => conn.close());
 * await server.close();
 * ```
 */
export class DenoServer extends BaseServer {
  readonly #listener: DenoListener;
  readonly #accepting: Promise<void>;

  /** Accepts from `listener` until closed; `options` as `listen()` takes them. */
  constructor(
    listener: DenoListener,
    handler: ConnectionHandler,
    options: Pick<ListenOptions, "signal" | "onAcceptError" | "noDelay"> = {},
  ) {
    super({ hostname: listener.addr.hostname, port: listener.addr.port }, handler, options);
    this.#listener = listener;
    this.#accepting = this.#acceptLoop(options.noDelay ?? true);
  }

  async #acceptLoop(noDelay: boolean): Promise<void> {
    while (!this.isClosing) {
      let conn: DenoConn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        // One connection's failure (Deno throws ENOTCONN for a peer that reset before we took
        // it) is reported and accepting goes on; the listener's own failure closes the server.
        const delay = this.acceptFailed(e);
        if (delay === undefined) return;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
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

/**
 * Starts a TCP server with `Deno.listen`; a TLS one with the node adapter's `node:tls`.
 *
 * @example
 * ```ts
 * import { listenDeno } from "./tcp.ts";
 * const server = await listenDeno({ port: 0 }, (conn) => conn.close());
 * await server.close();
 * ```
 */
export async function listenDeno(
  options: ListenOptions,
  onConnection: ConnectionHandler,
): Promise<TcpServer> {
  const deno = denoApi();
  if (options.tls !== undefined) return (await nodeTcp()).listenNode(options, onConnection);
  const { hostname, port } = bindAddress(options);
  options.signal?.throwIfAborted();
  let listener: DenoListener;
  try {
    listener = deno.listen({ hostname, port, transport: "tcp" });
  } catch (e) {
    throw toNetworkError(e, `listen on ${hostname}:${port}`);
  }
  return new DenoServer(listener, onConnection, options);
}

/**
 * Opens a TCP connection with `Deno.connect`; a TLS one with the node adapter's `node:tls`.
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
  if (options.tls !== undefined) return (await nodeTcp()).connectNode(options);
  const { signal } = options;
  const { hostname, port } = peerAddress(options);
  signal?.throwIfAborted();
  let conn: DenoConn;
  try {
    const connecting = deno.connect({ hostname, port, transport: "tcp" });
    conn = await abortable(connecting, signal, (c) => c.close());
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw toNetworkError(e, `connect to ${hostname}:${port}`);
  }
  conn.setNoDelay(options.noDelay ?? true);
  return new DenoConnection(conn, signal);
}

/** The node adapter's TCP and TLS, loaded on first use: plain TCP never loads node:tls. */
function nodeTcp(): Promise<typeof import("../node/tcp.ts")> {
  return import("../node/tcp.ts");
}

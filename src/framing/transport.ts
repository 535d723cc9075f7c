/**
 * What `framed()` and `ByteReader` run over: any byte duplex. The framing layer declares the
 * small contract it needs (as nats.js declares its `Transport`) and imports nothing from the
 * runtime layer, so it runs in a browser too; a runtime `TcpConnection` fits it as it is.
 *
 * @module
 */

/**
 * A byte duplex: the bytes received, as an async iterable of chunks (ending at the peer's end of
 * stream), and a way to send. A runtime `TcpConnection` is one; so is anything with the same
 * shape. Chunks must not be reused by their producer once yielded: frames are handed out as
 * views of them.
 *
 * @example A transport of your own, over a pair of queues
 * ```ts
 * import { type ByteTransport, framed } from "@unstuck/unstuck";
 * const sent: Uint8Array[] = [];
 * const transport: ByteTransport = {
 *   async *[Symbol.asyncIterator]() {
 *     yield new Uint8Array([0, 0, 0, 2, 104, 105]);
 *   },
 *   write: async (bytes) => void sent.push(bytes),
 *   closeWrite: async () => {},
 *   close: () => {},
 * };
 * const f = framed(transport);
 * console.log(await f.receive()); // Uint8Array(2) [ 104, 105 ]
 * await f.send(new Uint8Array([1]));
 * console.log(sent); // [ Uint8Array(5) [ 0, 0, 0, 1, 1 ] ]
 * ```
 */
export interface ByteTransport extends AsyncIterable<Uint8Array> {
  /** Sends every byte; resolves once the transport has taken them. */
  write(bytes: Uint8Array): Promise<void>;
  /** Sends several buffers in order, as one write (used when present). */
  writev?(chunks: readonly Uint8Array[]): Promise<void>;
  /** Ends our sending side; the peer reads the end of the stream. */
  closeWrite(): Promise<void>;
  /** Closes both directions now. */
  close(): void;
}

/**
 * A pair of Web streams: bytes received on `readable`, bytes sent on `writable` (a
 * `WebSocketStream`'s pair, one half of a `duplexPair()`, or a Deno connection's own streams).
 */
export interface WebStreamPair {
  /** The bytes received. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The bytes sent; closing it ends our sending side. */
  readonly writable: WritableStream<Uint8Array>;
}

/** What `framed()` and `ByteReader` accept. */
export type ByteDuplex = ByteTransport | WebStreamPair;

/** One read: a chunk, or the end of the stream (an iterator's or a stream reader's result). */
export type ReadResult = { done?: false; value: Uint8Array } | { done: true; value?: unknown };

/** The one shape the framing layer reads and writes through, whatever the duplex was. */
export interface Link {
  /** The next chunk; done at the end of the stream. Rejects with the transport's error. */
  read(): Promise<ReadResult>;
  /** Writes `parts` in order, as one write; the caller runs one write at a time. */
  write(parts: readonly Uint8Array[]): Promise<void>;
  /** Ends our sending side. */
  closeWrite(): Promise<void>;
  /** Closes both directions; idempotent, never throws. */
  close(): void;
}

const noop = (): void => {};

/**
 * Adapts a byte duplex to a {@linkcode Link}.
 *
 * @param io A `ByteTransport` or a `WebStreamPair`.
 * @returns The link over it.
 * @throws {TypeError} If `io` is neither.
 *
 * @example
 * ```ts
 * import { openLink } from "./transport.ts";
 * const link = openLink({ readable: new Blob(["hi"]).stream(), writable: new WritableStream() });
 * console.log(await link.read()); // { done: false, value: Uint8Array(2) [ 104, 105 ] }
 * link.close();
 * ```
 */
export function openLink(io: ByteDuplex): Link {
  if (isTransport(io)) return transportLink(io);
  if (isStreamPair(io)) return streamLink(io);
  throw new TypeError(
    "framed() needs a byte duplex: an async iterable of Uint8Array with write(), closeWrite() " +
      "and close() (such as a TcpConnection), or a { readable, writable } pair of Web streams",
  );
}

function isTransport(io: unknown): io is ByteTransport {
  const t = io as Partial<ByteTransport> | null;
  return typeof t?.[Symbol.asyncIterator] === "function" && typeof t.write === "function" &&
    typeof t.closeWrite === "function" && typeof t.close === "function";
}

function isStreamPair(io: unknown): io is WebStreamPair {
  const p = io as Partial<WebStreamPair> | null;
  return typeof p?.readable?.getReader === "function" &&
    typeof p.writable?.getWriter === "function";
}

function transportLink(io: ByteTransport): Link {
  const chunks = io[Symbol.asyncIterator]();
  const writev = io.writev;
  return {
    read: () => chunks.next(),
    async write(parts) {
      if (parts.length === 1) return await io.write(parts[0]);
      if (writev !== undefined) return await writev.call(io, parts);
      for (const part of parts) await io.write(part);
    },
    closeWrite: () => io.closeWrite(),
    close() {
      try {
        io.close();
      } catch {
        // Closing twice, or a transport already gone: nothing left to close.
      }
    },
  };
}

function streamLink(pair: WebStreamPair): Link {
  const reader = pair.readable.getReader();
  const writer = pair.writable.getWriter();
  return {
    read: () => reader.read(),
    async write(parts) {
      // The writer queues the chunks in order; Promise.all handles every one's rejection.
      if (parts.length === 1) return await writer.write(parts[0]);
      await Promise.all(parts.map((part) => writer.write(part)));
    },
    closeWrite: () => writer.close(),
    close() {
      reader.cancel().catch(noop);
      writer.abort().catch(noop);
    },
  };
}

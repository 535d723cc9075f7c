/**
 * A pull reader over a byte duplex, for protocols that switch: read a greeting line or a fixed
 * header by hand, then hand the connection to `framed()` with every byte already received.
 *
 * @module
 */

import { findDelimiter } from "./delimiter_config.ts";
import { FrameTooLargeError, TruncatedFrameError } from "./errors.ts";
import { Inbound, untilAborted } from "./inbound.ts";
import { integerOption } from "./options.ts";
import { openLink } from "./transport.ts";
import type { ByteDuplex, ByteTransport, Link } from "./transport.ts";

/** Options of a read. */
export interface ReadOptions {
  /**
   * Gives up the read: it rejects with the signal's reason and consumes nothing (the bytes it
   * had gathered stay to be read).
   */
  signal?: AbortSignal;
}

const NO_BYTES = new Uint8Array(0);
const utf8 = new TextEncoder();

/**
 * Reads a byte duplex by hand: `readExactly(n)`, `readUntil(delimiter, max)`, `read()`. It is a
 * byte duplex itself: pass it to `framed()` to go on with frames, and the bytes it has received
 * but not handed out come first. Once handed over, use only the `framed()` connection.
 *
 * @example A text greeting, then length-prefixed frames on the same connection
 * ```ts
 * import { ByteReader, duplexPair, encodeFrame, framed, textCodec } from "@unstuck/unstuck";
 * const [client, server] = duplexPair();
 * const writer = client.writable.getWriter();
 * // The greeting and the first frame arrive in one chunk: nothing is lost at the switch.
 * const hello = new TextEncoder().encode("HELLO 1\n");
 * await writer.write(new Uint8Array([...hello, ...encodeFrame(new TextEncoder().encode("hi"))]));
 *
 * const reader = new ByteReader(server);
 * const greeting = await reader.readUntil("\n", 64);
 * console.log(new TextDecoder().decode(greeting)); // "HELLO 1"
 * const messages = framed(reader, { message: textCodec });
 * console.log(await messages.receive()); // "hi"
 * ```
 */
export class ByteReader implements ByteTransport {
  readonly #link: Link;
  readonly #inbound: Inbound;
  /** Received bytes not yet handed out: `#buf[#start, #end)`, then the inbound chunk's rest. */
  #buf: Uint8Array = NO_BYTES;
  #start = 0;
  #end = 0;
  /** Whether `#buf` is our own (writable past `#end`) rather than a chunk we were given. */
  #owned = false;
  #busy = false;

  /**
   * Starts reading a duplex: from now on, read it through this reader (or a `framed()` made
   * from it).
   *
   * @param io The duplex to read: a `TcpConnection`, a `{ readable, writable }` pair, …
   * @throws {TypeError} If `io` is not a byte duplex.
   */
  constructor(io: ByteDuplex) {
    this.#link = openLink(io);
    this.#inbound = new Inbound(this.#link.read);
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.#end - this.#start + this.#inbound.chunk.length - this.#inbound.pos;
  }

  /**
   * Reads exactly `length` bytes.
   *
   * @param length How many bytes (0 or more).
   * @param options An abort signal.
   * @returns The bytes.
   * @throws {TruncatedFrameError} If the input ends first (`received` says how many came).
   *
   * @example
   * ```ts
   * import { ByteReader, duplexPair } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * await a.writable.getWriter().write(new Uint8Array([1, 2, 3]));
   * console.log(await new ByteReader(b).readExactly(2)); // Uint8Array(2) [ 1, 2 ]
   * ```
   */
  readExactly(length: number, options?: ReadOptions): Promise<Uint8Array> {
    integerOption("length", length, 0, 0);
    return this.#exclusive(async () => {
      while (this.#gather() < length) {
        if (!(await this.#more(options?.signal))) {
          throw new TruncatedFrameError(
            this.#end - this.#start,
            length - (this.#end - this.#start),
            `input ended after ${this.#end - this.#start} of ${length} bytes`,
          );
        }
      }
      return this.#take(length, length);
    });
  }

  /**
   * Reads up to a delimiter: returns the bytes before it and consumes it too.
   *
   * @param delimiter The byte sequence that ends the read (a string is UTF-8 encoded).
   * @param maxLength The most bytes allowed before the delimiter.
   * @param options An abort signal.
   * @returns The bytes before the delimiter.
   * @throws {FrameTooLargeError} If `maxLength` bytes came without the delimiter.
   * @throws {TruncatedFrameError} If the input ends before the delimiter.
   *
   * @example
   * ```ts
   * import { ByteReader, duplexPair } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * await a.writable.getWriter().write(new TextEncoder().encode("USER ada\r\nrest"));
   * const line = await new ByteReader(b).readUntil("\r\n", 512);
   * console.log(new TextDecoder().decode(line)); // "USER ada"
   * ```
   */
  readUntil(
    delimiter: string | Uint8Array,
    maxLength: number,
    options?: ReadOptions,
  ): Promise<Uint8Array> {
    const bytes = typeof delimiter === "string" ? utf8.encode(delimiter) : delimiter;
    if (bytes.length === 0) throw new TypeError("delimiter must not be empty");
    integerOption("maxLength", maxLength, 0, 0);
    return this.#exclusive(async () => {
      let scanned = 0;
      for (;;) {
        const held = this.#gather();
        const at = findDelimiter(this.#buf, bytes, this.#start + scanned, this.#end);
        if (at >= 0 && at - this.#start <= maxLength) {
          return this.#take(at - this.#start, at - this.#start + bytes.length);
        }
        if (at >= 0 || held > maxLength + bytes.length - 1) {
          throw new FrameTooLargeError(
            at >= 0 ? at - this.#start : held,
            maxLength,
            `no ${JSON.stringify(new TextDecoder().decode(bytes))} within ${maxLength} bytes`,
          );
        }
        scanned = Math.max(0, held - bytes.length + 1);
        if (!(await this.#more(options?.signal))) {
          throw new TruncatedFrameError(
            held,
            bytes.length,
            `input ended after ${held} bytes without the delimiter`,
          );
        }
      }
    });
  }

  /**
   * Reads whatever has arrived: the bytes held, or the next chunk.
   *
   * @param options An abort signal.
   * @returns The bytes, or `undefined` at the end of the input.
   *
   * @example
   * ```ts
   * import { ByteReader, duplexPair } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * const w = a.writable.getWriter();
   * await w.write(new Uint8Array([7]));
   * await w.close();
   * const reader = new ByteReader(b);
   * console.log(await reader.read(), await reader.read()); // Uint8Array(1) [ 7 ] undefined
   * ```
   */
  read(options?: ReadOptions): Promise<Uint8Array | undefined> {
    return this.#exclusive(() => this.#next(options?.signal));
  }

  /** The bytes not yet read, then the rest of the input, chunk by chunk (what `framed()` reads). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const chunk = await this.read();
        return chunk === undefined
          ? { done: true, value: undefined }
          : { done: false, value: chunk };
      },
    };
  }

  /** Sends every byte. */
  write(bytes: Uint8Array): Promise<void> {
    return this.#link.write([bytes]);
  }

  /** Sends several buffers in order, as one write. */
  writev(chunks: readonly Uint8Array[]): Promise<void> {
    return this.#link.write(chunks);
  }

  /** Ends our sending side. */
  closeWrite(): Promise<void> {
    return this.#link.closeWrite();
  }

  /** Closes both directions. */
  close(): void {
    this.#link.close();
  }

  /** Runs one read at a time. */
  async #exclusive<T>(read: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new TypeError("another read is pending on this reader");
    this.#busy = true;
    try {
      return await read();
    } finally {
      this.#busy = false;
    }
  }

  /** The bytes held, or the next chunk; `undefined` at the end. */
  async #next(signal?: AbortSignal): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#end > this.#start) {
        return this.#take(this.#end - this.#start, this.#end - this.#start);
      }
      const inbound = this.#inbound;
      if (inbound.pos < inbound.chunk.length) {
        const rest = inbound.chunk.subarray(inbound.pos);
        inbound.pos = inbound.chunk.length;
        return rest;
      }
      if (inbound.ended) return undefined;
      await untilAborted(inbound.fill(), signal);
    }
  }

  /** Waits for more input; false at the end. Whatever arrives is kept, even after an abort. */
  async #more(signal?: AbortSignal): Promise<boolean> {
    const inbound = this.#inbound;
    if (inbound.ended) return false;
    await untilAborted(inbound.fill(), signal);
    return true;
  }

  /** Moves the inbound chunk's rest into `#buf`; returns the bytes held there. */
  #gather(): number {
    const inbound = this.#inbound;
    const rest = inbound.chunk.length - inbound.pos;
    if (rest > 0) {
      const chunk = inbound.chunk;
      if (this.#end === this.#start) {
        // Nothing held: the chunk becomes the buffer, uncopied.
        this.#buf = chunk;
        this.#start = inbound.pos;
        this.#end = chunk.length;
        this.#owned = false;
      } else this.#append(chunk.subarray(inbound.pos));
      inbound.pos = chunk.length;
    }
    return this.#end - this.#start;
  }

  /** Appends bytes after the held ones, in a buffer of our own that doubles as needed. */
  #append(bytes: Uint8Array): void {
    const held = this.#end - this.#start;
    if (!this.#owned || this.#end + bytes.length > this.#buf.length) {
      // Bytes before #end may have been handed out as views: never write over them.
      const grown = new Uint8Array(Math.max(2 * (held + bytes.length), 1024));
      grown.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = grown;
      this.#start = 0;
      this.#end = held;
      this.#owned = true;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** Hands out the first `length` held bytes (a view) and consumes `consumed` of them. */
  #take(length: number, consumed: number): Uint8Array {
    const bytes = this.#buf.subarray(this.#start, this.#start + length);
    this.#start += consumed;
    if (this.#start === this.#end) {
      this.#buf = NO_BYTES;
      this.#start = this.#end = 0;
      this.#owned = false;
    }
    return bytes;
  }
}

/**
 * `framed()`: messages over a byte duplex, as tokio-util's `Framed` is for Rust. One read/write
 * state machine serves every framing codec and message codec: a frame at a time (or a read's
 * frames at once), the end of input checked (bytes left inside a frame are an error), writes from
 * any number of callers whole and in order, and per-connection idle and frame timeouts.
 *
 * @module
 */

import { createDecoderCore, createFrameEncoder } from "./create.ts";
import { FramedClosedError, MessageDecodeError } from "./errors.ts";
import type { FrameDecoderBase } from "./frame_decoder.ts";
import { STOP_DECODING } from "./frame_decoder.ts";
import { FrameWriter } from "./frame_writer.ts";
import { Inbound, untilAborted } from "./inbound.ts";
import { bytesCodec } from "./message_codec.ts";
import type { MessageCodec } from "./message_codec.ts";
import { integerOption } from "./options.ts";
import type { FramingOptions } from "./options.ts";
import { ReadTimers } from "./read_timers.ts";
import type { IdleControl } from "./read_timers.ts";
import { openLink } from "./transport.ts";
import type { ByteDuplex, Link } from "./transport.ts";

/** Options of {@linkcode framed}. */
export interface FramedOptions<T> {
  /**
   * The framing codec and its options (`maxFrameLength`, `header`, `delimiter`, …), as for
   * `createFrameDecoder`. @default {{ codec: "length", header: "!I", maxFrameLength: 8388608 }}
   */
  framing?: FramingOptions;
  /** How messages become frames and back: `bytesCodec`, `textCodec`, `jsonCodec`, `structCodec(…)`, or your own. @default {bytesCodec} */
  message?: MessageCodec<T>;
  /**
   * Closes the connection with an `IdleTimeoutError` when no frame completes for this many
   * milliseconds of waiting for one. Only time spent waiting counts: the clock runs while a
   * `receive()` (or a loop's next step) is pending and the idle timeout is not paused
   * (`idle.pause()`); it starts over at every complete frame and at `idle.resume()`. 0: none.
   * @default {0}
   */
  idleTimeoutMs?: number;
  /**
   * Closes the connection with a `FrameTimeoutError` when a frame whose first bytes arrived is
   * not complete after this many milliseconds of waiting for the rest (a peer sending a byte at a
   * time). Pausing the idle timeout does not pause this one. 0: none. @default {0}
   */
  frameTimeoutMs?: number;
  /**
   * The framing of the frames sent, when it differs from that of the frames received (`framing`
   * by default): a line protocol that reads `"\r\n"` or `"\n"` (`crlf: true`) and writes `"\n"`
   * alone, or a limit on what we send other than the one on what we accept.
   * @default {framing}
   */
  sendFraming?: FramingOptions;
  /**
   * Whether a framing error (a frame over the limit, a truncated frame, a timeout, the
   * transport's read error) closes the connection. With `false` it ends receiving only: every
   * later receive throws it, and sending goes on, so that a server can tell its peer why (an
   * error message) before it closes; close the connection yourself then (`closeGracefully()`).
   * @default {true}
   */
  closeOnError?: boolean;
}

/** Options of a receive. */
export interface ReceiveOptions {
  /**
   * Gives up waiting: the receive rejects with the signal's reason. Nothing is lost: bytes that
   * arrive later, and any part of a frame already received, stay for the next receive.
   */
  signal?: AbortSignal;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };
const NO_FRAME = null;
const noop = (): void => {};

/** A view of `bytes[start, end)`; `new Uint8Array(buffer, …)` is cheaper than `subarray`. */
function view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return start === 0 && end === bytes.length
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

/**
 * A message connection over a byte duplex. Create it with {@linkcode framed}.
 *
 * Receiving: `receive()`, `for await`, or `batches()`; one at a time (a second receive while one
 * is pending is a `TypeError`). Messages are the caller's own: frames are views of chunks the
 * transport does not reuse, or buffers assembled for them. At a clean end of input, `receive()`
 * resolves `undefined` and loops end; input that ends inside a frame is a `TruncatedFrameError`.
 * A framing error (a frame over the limit, a truncated frame, a timeout, the transport's own
 * error) closes the connection and is thrown by every later receive; a `MessageDecodeError`
 * consumes its frame only, and the connection goes on.
 *
 * Sending: `send()` and `sendMany()` from any number of callers: each frame goes out whole, in
 * call order, and frames sent while a write is in flight go together in the next one.
 *
 * @example Request and reply (over a TCP connection: `framed(await connect({ port }))`)
 * ```ts
 * import { duplexPair, framed, jsonCodec } from "@unstuck/unstuck";
 * const [clientEnd, serverEnd] = duplexPair();
 * const server = framed(serverEnd, { message: jsonCodec, idleTimeoutMs: 60_000 });
 * const serving = (async () => {
 *   for await (const request of server) await server.send({ echo: request });
 * })();
 * const client = framed(clientEnd, { message: jsonCodec });
 * await client.send({ n: 1 });
 * console.log(await client.receive()); // { echo: { n: 1 } }
 * await client.closeWrite();
 * await serving;
 * ```
 */
export class Framed<T> implements AsyncIterable<T>, AsyncDisposable {
  /** Pauses and resumes the idle timeout (see {@linkcode FramedOptions.idleTimeoutMs}). */
  readonly idle: IdleControl;
  readonly #link: Link;
  readonly #inbound: Inbound;
  readonly #decoder: FrameDecoderBase;
  readonly #codec: MessageCodec<T>;
  readonly #writer: FrameWriter;
  readonly #timers: ReadTimers | null;
  readonly #closeOnError: boolean;
  /** Frames inside a chunk are copied (`framing.copy`: the transport reuses its chunks). */
  readonly #copy: boolean;
  /** The message is the frame (`bytesCodec`): no decoding. */
  readonly #identity: boolean;
  #busy = false;
  #closed = false;
  /** Receiving is over: `close()` or `closeGracefully()` was called. */
  #stopped = false;
  /** The transport is closed (or being closed) and sends fail. */
  #shutDown = false;
  #failed = false;
  #failure: unknown = undefined;
  #writeEnded = false;
  /** Decoder's end of input reached: frames it returned then, still to deliver. */
  #ended = false;
  #finals: Uint8Array[] = [];
  /** A `MessageDecodeError` met inside a batch, thrown by the next receive. */
  #decodeError: unknown = undefined;
  /** Resolves when the connection closes or fails, to wake a waiting receive. */
  #interrupted: Promise<void> | null = null;
  #interrupt: () => void = noop;
  /** The frame the one-frame visitor found. */
  #frame: Uint8Array | null = NO_FRAME;
  /** The messages of the batch being decoded. */
  #batch: T[] = [];

  /**
   * Wraps a byte duplex; see {@linkcode framed}.
   *
   * @param io The duplex.
   * @param options Framing, message codec, timeouts.
   */
  constructor(io: ByteDuplex, options: FramedOptions<T> = {}) {
    const framing = options.framing ?? {};
    this.#decoder = createDecoderCore(framing);
    this.#codec = options.message ?? (bytesCodec as unknown as MessageCodec<T>);
    this.#copy = framing.copy === true;
    this.#identity = this.#codec === (bytesCodec as unknown);
    const idleMs = integerOption("idleTimeoutMs", options.idleTimeoutMs, 0, 0, 2 ** 31 - 1);
    const frameMs = integerOption("frameTimeoutMs", options.frameTimeoutMs, 0, 0, 2 ** 31 - 1);
    this.#link = openLink(io);
    this.#inbound = new Inbound(this.#link.read);
    this.#writer = new FrameWriter(createFrameEncoder(options.sendFraming ?? framing), this.#link);
    this.#closeOnError = options.closeOnError ?? true;
    const timers = new ReadTimers(
      idleMs,
      frameMs,
      (error) => this.#fail(error),
      () => this.#decoder.frameBytesReceived,
    );
    this.idle = timers;
    this.#timers = idleMs > 0 || frameMs > 0 ? timers : null;
  }

  /**
   * The largest frame accepted from the peer (the framing's `maxFrameLength`, 8 MiB by default;
   * for the fixed-size codec, its `frameLength`, which cannot change). A new value applies from
   * the next frame: `receive()` and `for await` decode a frame only when it is asked for, so a
   * value set between two receives applies to every frame after the first, however the peer's
   * bytes arrived (exec: small until the client is authenticated, large after). `batches()`
   * decodes a read's frames together: there a value set in the loop applies from the next batch
   * (a frame whose header was already read keeps the limit it was checked against). Sends are
   * checked against the framing options given at creation, not this.
   *
   * @throws {RangeError} When set to anything but an integer ≥ 0.
   * @throws {TypeError} When set with the fixed-size codec.
   */
  get maxFrameLength(): number {
    return this.#decoder.maxFrameLength;
  }

  set maxFrameLength(value: number) {
    this.#decoder.maxFrameLength = value;
  }

  /** Bytes received and not yet delivered: undecoded bytes and a partial frame. */
  get bufferedBytes(): number {
    return this.#inbound.chunk.length - this.#inbound.pos + this.#decoder.bufferedBytes;
  }

  /**
   * Receives the next message.
   *
   * @param options An abort signal.
   * @returns The message, or `undefined` at the end of the input (or once closed).
   * @throws {TruncatedFrameError} If the input ended inside a frame.
   * @throws {FramingError} For a bad frame or a timeout (the connection is then closed), or a
   *   `MessageDecodeError` for a frame its codec cannot decode (the connection goes on).
   *
   * @example
   * ```ts
   * import { duplexPair, framed, textCodec } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * const alice = framed(a, { message: textCodec });
   * const bob = framed(b, { message: textCodec });
   * await alice.send("hi");
   * await alice.closeWrite();
   * console.log(await bob.receive(), await bob.receive()); // "hi" undefined
   * ```
   */
  receive(options?: ReceiveOptions): Promise<T | undefined> {
    const signal = options?.signal;
    if (this.#busy || signal?.aborted || this.#decodeError !== undefined) {
      return this.#receiveSlow(signal);
    }
    // The fast path: a frame already received needs no promise of its own making.
    let frame: Uint8Array | null;
    try {
      frame = this.#decodeOne();
      if (frame !== NO_FRAME) return Promise.resolve(this.#message(frame));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#receiveSlow(signal);
  }

  /**
   * The messages, one per step, until the end of the input; as `receive()`. Leaving the loop
   * early (`break`, a throw in its body) closes the connection, as leaving a socket's loop does;
   * use `receive()` to read some messages and go on.
   *
   * @example
   * ```ts
   * import { duplexPair, framed } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * const sender = framed(a);
   * await sender.sendMany([new Uint8Array([1]), new Uint8Array([2])]);
   * await sender.closeWrite();
   * for await (const frame of framed(b)) console.log(frame); // Uint8Array(1) [ 1 ], then [ 2 ]
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (!this.#busy && this.#decodeError === undefined) {
          try {
            const frame = this.#decodeOne();
            if (frame !== NO_FRAME) {
              return Promise.resolve({ done: false, value: this.#message(frame) });
            }
          } catch (error) {
            return Promise.reject(error);
          }
        }
        return this.#receiveSlow(undefined).then((m) =>
          m === undefined ? DONE : { done: false, value: m }
        );
      },
      return: (): Promise<IteratorResult<T>> => {
        this.close();
        return Promise.resolve(DONE);
      },
    };
  }

  /**
   * The fast path: every message that one read completed, as an array, until the end of the
   * input (one promise per read instead of one per message). Leaving the loop early closes the
   * connection. A frame its codec cannot decode ends the batch before it; the next step throws
   * its `MessageDecodeError`. So does a bad frame (over the limit, say): the frames before it in
   * the same read come as a batch, with the connection still open, and the next step throws.
   *
   * @param options An abort signal, for every step.
   * @returns An async iterable of non-empty arrays of messages.
   *
   * @example
   * ```ts
   * import { duplexPair, framed } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * const sender = framed(a);
   * await sender.sendMany([new Uint8Array([1]), new Uint8Array([2])]);
   * await sender.closeWrite();
   * for await (const batch of framed(b).batches()) console.log(batch.length); // 2
   * ```
   */
  batches(options?: ReceiveOptions): AsyncIterableIterator<T[]> {
    const signal = options?.signal;
    const iterator: AsyncIterableIterator<T[]> = {
      next: () =>
        this.#receiveBatch(signal).then((b) => b === undefined ? DONE : { done: false, value: b }),
      return: () => {
        this.close();
        return Promise.resolve(DONE);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Sends one message. Concurrent sends go out whole, in call order.
   *
   * @param message The message.
   * @returns Resolves once the transport has taken the frame; rejects with its error, or with
   *   `FramedClosedError` if the connection is closed or its sending side ended.
   * @throws {FramingError} (as a rejection) If the message cannot be framed, e.g. a
   *   `FrameTooLargeError`; nothing is sent then.
   *
   * @example
   * ```ts
   * import { duplexPair, framed, structCodec } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * const points = structCodec<[number, number]>("<ii");
   * await framed(a, { message: points }).send([1, -1]);
   * console.log(await framed(b, { message: points }).receive()); // [ 1, -1 ]
   * ```
   */
  send(message: T): Promise<void> {
    try {
      this.#checkWritable();
      this.#writer.add(this.#codec.encode(message));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#writer.flush();
  }

  /**
   * Sends several messages as one write (a single `writev`), after any write in flight. All
   * are encoded first: if one cannot be, none is sent.
   *
   * @param messages The messages, in order.
   * @returns Resolves once the transport has taken them.
   *
   * @example
   * ```ts
   * import { duplexPair, framed, textCodec } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * await framed(a, { message: textCodec }).sendMany(["one", "two"]);
   * const bob = framed(b, { message: textCodec });
   * console.log(await bob.receive(), await bob.receive()); // "one" "two"
   * ```
   */
  sendMany(messages: Iterable<T>): Promise<void> {
    try {
      this.#checkWritable();
      this.#writer.addAll(Array.from(messages, (m) => this.#codec.encode(m)));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#writer.flush();
  }

  /**
   * Sends one frame whose bytes are `parts` joined, without joining them where the framing
   * allows it: with a length field before the payload, large frames go out as the header and the
   * parts, one write (a type byte and a 64 KiB body, say, with no copy of the body). The message
   * codec does not apply: the parts are the frame's bytes. Ordered with `send()`.
   *
   * @param parts The frame's bytes, in order.
   * @returns Resolves once the transport has taken them.
   * @throws {FramingError} (as a rejection) If the frame cannot be framed; nothing is sent then.
   *
   * @example A type byte, then the body
   * ```ts
   * import { duplexPair, framed } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * await framed(a).sendParts([new Uint8Array([1]), new Uint8Array([104, 105])]);
   * console.log(await framed(b).receive()); // Uint8Array(3) [ 1, 104, 105 ]
   * ```
   */
  sendParts(parts: readonly Uint8Array[]): Promise<void> {
    try {
      this.#checkWritable();
      this.#writer.addParts(parts);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#writer.flush();
  }

  /**
   * Ends our sending side once every queued message is written: the peer reads the end of the
   * input. Receiving goes on.
   *
   * @example
   * ```ts
   * import { duplexPair, framed } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * await framed(a).closeWrite();
   * console.log(await framed(b).receive()); // undefined
   * ```
   */
  async closeWrite(): Promise<void> {
    if (this.#writeEnded) return;
    this.#checkWritable();
    this.#writeEnded = true;
    await this.#writer.drain();
    await this.#link.closeWrite();
  }

  /**
   * Closes both directions now: a pending receive resolves `undefined`, queued sends reject
   * with `FramedClosedError`, timers stop. Idempotent.
   *
   * @example
   * ```ts
   * import { duplexPair, framed } from "@unstuck/unstuck";
   * const f = framed(duplexPair()[0]);
   * f.close();
   * console.log(await f.receive()); // undefined
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopped = true;
    this.#shutdown(new FramedClosedError());
  }

  /**
   * Ends the connection without losing what we sent last: waits for the queued sends, ends our
   * side, then reads and drops whatever the peer still sends until its end of input, and closes.
   * Closing while the peer's bytes sit unread would make our side send a reset, which can destroy
   * our last message (an error telling the peer why) before the peer reads it. Receiving stops at
   * once (a pending receive resolves `undefined`); the whole takes at most `lingerMs`, then the
   * connection is closed whatever the peer does.
   *
   * @param lingerMs The most time to wait for the sends and the peer's end, in milliseconds.
   * @throws {RangeError} For a `lingerMs` that is not an integer from 0 to 2^31 − 1.
   *
   * @example A server refusing a peer with a reason
   * ```ts
   * import { duplexPair, framed, textCodec } from "@unstuck/unstuck";
   * const [a, b] = duplexPair();
   * const server = framed(a, { message: textCodec });
   * const client = framed(b, { message: textCodec });
   * await client.send("let me in");
   * await server.send("busy: try later");
   * const closing = server.closeGracefully(1_000);
   * console.log(await client.receive()); // "busy: try later"
   * await client.closeWrite();
   * await closing;
   * ```
   */
  async closeGracefully(lingerMs: number): Promise<void> {
    integerOption("lingerMs", lingerMs, 0, 0, 2 ** 31 - 1);
    if (this.#closed) return;
    this.#stopped = true;
    this.#timers?.clear();
    this.#interrupt();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const linger = new Promise<void>((resolve) => (timer = setTimeout(resolve, lingerMs)));
    const finish = async (): Promise<void> => {
      if (!this.#writeEnded && !this.#shutDown) {
        this.#writeEnded = true;
        await this.#writer.drain();
        await this.#link.closeWrite();
      }
      const inbound = this.#inbound;
      while (!inbound.ended) {
        inbound.pos = inbound.chunk.length;
        await inbound.fill();
      }
    };
    await Promise.race([finish().catch(noop), linger]);
    clearTimeout(timer);
    this.close();
  }

  /** Closes the connection (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  #checkWritable(): void {
    if (this.#failed && this.#shutDown) {
      throw new FramedClosedError("connection closed by an error", { cause: this.#failure });
    }
    if (this.#closed) throw new FramedClosedError();
    if (this.#writeEnded) throw new FramedClosedError("sending side closed by closeWrite()");
  }

  /** Fails the connection: every later receive throws `error`; the transport is closed. */
  #fail(error: unknown): void {
    if (this.#stopped || this.#failed) return;
    this.#failed = true;
    this.#failure = error;
    if (this.#closeOnError) {
      this.#shutdown(new FramedClosedError("connection closed by an error", { cause: error }));
    } else {
      // Receiving only: sending goes on until the application closes.
      this.#timers?.clear();
      this.#interrupt();
    }
  }

  #shutdown(writeError: FramedClosedError): void {
    this.#timers?.clear();
    this.#interrupt();
    if (this.#shutDown) return;
    this.#shutDown = true;
    this.#writer.fail(writeError);
    this.#link.close();
  }

  /** Resolves when the connection closes or fails. */
  #whenInterrupted(): Promise<void> {
    return this.#interrupted ??= new Promise<void>((resolve) => (this.#interrupt = resolve));
  }

  /** Finds the frame `#decodeOne` asked for, and stops the decoder after it. */
  readonly #takeOne = (bytes: Uint8Array, start: number, end: number): symbol => {
    this.#frame = this.#frameOf(bytes, start, end);
    return STOP_DECODING;
  };

  /** The frame `bytes[start, end)`: a view, or a copy if the chunk may be reused (`copy`). */
  #frameOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
    return this.#copy && bytes === this.#inbound.chunk
      ? bytes.slice(start, end)
      : view(bytes, start, end);
  }

  /** Decodes the next frame from the bytes at hand, if they hold one; else `NO_FRAME`. */
  #decodeOne(): Uint8Array | null {
    if (this.#failed || this.#stopped) return NO_FRAME;
    const inbound = this.#inbound;
    const chunk = inbound.chunk;
    if (inbound.pos === chunk.length) return NO_FRAME;
    const decoder = this.#decoder;
    const end = decoder.nextInChunk(chunk, inbound.pos);
    if (end >= 0) {
      // A whole frame inside the chunk, the common case: no visitor, no decoder state.
      inbound.pos = end;
      if (this.#timers !== null) this.#trackFrames(true);
      return this.#frameOf(chunk, decoder.frameStart, end);
    }
    try {
      inbound.pos = decoder.decodeFrom(chunk, inbound.pos, this.#takeOne, false);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
    const frame = this.#frame;
    this.#frame = NO_FRAME;
    if (this.#timers !== null) this.#trackFrames(frame !== NO_FRAME);
    return frame;
  }

  /** Tells the timers whether a frame completed, and whether one is now in progress. */
  #trackFrames(completed: boolean): void {
    const timers = this.#timers;
    if (timers === null) return;
    if (completed) timers.frameDone();
    if (this.#decoder.midFrame) timers.frameStarted();
  }

  /** The message of a frame; codec errors become `MessageDecodeError`s. */
  #message(frame: Uint8Array): T {
    if (this.#identity) return frame as T;
    try {
      return this.#codec.decode(frame);
    } catch (error) {
      throw error instanceof MessageDecodeError ? error : new MessageDecodeError(
        `frame of ${frame.length} bytes could not be decoded: ${String(error)}`,
        frame.length,
        { cause: error },
      );
    }
  }

  /** Collects a batch's messages; a codec error ends the batch before its frame. */
  readonly #takeAll = (bytes: Uint8Array, start: number, end: number): unknown => {
    try {
      this.#batch.push(this.#message(this.#frameOf(bytes, start, end)));
    } catch (error) {
      this.#decodeError = error;
      return STOP_DECODING;
    }
    return undefined;
  };

  async #receiveSlow(signal: AbortSignal | undefined): Promise<T | undefined> {
    this.#enter(signal);
    try {
      this.#throwDecodeError();
      const frame = await this.#nextFrame(signal);
      return frame === undefined ? undefined : this.#message(frame);
    } finally {
      this.#busy = false;
      this.#timers?.settle();
    }
  }

  async #receiveBatch(signal: AbortSignal | undefined): Promise<T[] | undefined> {
    this.#enter(signal);
    try {
      this.#throwDecodeError();
      for (;;) {
        if (this.#failed) throw this.#failure;
        if (this.#stopped) return undefined;
        const batch = this.#decodeBatch();
        if (batch.length > 0) return batch;
        if (this.#decodeError !== undefined) this.#throwDecodeError();
        if (this.#inbound.ended) {
          const finals = this.#atEnd().splice(0);
          return finals.length === 0 ? undefined : finals.map((f) => this.#message(f));
        }
        await this.#wait(signal);
      }
    } finally {
      this.#busy = false;
      this.#timers?.settle();
    }
  }

  #enter(signal: AbortSignal | undefined): void {
    if (this.#busy) throw new TypeError("another receive is pending on this connection");
    signal?.throwIfAborted();
    this.#busy = true;
  }

  #throwDecodeError(): void {
    const error = this.#decodeError;
    if (error === undefined) return;
    this.#decodeError = undefined;
    throw error;
  }

  /** Every frame the bytes at hand complete, as messages. */
  #decodeBatch(): T[] {
    const inbound = this.#inbound;
    const batch: T[] = this.#batch = [];
    if (inbound.pos === inbound.chunk.length) return batch;
    try {
      inbound.pos = this.#decoder.decodeFrom(inbound.chunk, inbound.pos, this.#takeAll, false);
    } catch (error) {
      // The frames before a bad one are delivered; the failed decoder throws its error again
      // on the next step, which fails the connection then.
      if (batch.length > 0) return batch;
      this.#fail(error);
      throw error;
    }
    if (this.#timers !== null) this.#trackFrames(batch.length > 0);
    return batch;
  }

  /** The next frame, waiting for bytes as needed; `undefined` at the end or once closed. */
  async #nextFrame(signal: AbortSignal | undefined): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#failed) throw this.#failure;
      if (this.#stopped) return undefined;
      const frame = this.#decodeOne();
      if (frame !== NO_FRAME) return frame;
      if (this.#inbound.ended) return this.#atEnd().shift();
      await this.#wait(signal);
    }
  }

  /**
   * At the end of input: the frames the decoder completes then (take them out of the array);
   * throws if the input ended inside a frame.
   */
  #atEnd(): Uint8Array[] {
    if (!this.#ended) {
      this.#ended = true;
      try {
        this.#finals = this.#decoder.end();
      } catch (error) {
        this.#fail(error);
        throw error;
      }
    }
    return this.#finals;
  }

  /** Waits for the next chunk (or the end, a close, a timeout, an abort). */
  async #wait(signal: AbortSignal | undefined): Promise<void> {
    const timers = this.#timers;
    const read = this.#inbound.fill().catch((error) => this.#fail(error));
    timers?.startWaiting();
    try {
      await untilAborted(Promise.race([read, this.#whenInterrupted()]), signal);
    } finally {
      timers?.stopWaiting();
    }
  }
}

/**
 * Opens a message connection over a byte duplex: a runtime `TcpConnection`, a
 * `{ readable, writable }` pair of Web streams, a `ByteReader` (after a greeting read by hand),
 * or anything with an async iterable of chunks and `write`/`writev`, `closeWrite` and `close`.
 * Runs anywhere: the framing layer imports no runtime.
 *
 * @param io The byte duplex.
 * @param options The framing codec (default: `"!I"` length prefix, 8 MiB limit), the message
 *   codec (default: bytes), and the idle and frame timeouts (default: none).
 * @returns The connection.
 * @throws {TypeError | RangeError} For an unusable duplex or invalid options.
 *
 * @example A server's connection handler: JSON messages, a 64 KiB limit, timeouts
 * ```ts
 * import { framed, jsonCodec, listen } from "@unstuck/unstuck";
 * const server = await listen({ port: 0 }, async (conn) => {
 *   await using f = framed(conn, {
 *     message: jsonCodec,
 *     framing: { maxFrameLength: 64 * 1024 },
 *     idleTimeoutMs: 60_000,
 *     frameTimeoutMs: 30_000,
 *   });
 *   for await (const batch of f.batches()) await f.sendMany(batch);
 * });
 * await server.close();
 * ```
 */
export function framed<T = Uint8Array>(io: ByteDuplex, options?: FramedOptions<T>): Framed<T> {
  return new Framed<T>(io, options);
}

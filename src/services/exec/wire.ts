/**
 * The exec protocol's use of the framing layer: a frame reader whose size limit starts small
 * (before authentication) and grows once, and a writer that sends frames one at a time, in call
 * order, each awaited (backpressure).
 *
 * @module
 */
import { createFrameDecoder, createFrameEncoder, type FrameDecoder } from "../../framing/mod.ts";
import type { TcpConnection } from "../../runtime/mod.ts";
import { ExecProtocolError } from "./errors.ts";
import {
  type ClientControlMessage,
  encodeControl,
  EXEC_MAX_CHUNK,
  EXEC_MAX_FRAME_LENGTH,
  FRAME_STDIN_END,
  type ServerControlMessage,
} from "./protocol/mod.ts";

const HEADER = "!I";
const EMPTY = new Uint8Array(0);

/** Reads frame payloads from a connection, one at a time. */
export class FrameReader {
  readonly #chunks: AsyncIterator<Uint8Array>;
  #decoder: FrameDecoder;
  #frames: Uint8Array[] = [];
  #index = 0;
  #inflight: Promise<IteratorResult<Uint8Array>> | undefined;
  /** The read started by a quiet span, until `next()` takes its chunk. */
  #ahead: Promise<IteratorResult<Uint8Array>> | undefined;
  /** The peer sent something during the quiet span. */
  #spoke = false;

  /** Reads from `conn`, accepting payloads of at most `maxFrameLength` bytes. */
  constructor(conn: TcpConnection, maxFrameLength: number = EXEC_MAX_FRAME_LENGTH) {
    this.#chunks = conn[Symbol.asyncIterator]();
    this.#decoder = createFrameDecoder({ header: HEADER, maxFrameLength });
  }

  /**
   * The next payload, or undefined when the peer has closed its side. Throws a `FramingError`
   * for an oversize or truncated frame. The payload may be a view of a buffer that is reused
   * once the next call starts: use it before then.
   */
  async next(): Promise<Uint8Array | undefined> {
    while (this.#index === this.#frames.length) {
      // A bad frame right behind good ones in one chunk fails now, not when the peer sends more.
      this.#decoder.push(EMPTY);
      const chunk = await this.#read();
      if (chunk.done) {
        this.#decoder.end();
        return undefined;
      }
      this.#frames = this.#decoder.push(chunk.value);
      this.#index = 0;
    }
    return this.#frames[this.#index++];
  }

  /**
   * The next chunk: the one read ahead in a quiet span if any, else a fresh read; a read still
   * pending (one that lost a race with a timer) is shared.
   */
  #read(): Promise<IteratorResult<Uint8Array>> {
    const ahead = this.#ahead;
    if (ahead) {
      this.#ahead = undefined;
      return ahead;
    }
    this.#inflight ??= this.#chunks.next().finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  /**
   * Starts a span in which the peer must send nothing (after `auth`, until `ready` goes out). A
   * read starts at once, so that bytes arriving during the span are seen whether or not they
   * came in the same chunk as the frame before it; {@linkcode raiseLimit} ends the span. The
   * promise resolves as soon as the peer sends anything (or never).
   */
  beginQuietSpan(): Promise<void> {
    if (this.#index !== this.#frames.length || this.#decoder.bufferedBytes > 0) {
      this.#spoke = true;
      return Promise.resolve();
    }
    const read = this.#read();
    this.#ahead = read;
    return new Promise((resolve) => {
      read.then((r) => {
        if (r.done || r.value.length === 0) return;
        this.#spoke = true;
        resolve();
      }, () => {});
    });
  }

  /** Reads and discards everything until the peer closes its side (or the read fails). */
  async drain(): Promise<void> {
    while (!(await this.#read()).done);
  }

  /**
   * Ends the quiet span and raises the size limit to {@linkcode EXEC_MAX_FRAME_LENGTH}. Throws if
   * the peer sent anything since {@linkcode beginQuietSpan}: it did not wait to be told it may.
   */
  raiseLimit(): void {
    if (this.#spoke) throw new ExecProtocolError("data sent before the server's ready message");
    this.#decoder = createFrameDecoder({ header: HEADER, maxFrameLength: EXEC_MAX_FRAME_LENGTH });
  }
}

const encoder = createFrameEncoder({ header: HEADER, maxFrameLength: EXEC_MAX_FRAME_LENGTH });
// A data frame is [header][type byte][bytes]. This encoder's header counts one byte more than the
// bytes it is given, so the type byte can be written in between without copying the bytes.
const dataEncoder = createFrameEncoder({
  header: HEADER,
  maxFrameLength: EXEC_MAX_CHUNK,
  lengthAdjustment: -1,
});
const TYPE_BYTES: Uint8Array[] = [0, 1, 2, 3, 4].map((t) => new Uint8Array([t]));

/** Sends frames on one connection in the order they were asked for, never two at once. */
export class FrameWriter {
  readonly #conn: TcpConnection;
  #tail: Promise<void> = Promise.resolve();

  /** Writes to `conn`. */
  constructor(conn: TcpConnection) {
    this.#conn = conn;
  }

  #send(parts: readonly Uint8Array[]): Promise<void> {
    const done = this.#tail.then(() => this.#conn.writev(parts));
    this.#tail = done.catch(() => {});
    return done;
  }

  /** Sends a control message. */
  control(message: ClientControlMessage | ServerControlMessage): Promise<void> {
    return this.#send([encoder.encode(encodeControl(message))]);
  }

  /** Sends `bytes` as data frames of type `type`, at most {@linkcode EXEC_MAX_CHUNK} bytes each. */
  async data(type: number, bytes: Uint8Array): Promise<void> {
    for (let offset = 0; offset < bytes.length; offset += EXEC_MAX_CHUNK) {
      const [header, body] = dataEncoder.encodeParts(
        bytes.subarray(offset, offset + EXEC_MAX_CHUNK),
      );
      await this.#send([header, TYPE_BYTES[type], body]);
    }
  }

  /** Sends the stdin-end frame. */
  stdinEnd(): Promise<void> {
    return this.#send([encoder.encode(TYPE_BYTES[FRAME_STDIN_END])]);
  }

  /** Resolves once everything asked for so far was sent (or failed). */
  flushed(): Promise<void> {
    return this.#tail;
  }
}

/**
 * Ends a connection without losing what was sent last (an `error` message, say): waits for the
 * queued frames, half-closes, and reads until the peer closes too, so that closing does not reset
 * the connection while our last bytes are still on their way. Gives up after `lingerMs`.
 */
export async function closeGracefully(
  conn: TcpConnection,
  writer: FrameWriter,
  reader: FrameReader,
  lingerMs: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const linger = new Promise<void>((resolve) => (timer = setTimeout(resolve, lingerMs)));
  const finish = async (): Promise<void> => {
    await writer.flushed();
    await conn.closeWrite();
    await reader.drain();
  };
  await Promise.race([finish().catch(() => {}), linger]);
  clearTimeout(timer);
  conn.close();
}

/**
 * The errors of the framing layer. Every one is a {@linkcode FramingError}, so a connection
 * handler can catch the base class, close that one connection and keep serving.
 *
 * @module
 */

/**
 * Base class of every framing error: the byte stream does not follow the framing rules, so the
 * stream cannot be trusted any further and should be closed.
 *
 * @example Catch any framing error
 * ```ts
 * import { createFrameDecoder, FramingError } from "@unstuck/unstuck";
 * const decoder = createFrameDecoder({ header: "!I", maxFrameLength: 16 });
 * try {
 *   decoder.push(new Uint8Array([0, 0, 1, 0]));
 * } catch (error) {
 *   if (!(error instanceof FramingError)) throw error;
 *   console.log(error.name); // "FrameTooLargeError"
 * }
 * ```
 */
export class FramingError extends Error {
  /** Always `"FramingError"` (subclasses set their own). */
  override name = "FramingError";
}

/**
 * A frame announces (or reaches) a length above the configured limit, a negative length from a
 * signed header, or one beyond 2^53 − 1 (8-byte and varint headers). Raised as soon as the length is known, before anything of that size is
 * allocated. Encoders raise it too, for a payload that the limit or the header cannot carry.
 *
 * @example
 * ```ts
 * import { FrameTooLargeError } from "@unstuck/unstuck";
 * const error = new FrameTooLargeError(1_000_000, 65_536);
 * console.log(error.message); // "frame length 1000000 exceeds the limit of 65536 bytes"
 * ```
 */
export class FrameTooLargeError extends FramingError {
  /** Always `"FrameTooLargeError"`. */
  override name = "FrameTooLargeError";
  /** The offending length, as read from the header or counted so far (may be negative). */
  readonly length: number;
  /** The largest length accepted. */
  readonly limit: number;

  /**
   * Creates the error; the default message states the length and the limit.
   *
   * @param length The offending length.
   * @param limit The largest length accepted.
   * @param message Overrides the default message.
   */
  constructor(length: number, limit: number, message?: string) {
    super(
      message ??
        (length < 0
          ? `frame length ${length} is negative (the limit is ${limit} bytes)`
          : `frame length ${length} exceeds the limit of ${limit} bytes`),
    );
    this.length = length;
    this.limit = limit;
  }
}

/**
 * The input ended inside a frame: the bytes already received are not a complete frame, and they
 * are reported rather than dropped.
 *
 * @example
 * ```ts
 * import { createFrameDecoder, TruncatedFrameError } from "@unstuck/unstuck";
 * const decoder = createFrameDecoder({ header: "!I" });
 * decoder.push(new Uint8Array([0, 0, 0, 5, 104, 105]));
 * try {
 *   decoder.end();
 * } catch (error) {
 *   if (error instanceof TruncatedFrameError) console.log(error.missing); // 3
 * }
 * ```
 */
export class TruncatedFrameError extends FramingError {
  /** Always `"TruncatedFrameError"`. */
  override name = "TruncatedFrameError";
  /** Bytes of the frame received before the input ended. */
  readonly received: number;
  /** Bytes that were still missing (a lower bound when the length itself was not complete). */
  readonly missing: number;

  /**
   * Creates the error; the default message states the bytes received and missing.
   *
   * @param received Bytes of the frame received.
   * @param missing Bytes still missing.
   * @param message Overrides the default message.
   */
  constructor(received: number, missing: number, message?: string) {
    super(
      message ??
        `input ended inside a frame: ${received} bytes received, ${missing} bytes missing`,
    );
    this.received = received;
    this.missing = missing;
  }
}

/**
 * A frame arrived whole but its message codec could not decode it: bytes that are not UTF-8 for
 * `textCodec`, not JSON for `jsonCodec`, a frame of the wrong size for `structCodec`, or any error
 * of a codec of your own (kept as `cause`). The frame is consumed and the framing is intact: the
 * connection can go on, or be closed, as the protocol prefers.
 *
 * @example
 * ```ts
 * import { MessageDecodeError, textCodec } from "@unstuck/unstuck";
 * try {
 *   textCodec.decode(new Uint8Array([0xff]));
 * } catch (error) {
 *   if (error instanceof MessageDecodeError) console.log(error.message); // "frame of 1 bytes is not valid UTF-8"
 * }
 * ```
 */
export class MessageDecodeError extends FramingError {
  /** Always `"MessageDecodeError"`. */
  override name = "MessageDecodeError";
  /** The size of the frame that could not be decoded. */
  readonly frameLength: number;

  /**
   * Creates the error.
   *
   * @param message What is wrong with the frame.
   * @param frameLength The frame's size in bytes.
   * @param options `cause`: the codec's own error.
   */
  constructor(message: string, frameLength: number, options?: { cause?: unknown }) {
    super(message, options);
    this.frameLength = frameLength;
  }
}

/**
 * No frame completed for `timeoutMs` milliseconds of waiting for one (`idleTimeoutMs` of
 * `framed()`). The connection is closed.
 *
 * @example
 * ```ts
 * import { IdleTimeoutError } from "@unstuck/unstuck";
 * console.log(new IdleTimeoutError(60_000).message); // "no frame received for 60000 ms"
 * ```
 */
export class IdleTimeoutError extends FramingError {
  /** Always `"IdleTimeoutError"`. */
  override name = "IdleTimeoutError";
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param timeoutMs The timeout that expired.
   */
  constructor(timeoutMs: number) {
    super(`no frame received for ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A frame whose first bytes had arrived was not complete `timeoutMs` milliseconds later
 * (`frameTimeoutMs` of `framed()`: a peer sending a frame a byte at a time). The connection is
 * closed.
 *
 * @example
 * ```ts
 * import { FrameTimeoutError } from "@unstuck/unstuck";
 * console.log(new FrameTimeoutError(30_000, 12).message); // "frame incomplete 30000 ms after its first byte (12 bytes received)"
 * ```
 */
export class FrameTimeoutError extends FramingError {
  /** Always `"FrameTimeoutError"`. */
  override name = "FrameTimeoutError";
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number;
  /** Bytes of the frame held when it expired. */
  readonly received: number;

  /**
   * Creates the error.
   *
   * @param timeoutMs The timeout that expired.
   * @param received Bytes of the frame held when it expired.
   */
  constructor(timeoutMs: number, received: number) {
    super(
      `frame incomplete ${timeoutMs} ms after its first byte (${received} bytes received)`,
    );
    this.timeoutMs = timeoutMs;
    this.received = received;
  }
}

/**
 * An operation on a `framed()` connection that is closed: by `close()`, by an error of the
 * connection (then `cause` is that error, e.g. an `IdleTimeoutError`), or, for `send`, after
 * `closeWrite()`.
 *
 * @example
 * ```ts
 * import { FramedClosedError } from "@unstuck/unstuck";
 * console.log(new FramedClosedError().message); // "connection closed"
 * ```
 */
export class FramedClosedError extends Error {
  /** Always `"FramedClosedError"`. */
  override name = "FramedClosedError";

  /**
   * Creates the error.
   *
   * @param message What was closed.
   * @param options `cause`: the error that closed the connection, if any.
   */
  constructor(message = "connection closed", options?: { cause?: unknown }) {
    super(message, options);
  }
}

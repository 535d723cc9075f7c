/**
 * Message codecs: how `framed()` turns a message into a frame's bytes and back. A codec is a
 * plain `{ encode, decode }` object, so CBOR, msgpack or protobuf need no dependency here.
 *
 * @module
 */

import { MessageDecodeError } from "./errors.ts";
import { Struct } from "../struct/mod.ts";
import type { StructValue } from "../struct/mod.ts";

/**
 * Turns messages of type `T` into the bytes of one frame, and back. `decode` gets the frame's
 * bytes (a view the message may keep: `framed()` never reuses them) and should throw a
 * {@linkcode MessageDecodeError} for bytes it cannot decode (`framed()` wraps any other error in
 * one). It must not return `undefined`, which `receive()` uses for the end of the stream.
 *
 * @example A codec of your own: one unsigned byte per message
 * ```ts
 * import { type MessageCodec, MessageDecodeError } from "@unstuck/unstuck";
 * const byteCodec: MessageCodec<number> = {
 *   encode: (n) => new Uint8Array([n]),
 *   decode(frame) {
 *     if (frame.length !== 1) throw new MessageDecodeError("expected one byte", frame.length);
 *     return frame[0];
 *   },
 * };
 * console.log(byteCodec.decode(byteCodec.encode(7))); // 7
 * ```
 */
export interface MessageCodec<T> {
  /** The frame's bytes for `message`. */
  encode(message: T): Uint8Array;
  /** The message a frame's bytes hold; throws `MessageDecodeError` for bytes it cannot decode. */
  decode(frame: Uint8Array): T;
}

/**
 * The default codec: a message is the frame's bytes, unchanged.
 *
 * @example
 * ```ts
 * import { bytesCodec } from "@unstuck/unstuck";
 * const frame = new Uint8Array([1, 2]);
 * console.log(bytesCodec.decode(frame) === frame); // true
 * ```
 */
export const bytesCodec: MessageCodec<Uint8Array> = {
  encode: (message: Uint8Array): Uint8Array => message,
  decode: (frame: Uint8Array): Uint8Array => frame,
};

const utf8 = new TextEncoder();
// fatal: bad bytes are an error, not U+FFFD; ignoreBOM: a leading U+FEFF is kept, as sent.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes UTF-8 strictly: bytes that are not UTF-8 are a `MessageDecodeError`.
 *
 * @param frame The bytes.
 * @returns The text.
 * @throws {MessageDecodeError} If the bytes are not UTF-8.
 *
 * @example
 * ```ts
 * import { decodeUtf8 } from "./message_codec.ts";
 * console.log(decodeUtf8(new Uint8Array([104, 105]))); // "hi"
 * ```
 */
export function decodeUtf8(frame: Uint8Array): string {
  try {
    return strictUtf8.decode(frame);
  } catch (error) {
    throw new MessageDecodeError(
      `frame of ${frame.length} bytes is not valid UTF-8`,
      frame.length,
      {
        cause: error,
      },
    );
  }
}

/**
 * A message is a string, sent as UTF-8. Decoding is strict: a frame that is not UTF-8 is a
 * `MessageDecodeError` (never a U+FFFD replacement), and a byte-order mark is kept as sent.
 *
 * @example Lines of text
 * ```ts
 * import { duplexPair, framed, textCodec } from "@unstuck/unstuck";
 * const [a, b] = duplexPair();
 * const options = { framing: { codec: "delimiter" }, message: textCodec } as const;
 * await framed(a, options).send("héllo");
 * console.log(await framed(b, options).receive()); // "héllo"
 * ```
 */
export const textCodec: MessageCodec<string> = {
  encode: (message: string): Uint8Array => utf8.encode(message),
  decode: decodeUtf8,
};

/**
 * A JSON value, sent as UTF-8 text: `JSON.stringify` to send, `JSON.parse` to receive. A frame
 * that is not UTF-8 or not JSON is a `MessageDecodeError`. Sending a value JSON cannot hold
 * (`undefined`, a function, a bigint) is a `TypeError`.
 *
 * @example
 * ```ts
 * import { jsonCodec } from "@unstuck/unstuck";
 * const frame = jsonCodec.encode({ op: "ping", n: 1 });
 * console.log(jsonCodec.decode(frame)); // { op: "ping", n: 1 }
 * ```
 */
export const jsonCodec: MessageCodec<unknown> = {
  encode(message: unknown): Uint8Array {
    const text = JSON.stringify(message);
    if (text === undefined) throw new TypeError(`${typeof message} cannot be sent as JSON`);
    return utf8.encode(text);
  },
  decode(frame: Uint8Array): unknown {
    const text = decodeUtf8(frame);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new MessageDecodeError(`frame of ${frame.length} bytes is not JSON`, frame.length, {
        cause: error,
      });
    }
  },
};

/**
 * A record per frame, packed with a Python `struct` format: a message is the array of values
 * (`Struct.pack(...values)` to send, `Struct.unpack(frame)` to receive). A frame of another size
 * than the format's is a `MessageDecodeError`; values the format cannot pack are the
 * `StructError` of `pack`.
 *
 * @param format A Python `struct` format, such as `"!IHd"`.
 * @returns A codec for that record.
 * @throws {StructError} For a bad format.
 *
 * @example
 * ```ts
 * import { structCodec } from "@unstuck/unstuck";
 * const point = structCodec<[number, number]>("!hh");
 * console.log(point.decode(point.encode([3, -4]))); // [ 3, -4 ]
 * ```
 */
export function structCodec<T extends StructValue[] = StructValue[]>(
  format: string,
): MessageCodec<T> {
  const struct = new Struct(format);
  return {
    encode: (values: T): Uint8Array => struct.pack(...values),
    decode(frame: Uint8Array): T {
      if (frame.length !== struct.size) {
        throw new MessageDecodeError(
          `frame of ${frame.length} bytes does not hold the ${struct.size}-byte record ` +
            JSON.stringify(format),
          frame.length,
        );
      }
      return struct.unpack<T>(frame);
    },
  };
}

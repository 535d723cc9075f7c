/**
 * The exec protocol over `framed()`: a connection's frames (a `"!I"` length, then the payload),
 * a sender of the protocol's frames, and the span after `auth` in which the client must keep
 * silent. The server starts with a small frame limit and raises it once the client is
 * authenticated (`frames.maxFrameLength`, which applies from the next frame on).
 *
 * @module
 */
import { type ByteDuplex, type Framed, framed, type FramedOptions } from "../../framing/mod.ts";
import {
  type ClientControlMessage,
  encodeControl,
  EXEC_MAX_CHUNK,
  EXEC_MAX_FRAME_LENGTH,
  FRAME_STDIN_END,
  type ServerControlMessage,
} from "./protocol/mod.ts";

const HEADER = "!I";

/** Options of {@linkcode openFrames}: `framed()`'s, and the largest payload accepted. */
export type FramesOptions =
  & Omit<FramedOptions<Uint8Array>, "framing" | "sendFraming" | "message">
  & {
    /** The largest payload accepted from the peer. @default {EXEC_MAX_FRAME_LENGTH} */
    maxFrameLength?: number;
  };

/**
 * The frames of an exec connection: payloads of at most `maxFrameLength` bytes received (change
 * it between frames with `frames.maxFrameLength`), up to {@linkcode EXEC_MAX_FRAME_LENGTH} sent.
 *
 * @example
 * ```ts
 * import { duplexPair } from "../../framing/mod.ts";
 * import { openFrames } from "./wire.ts";
 * const [a, b] = duplexPair();
 * await openFrames(a).send(new Uint8Array([4]));
 * console.log(await openFrames(b, { maxFrameLength: 1024 }).receive()); // Uint8Array(1) [ 4 ]
 * ```
 */
export function openFrames(conn: ByteDuplex, options: FramesOptions = {}): Framed<Uint8Array> {
  const { maxFrameLength = EXEC_MAX_FRAME_LENGTH, ...rest } = options;
  return framed(conn, {
    ...rest,
    framing: { header: HEADER, maxFrameLength },
    sendFraming: { header: HEADER, maxFrameLength: EXEC_MAX_FRAME_LENGTH },
  });
}

const TYPE_BYTES: Uint8Array[] = [0, 1, 2, 3, 4].map((t) => new Uint8Array([t]));

/**
 * Sends the protocol's frames on one connection, in the order they were asked for; each
 * resolves once the connection took it (backpressure).
 */
export class FrameWriter {
  readonly #frames: Framed<Uint8Array>;

  /** Sends on `frames`. */
  constructor(frames: Framed<Uint8Array>) {
    this.#frames = frames;
  }

  /** Sends a control message. */
  control(message: ClientControlMessage | ServerControlMessage): Promise<void> {
    return this.#frames.send(encodeControl(message));
  }

  /** Sends `bytes` as data frames of type `type`, at most {@linkcode EXEC_MAX_CHUNK} bytes each. */
  async data(type: number, bytes: Uint8Array): Promise<void> {
    for (let offset = 0; offset < bytes.length; offset += EXEC_MAX_CHUNK) {
      // The type byte, then the bytes: one write, the bytes not copied.
      await this.#frames.sendParts([
        TYPE_BYTES[type],
        bytes.subarray(offset, offset + EXEC_MAX_CHUNK),
      ]);
    }
  }

  /** Sends the stdin-end frame. */
  stdinEnd(): Promise<void> {
    return this.#frames.send(TYPE_BYTES[FRAME_STDIN_END]);
  }
}

/**
 * Waits up to `ms` for the peer to keep silent (after its `auth`, until the server's `ready`).
 * Resolves false as soon as it sends anything — a frame, part of one, bytes that came in the
 * same read as the frame before — whoever cut its bytes how; true when nothing came (or its end
 * of input: the next receive sees that). Aborting `signal` ends the wait early. Whatever was
 * received stays for the next receive.
 */
export async function keptQuiet(
  frames: Framed<Uint8Array>,
  ms: number,
  signal: AbortSignal,
): Promise<boolean> {
  if (frames.bufferedBytes > 0) return false;
  const span = new AbortController();
  const end = (): void => span.abort();
  const timer = setTimeout(end, ms);
  signal.addEventListener("abort", end, { once: true });
  try {
    return (await frames.receive({ signal: span.signal })) === undefined;
  } catch {
    // The span ended with part of a frame received, or a bad frame arrived: the peer spoke.
    return span.signal.aborted && frames.bufferedBytes === 0;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", end);
  }
}

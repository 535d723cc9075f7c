/**
 * Telling a text peer (`nc`, `telnet`, a browser) on a length-prefixed port from a framing
 * mistake: the bytes read as a refused length header are printable text.
 *
 * @module
 */
import { FrameTooLargeError } from "../../framing/mod.ts";
import { calcsize, pack } from "../../struct/mod.ts";

/**
 * A frame was refused on a length-prefixed connection, and its header's bytes are text ("hell",
 * "GET "): the peer most likely sends lines, not frames. `length` and `limit` are those of the
 * refused frame.
 *
 * @example
 * ```ts
 * import { TextOnFramedConnectionError } from "@unstuck/unstuck";
 * const error = new TextOnFramedConnectionError("hell", 1751477356, 8388608);
 * console.log(error.message);
 * // this looks like text ("hell"), not a length header: is the client framing? (frame length 1751477356 exceeds the limit of 8388608 bytes)
 * ```
 */
export class TextOnFramedConnectionError extends FrameTooLargeError {
  /** Always `"TextOnFramedConnectionError"`. */
  override name = "TextOnFramedConnectionError";
  /** The header's bytes, as text (printable ASCII, tab, CR or LF only). */
  readonly text: string;

  /**
   * Creates the error.
   *
   * @param text The header's bytes as text.
   * @param length The length they read as.
   * @param limit The largest length accepted.
   */
  constructor(text: string, length: number, limit: number) {
    super(
      length,
      limit,
      `this looks like text (${JSON.stringify(text)}), not a length header: is the client ` +
        `framing? (frame length ${length} exceeds the limit of ${limit} bytes)`,
    );
    this.text = text;
  }
}

/** Printable ASCII, tab, LF and CR: what a line typed into `nc` or `telnet` is made of. */
function isText(byte: number): boolean {
  return (byte >= 0x20 && byte <= 0x7e) || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * The error to report for a frame refused as too large under `header`: a
 * {@linkcode TextOnFramedConnectionError} when the header's bytes are text, else `error` itself.
 * Only a header of at least 2 bytes can tell (a varint or 1-byte length cannot exceed a limit
 * with text bytes).
 *
 * @example
 * ```ts
 * import { FrameTooLargeError } from "@unstuck/unstuck";
 * import { explainRefusedFrame } from "./text_peer.ts";
 * const refused = new FrameTooLargeError(0x68656c6c, 8388608);
 * console.log(explainRefusedFrame(refused, "!I").name); // "TextOnFramedConnectionError"
 * ```
 */
export function explainRefusedFrame(
  error: FrameTooLargeError,
  header: string,
): FrameTooLargeError {
  if (header === "varint" || error.length <= error.limit) return error;
  let bytes: Uint8Array;
  try {
    // The header is a struct format: packing the length gives back the bytes it was read from.
    if (calcsize(header) < 2) return error;
    bytes = pack(header, Number.isSafeInteger(error.length) ? error.length : BigInt(error.length));
  } catch {
    return error;
  }
  if (!bytes.every(isText)) return error;
  const text = String.fromCharCode(...bytes);
  return new TextOnFramedConnectionError(text, error.length, error.limit);
}

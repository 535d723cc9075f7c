/**
 * The `unstuck-exec/2` wire protocol: constants, message shapes and payload encoding. Every
 * message is one frame (4-byte big-endian length, then the payload); payload byte 0 says what the
 * rest is. See docs/PROTOCOL.md for the full description and a transcript.
 *
 * @module
 */

/** The protocol name the server announces in its `hello`. */
export const EXEC_PROTOCOL = "unstuck-exec/2";

/** The name of the protocol's first version, which servers no longer speak (for messages). */
export const EXEC_PROTOCOL_V1 = "unstuck-exec/1";

/** The TCP port `unstuck exec` uses by default. */
export const EXEC_DEFAULT_PORT = 8082;

/** The largest frame payload either side accepts: 8 MiB. */
export const EXEC_MAX_FRAME_LENGTH = 8 * 1024 * 1024;

/** The largest stdout, stderr or stdin chunk sent in one frame: 64 KiB. */
export const EXEC_MAX_CHUNK = 64 * 1024;

/** The number of random bytes in each side's nonce. */
export const EXEC_NONCE_LENGTH = 32;

/** Payload type byte: a UTF-8 JSON control message. */
export const FRAME_CONTROL = 0x00;
/** Payload type byte: the command's stdout bytes (server → client). */
export const FRAME_STDOUT = 0x01;
/** Payload type byte: the command's stderr bytes (server → client). */
export const FRAME_STDERR = 0x02;
/** Payload type byte: bytes for the command's stdin (client → server). */
export const FRAME_STDIN = 0x03;
/** Payload type byte: end of the command's stdin (client → server, no bytes follow). */
export const FRAME_STDIN_END = 0x04;

/**
 * S→C, first message: the protocol name and the server's fresh nonce. Its shape is the same in
 * every version, so any client can read which version a server speaks.
 */
export interface HelloMessage {
  /** Message type. */
  type: "hello";
  /** {@linkcode EXEC_PROTOCOL}. */
  protocol: string;
  /** Base64 of {@linkcode EXEC_NONCE_LENGTH} random bytes. */
  nonce: string;
}

/** S→C, right behind `hello`: the channel bindings the server can compute, strongest first. */
export interface BindingsMessage {
  /** Message type. */
  type: "bindings";
  /** 1 to 8 distinct binding names (see `CHANNEL_BINDINGS`). */
  offer: string[];
}

/** C→S, answer to `hello` and `bindings`: the client's nonce, its binding, its proof. */
export interface AuthMessage {
  /** Message type. */
  type: "auth";
  /** Base64 of the client's {@linkcode EXEC_NONCE_LENGTH} random bytes. */
  nonce: string;
  /** The binding chosen from the offer. */
  binding: string;
  /** The client's proof: base64 of the 32-byte MAC (see `signProof`). */
  mac: string;
}

/**
 * S→C: the client is authenticated, and this is the server's proof. The client checks it before
 * it sends anything more.
 */
export interface ReadyMessage {
  /** Message type. */
  type: "ready";
  /** The server's proof: base64 of the 32-byte MAC (see `signProof`). */
  mac: string;
}

/** C→S: run one command. Exactly one of `argv` and `shell`. */
export interface RunMessage {
  /** Message type. */
  type: "run";
  /** Program and arguments, run without a shell. */
  argv?: string[];
  /** A command line for `/bin/sh -c` (only if the server allows shell commands). */
  shell?: string;
  /** When true the client sends stdin frames and one stdin-end; else stdin is closed at start. */
  stdin?: boolean;
  /** A time limit in milliseconds; the server's own limit caps it. */
  timeoutMs?: number;
}

/** S→C: the command ended. All its output frames came before this. */
export interface ExitMessage {
  /** Message type. */
  type: "exit";
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** Signal name such as `"SIGKILL"`, or null. */
  signal: string | null;
  /** True when the time limit killed it. */
  timedOut: boolean;
  /** True when the output limit was reached: output was cut there and the command killed. */
  truncated: boolean;
}

/** S→C: something failed. During the handshake or after a protocol error the server then closes. */
export interface ErrorMessage {
  /** Message type. */
  type: "error";
  /** What went wrong, for humans. */
  message: string;
}

/** A control message the client sends. */
export type ClientControlMessage = AuthMessage | RunMessage;

/** A control message the server sends. */
export type ServerControlMessage =
  | HelloMessage
  | BindingsMessage
  | ReadyMessage
  | ExitMessage
  | ErrorMessage;

/** A decoded frame from client to server. */
export type ClientFrame =
  | { kind: "control"; message: ClientControlMessage }
  | { kind: "stdin"; data: Uint8Array }
  | { kind: "stdin-end" };

/** A decoded frame from server to client. */
export type ServerFrame =
  | { kind: "control"; message: ServerControlMessage }
  | { kind: "stdout"; data: Uint8Array }
  | { kind: "stderr"; data: Uint8Array };

const encoder = new TextEncoder();

/**
 * Encodes a control message as a frame payload: byte `0x00`, then its JSON in UTF-8.
 *
 * @example
 * ```ts
 * import { encodeControl } from "@unstuck/unstuck/exec/protocol";
 * const payload = encodeControl({ type: "bindings", offer: ["none"] });
 * console.log(payload[0], new TextDecoder().decode(payload.subarray(1)));
 * // 0 {"type":"bindings","offer":["none"]}
 * ```
 */
export function encodeControl(message: ClientControlMessage | ServerControlMessage): Uint8Array {
  const json = encoder.encode(JSON.stringify(message));
  const payload = new Uint8Array(json.length + 1);
  payload[0] = FRAME_CONTROL;
  payload.set(json, 1);
  return payload;
}

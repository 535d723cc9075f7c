/**
 * Decoding and strict validation of exec frame payloads. Anything unexpected (an unknown type
 * byte, bad UTF-8 or JSON, an unknown message type or field, a field of the wrong type) is an
 * {@linkcode ExecProtocolError}; a validated message has exactly the documented shape.
 *
 * @module
 */
import { ExecProtocolError } from "../errors.ts";
import {
  type ClientControlMessage,
  type ClientFrame,
  EXEC_PROTOCOL,
  EXEC_PROTOCOL_V1,
  FRAME_CONTROL,
  FRAME_STDERR,
  FRAME_STDIN,
  FRAME_STDIN_END,
  FRAME_STDOUT,
  type RunMessage,
  type ServerControlMessage,
  type ServerFrame,
} from "./messages.ts";

type Json = Record<string, unknown>;

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function parseJsonObject(bytes: Uint8Array): Json {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new ExecProtocolError("control message is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExecProtocolError("control message is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ExecProtocolError("control message is not a JSON object");
  }
  const obj = value as Json;
  if (typeof obj.type !== "string") {
    throw new ExecProtocolError('control message has no string "type"');
  }
  return obj;
}

/** Rejects fields beyond `allowed`: a misspelt option must not be silently ignored. */
function onlyKeys(obj: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ExecProtocolError(`unknown field "${key}" in "${obj.type}" message`);
    }
  }
}

function fieldError(obj: Json, key: string, what: string): ExecProtocolError {
  return new ExecProtocolError(`"${obj.type}" message: "${key}" must be ${what}`);
}

function str(obj: Json, key: string): string {
  const v = obj[key];
  if (typeof v !== "string") throw fieldError(obj, key, "a string");
  return v;
}

function bool(obj: Json, key: string): boolean {
  const v = obj[key];
  if (typeof v !== "boolean") throw fieldError(obj, key, "a boolean");
  return v;
}

function stringList(obj: Json, key: string): string[] {
  const v = obj[key];
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
    throw fieldError(obj, key, "an array of strings");
  }
  return v;
}

function nullableString(obj: Json, key: string): string | null {
  const v = obj[key];
  if (v !== null && typeof v !== "string") throw fieldError(obj, key, "a string or null");
  return v;
}

function nullableInt(obj: Json, key: string): number | null {
  const v = obj[key];
  if (v !== null && !Number.isSafeInteger(v)) throw fieldError(obj, key, "an integer or null");
  return v as number | null;
}

/** A string that can reach exec(2): non-empty where required, and free of NUL bytes. */
function execString(obj: Json, key: string, value: unknown, nonEmpty: boolean): string {
  if (typeof value !== "string") throw fieldError(obj, key, "a string");
  if (value.includes("\0")) throw fieldError(obj, key, "free of NUL characters");
  if (nonEmpty && value === "") throw fieldError(obj, key, "non-empty");
  return value;
}

function parseRun(obj: Json): RunMessage {
  onlyKeys(obj, ["type", "argv", "shell", "stdin", "timeoutMs"]);
  const hasArgv = obj.argv !== undefined;
  const hasShell = obj.shell !== undefined;
  if (hasArgv === hasShell) {
    throw new ExecProtocolError('"run" message needs exactly one of "argv" and "shell"');
  }
  const run: RunMessage = { type: "run" };
  if (hasArgv) {
    const argv = obj.argv;
    if (!Array.isArray(argv) || argv.length === 0) {
      throw fieldError(obj, "argv", "a non-empty array of strings");
    }
    run.argv = argv.map((a, i) => execString(obj, "argv", a, i === 0));
  } else {
    run.shell = execString(obj, "shell", obj.shell, true);
  }
  if (obj.stdin !== undefined) run.stdin = bool(obj, "stdin");
  if (obj.timeoutMs !== undefined) {
    const t = obj.timeoutMs;
    if (!Number.isSafeInteger(t) || (t as number) <= 0) {
      throw fieldError(obj, "timeoutMs", "a positive integer");
    }
    run.timeoutMs = t as number;
  }
  return run;
}

/**
 * Parses a control message sent by a client (`auth` or `run`) from its JSON bytes.
 *
 * @throws {ExecProtocolError} when it is not exactly one of those messages
 * @example
 * ```ts
 * import { parseClientControl } from "@unstuck/unstuck/exec/protocol";
 * const json = new TextEncoder().encode('{"type":"run","argv":["ls","-l"]}');
 * console.log(parseClientControl(json)); // { type: "run", argv: ["ls", "-l"] }
 * ```
 */
export function parseClientControl(json: Uint8Array): ClientControlMessage {
  const obj = parseJsonObject(json);
  switch (obj.type) {
    case "auth":
      // A version 1 client's auth: say which versions meet, rather than which field is missing.
      if (Object.keys(obj).length === 2 && typeof obj.mac === "string") {
        throw new ExecProtocolError(
          `this server speaks ${EXEC_PROTOCOL} only, and the client sent an ${EXEC_PROTOCOL_V1} ` +
            "auth: upgrade the client",
        );
      }
      onlyKeys(obj, ["type", "nonce", "binding", "mac"]);
      return {
        type: "auth",
        nonce: str(obj, "nonce"),
        binding: str(obj, "binding"),
        mac: str(obj, "mac"),
      };
    case "run":
      return parseRun(obj);
    default:
      throw new ExecProtocolError(`unknown message type "${obj.type}"`);
  }
}

/**
 * Parses a control message sent by a server (`hello`, `bindings`, `ready`, `exit` or `error`)
 * from its JSON bytes.
 *
 * @throws {ExecProtocolError} when it is not exactly one of those messages
 * @example
 * ```ts
 * import { parseServerControl } from "@unstuck/unstuck/exec/protocol";
 * const json = new TextEncoder().encode('{"type":"bindings","offer":["none"]}');
 * console.log(parseServerControl(json)); // { type: "bindings", offer: ["none"] }
 * ```
 */
export function parseServerControl(json: Uint8Array): ServerControlMessage {
  const obj = parseJsonObject(json);
  switch (obj.type) {
    case "hello":
      onlyKeys(obj, ["type", "protocol", "nonce"]);
      return { type: "hello", protocol: str(obj, "protocol"), nonce: str(obj, "nonce") };
    case "bindings":
      onlyKeys(obj, ["type", "offer"]);
      return { type: "bindings", offer: stringList(obj, "offer") };
    case "ready":
      onlyKeys(obj, ["type", "mac"]);
      return { type: "ready", mac: str(obj, "mac") };
    case "exit":
      onlyKeys(obj, ["type", "code", "signal", "timedOut", "truncated"]);
      return {
        type: "exit",
        code: nullableInt(obj, "code"),
        signal: nullableString(obj, "signal"),
        timedOut: bool(obj, "timedOut"),
        truncated: bool(obj, "truncated"),
      };
    case "error":
      onlyKeys(obj, ["type", "message"]);
      return { type: "error", message: str(obj, "message") };
    default:
      throw new ExecProtocolError(`unknown message type "${obj.type}"`);
  }
}

function typeByte(payload: Uint8Array): number {
  if (payload.length === 0) throw new ExecProtocolError("empty frame");
  return payload[0];
}

function unexpected(byte: number, from: string): ExecProtocolError {
  const hex = byte.toString(16).padStart(2, "0");
  return new ExecProtocolError(`unexpected frame type 0x${hex} from the ${from}`);
}

/**
 * Decodes one frame payload sent by a client. Data frames are views into `payload`.
 *
 * @throws {ExecProtocolError} for an empty payload, a type byte a client may not send, a stdin-end
 * frame with bytes, or an invalid control message
 * @example
 * ```ts
 * import { parseClientFrame } from "@unstuck/unstuck/exec/protocol";
 * console.log(parseClientFrame(new Uint8Array([0x03, 104, 105]))); // { kind: "stdin", data: … }
 * ```
 */
export function parseClientFrame(payload: Uint8Array): ClientFrame {
  const type = typeByte(payload);
  switch (type) {
    case FRAME_CONTROL:
      return { kind: "control", message: parseClientControl(payload.subarray(1)) };
    case FRAME_STDIN:
      return { kind: "stdin", data: payload.subarray(1) };
    case FRAME_STDIN_END:
      if (payload.length !== 1) throw new ExecProtocolError("stdin-end frame carries bytes");
      return { kind: "stdin-end" };
    default:
      throw unexpected(type, "client");
  }
}

/**
 * Decodes one frame payload sent by a server. Data frames are views into `payload`.
 *
 * @throws {ExecProtocolError} for an empty payload, a type byte a server may not send, or an
 * invalid control message
 * @example
 * ```ts
 * import { parseServerFrame } from "@unstuck/unstuck/exec/protocol";
 * console.log(parseServerFrame(new Uint8Array([0x01, 104, 105]))); // { kind: "stdout", data: … }
 * ```
 */
export function parseServerFrame(payload: Uint8Array): ServerFrame {
  const type = typeByte(payload);
  switch (type) {
    case FRAME_CONTROL:
      return { kind: "control", message: parseServerControl(payload.subarray(1)) };
    case FRAME_STDOUT:
      return { kind: "stdout", data: payload.subarray(1) };
    case FRAME_STDERR:
      return { kind: "stderr", data: payload.subarray(1) };
    default:
      throw unexpected(type, "server");
  }
}

/**
 * Errors of the remote-exec service. Each has a stable `name`, so callers can tell them apart
 * after serialisation or across realms.
 *
 * @module
 */

/**
 * A peer broke the exec protocol: bad JSON, an unknown message type, a field of the wrong type,
 * a message out of place. The connection it came from is closed.
 *
 * @example
 * ```ts
 * import { ExecProtocolError, parseClientFrame } from "@unstuck/unstuck/exec/protocol";
 * try {
 *   parseClientFrame(new Uint8Array([0x09]));
 * } catch (err) {
 *   console.log(err instanceof ExecProtocolError); // true
 * }
 * ```
 */
export class ExecProtocolError extends Error {
  /** Always `"ExecProtocolError"`. */
  override name = "ExecProtocolError";
}

/**
 * The server refused our token, or the handshake could not complete.
 *
 * @example
 * ```ts
 * import { ExecAuthError } from "@unstuck/unstuck";
 * const err = new ExecAuthError("authentication failed");
 * console.log(err.name); // "ExecAuthError"
 * ```
 */
export class ExecAuthError extends Error {
  /** Always `"ExecAuthError"`. */
  override name = "ExecAuthError";
}

/**
 * The server could not start a command: not allowed by its policy, or not found. The connection
 * stays usable.
 *
 * @example
 * ```ts
 * import { ExecCommandError } from "@unstuck/unstuck";
 * const err = new ExecCommandError("shell commands are not enabled on this server");
 * console.log(err.name); // "ExecCommandError"
 * ```
 */
export class ExecCommandError extends Error {
  /** Always `"ExecCommandError"`. */
  override name = "ExecCommandError";
}

/**
 * No token to authenticate with, or an unusable one (empty, unreadable file).
 *
 * @example
 * ```ts
 * import { ExecTokenError } from "@unstuck/unstuck";
 * const err = new ExecTokenError("the token is empty");
 * console.log(err.name); // "ExecTokenError"
 * ```
 */
export class ExecTokenError extends Error {
  /** Always `"ExecTokenError"`. */
  override name = "ExecTokenError";
}

/**
 * The token file is not private to us: writable by group or others, or owned by another user
 * (who could change it, and so choose the token). Unlike the other {@linkcode ExecTokenError}s
 * this is not a usage error: `unstuck exec` exits 1 on it, as OpenSSH refuses a key file that
 * others may change.
 *
 * @example
 * ```ts
 * import { ExecTokenError, ExecTokenFileError } from "@unstuck/unstuck";
 * const err = new ExecTokenFileError("token file t is writable by group or others (mode 0666)");
 * console.log(err.name, err instanceof ExecTokenError); // "ExecTokenFileError" true
 * ```
 */
export class ExecTokenFileError extends ExecTokenError {
  /** Always `"ExecTokenFileError"`. */
  override name = "ExecTokenFileError";
}

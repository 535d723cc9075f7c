/**
 * The authenticated remote-exec service: wire protocol, handshake, server and client.
 *
 * @module
 */
export {
  ExecAuthError,
  ExecCommandError,
  ExecProtocolError,
  ExecTokenError,
  ExecTokenFileError,
} from "./errors.ts";
export {
  type AuthMessage,
  type ClientControlMessage,
  type ClientFrame,
  encodeControl,
  type ErrorMessage,
  EXEC_MAX_CHUNK,
  EXEC_MAX_FRAME_LENGTH,
  EXEC_NONCE_LENGTH,
  EXEC_PROTOCOL,
  type ExitMessage,
  FRAME_CONTROL,
  FRAME_STDERR,
  FRAME_STDIN,
  FRAME_STDIN_END,
  FRAME_STDOUT,
  type HelloMessage,
  type ReadyMessage,
  type RunMessage,
  type ServerControlMessage,
  type ServerFrame,
} from "./protocol.ts";
export {
  parseClientControl,
  parseClientFrame,
  parseServerControl,
  parseServerFrame,
} from "./parse.ts";
export { createNonce, importTokenKey, signNonce, type TokenKey, verifyNonce } from "./auth.ts";
export {
  EXIT_CONNECTION_FAILED,
  EXIT_NOT_STARTED,
  EXIT_TIMED_OUT,
  exitCodeOf,
  signalNumber,
} from "./exit_code.ts";
export { type LoadedToken, loadToken, type LoadTokenOptions, TOKEN_ENV } from "./token.ts";
export { type ExecPolicy, refusalOf } from "./policy.ts";
export { type ExecServer, type ExecServerOptions, serveExec } from "./server.ts";
export type { ExecCommandEvent, ExecRejectedEvent, ExecServerEvent } from "./session.ts";
export type { CommandOutcome } from "./command.ts";
export {
  ExecClient,
  type ExecClientOptions,
  type ExecResult,
  type ExecRunOptions,
} from "./client.ts";

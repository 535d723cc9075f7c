/**
 * The authenticated remote-exec service: its server and client, their options, errors and
 * defaults, and loading the shared token. The wire protocol itself, for clients of other makes,
 * is `@unstuck/unstuck/exec/protocol`.
 *
 * @module
 */
export { EXEC_DEFAULTS, type ExecDefaults } from "./defaults.ts";
export type { ServerHandle } from "../handle.ts";
export {
  ExecAuthError,
  ExecCommandError,
  ExecProtocolError,
  ExecTokenError,
  ExecTokenFileError,
} from "./errors.ts";
// Named by the options, events and results below.
export type { ChannelBinding, ExitMessage, RunMessage } from "./protocol/mod.ts";
export type {
  AdapterChoice,
  AdapterName,
  NetAddress,
  NetworkError,
  Pem,
  TlsClientOptions,
  TlsServerOptions,
} from "../../runtime/mod.ts";
export { type LoadedToken, loadToken, type LoadTokenOptions, TOKEN_ENV } from "./token.ts";
export { type ExecPolicy, refusalOf } from "./policy.ts";
export { type ExecServer, type ExecServerOptions, serveExec } from "./server.ts";
export type {
  ExecCommandEvent,
  ExecRejectedEvent,
  ExecRejection,
  ExecServerEvent,
} from "./session.ts";
export type { CommandOutcome } from "./command.ts";
export {
  ExecClient,
  type ExecClientOptions,
  type ExecResult,
  type ExecRunOptions,
} from "./client.ts";

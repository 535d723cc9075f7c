/**
 * The echo service: TCP (framed or line mode) and UDP servers, and their clients.
 *
 * @module
 */
export { asciiUpper } from "./upper.ts";
export { ECHO_DEFAULTS, type EchoDefaults } from "./defaults.ts";
export { type EchoServer, type EchoServerOptions, serveEcho } from "./server.ts";
export {
  type EchoUdpDropReason,
  type EchoUdpServer,
  type EchoUdpServerOptions,
  serveEchoUdp,
} from "./udp_server.ts";
export { connectEcho, type EchoClient, type EchoClientOptions } from "./client.ts";
export { connectEchoUdp, type EchoUdpClient, type EchoUdpClientOptions } from "./udp_client.ts";
export type { EchoFraming, LengthFraming } from "./framing_options.ts";
export { TextOnFramedConnectionError } from "./text_peer.ts";
export type { ServerHandle } from "../handle.ts";
export {
  ReplyTimeoutError,
  TooManyConnectionsError,
  TooManyConnectionsFromAddressError,
  WriteTimeoutError,
} from "../errors.ts";
// Named by the options and errors above.
export type {
  AdapterChoice,
  AdapterName,
  NetAddress,
  NetworkError,
  Pem,
  TlsClientOptions,
  TlsServerOptions,
} from "../../runtime/mod.ts";
export {
  FrameTimeoutError,
  FrameTooLargeError,
  FramingError,
  IdleTimeoutError,
} from "../../framing/mod.ts";

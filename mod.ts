/**
 * unstuck: message-oriented networking that is correct by default, for Deno, Bun and Node.
 *
 * - struct: Python's `struct` module, exact (`pack`, `unpack`, `Struct`, …).
 * - framing: length-prefixed (any struct integer header or varint), delimiter and fixed-size
 *   codecs, correct under any chunking and bounded in memory (`decodeFrames`, `encodeFrame`, …).
 * - runtime adapters: one TCP (plain and TLS), UDP and subprocess API over Deno, Bun and Node
 *   (`listen`, `connect`, `bindDatagram`, `spawn`).
 * - services: echo (framed TCP, UDP), a UDP chat room, authenticated remote exec; each with its
 *   defaults object (`ECHO_DEFAULTS`, …).
 *
 * Each part is also a module of its own: `@unstuck/unstuck/struct`, `/framing`, `/runtime`,
 * `/echo`, `/chat`, `/exec`, and `/exec/protocol` (the wire format, for other clients). struct and
 * framing run anywhere, browsers included.
 *
 * @example Frames over TCP, whatever the network does to the bytes
 * ```ts
 * import { connect, decodeFrames, encodeFrame, listen } from "@unstuck/unstuck";
 *
 * const server = await listen({ port: 0 }, async (conn) => {
 *   for await (const frame of decodeFrames(conn)) await conn.write(encodeFrame(frame));
 *   conn.close();
 * });
 * const conn = await connect({ port: server.addr.port });
 * await conn.write(encodeFrame(new TextEncoder().encode("hello")));
 * await conn.write(encodeFrame(new TextEncoder().encode("world")));
 * await conn.closeWrite();
 * for await (const frame of decodeFrames(conn)) console.log(new TextDecoder().decode(frame));
 * await server.close();
 * ```
 *
 * @module
 */
export { VERSION } from "./src/version.ts";
export * from "./src/struct/mod.ts";
export {
  ByteReader,
  bytesCodec,
  createFrameDecoder,
  createFrameEncoder,
  decodeFrames,
  DEFAULT_MAX_FRAME_LENGTH,
  duplexPair,
  encodeFrame,
  encodeFrameParts,
  Framed,
  framed,
  FramedClosedError,
  FrameDecoderStream,
  FrameEncoderStream,
  FrameTimeoutError,
  FrameTooLargeError,
  FramingError,
  IdleTimeoutError,
  jsonCodec,
  MessageDecodeError,
  structCodec,
  textCodec,
  TruncatedFrameError,
} from "./src/framing/mod.ts";
export type {
  ByteDuplex,
  ByteTransport,
  ChunkSource,
  DelimiterOptions,
  FixedOptions,
  FrameDecoder,
  FramedOptions,
  FrameEncoder,
  FrameRangeVisitor,
  FramingOptions,
  IdleControl,
  LengthHeader,
  LengthPrefixedOptions,
  MessageCodec,
  ReadOptions,
  ReceiveOptions,
  WebStreamPair,
} from "./src/framing/mod.ts";
export {
  AddressInUseError,
  availableAdapters,
  bindDatagram,
  connect,
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  type ContainmentSupport,
  containmentSupport,
  DatagramTooLargeError,
  DEFAULT_HOST,
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  detectRuntime,
  formatAddress,
  getAdapter,
  hostKey,
  isIpLiteral,
  isLoopback,
  listen,
  ListenerError,
  localBindFor,
  MAX_DATAGRAM_SIZE,
  NetworkError,
  PipeClosedError,
  sameHost,
  SERVER_RECEIVE_BUFFER_SIZE,
  spawn,
  SpawnError,
  TLS_EXPORTER_LABEL,
  TLS_EXPORTER_LENGTH,
  TlsError,
  tlsExporter,
  UnsupportedRuntimeError,
} from "./src/runtime/mod.ts";
export type {
  Adapter,
  AdapterChoice,
  AdapterName,
  ConnectionHandler,
  ConnectOptions,
  Datagram,
  DatagramOptions,
  DatagramSocket,
  ExitStatus,
  ListenOptions,
  NetAddress,
  Pem,
  ServerCloseOptions,
  SpawnOptions,
  Subprocess,
  TcpConnection,
  TcpServer,
  TlsClientOptions,
  TlsInfo,
  TlsServerOptions,
} from "./src/runtime/mod.ts";
export * from "./src/services/echo/mod.ts";
export * from "./src/services/chat/mod.ts";
export * from "./src/services/exec/mod.ts";

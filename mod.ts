/**
 * unstuck: message-oriented networking that is correct by default, for Deno, Bun and Node.
 *
 * - struct: Python's `struct` module, exact (`pack`, `unpack`, `Struct`, …).
 * - framing: length-prefixed (any struct integer header or varint), delimiter and fixed-size
 *   codecs, correct under any chunking and bounded in memory (`decodeFrames`, `encodeFrame`, …).
 * - runtime adapters: one TCP, UDP and subprocess API over Deno, Bun and Node (`listen`,
 *   `connect`, `bindDatagram`, `spawn`).
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
  createFrameDecoder,
  createFrameEncoder,
  decodeFrames,
  DEFAULT_MAX_FRAME_LENGTH,
  encodeFrame,
  encodeFrameParts,
  FrameDecoderStream,
  FrameEncoderStream,
  FrameTooLargeError,
  FramingError,
  TruncatedFrameError,
} from "./src/framing/mod.ts";
export type {
  ChunkSource,
  DelimiterOptions,
  FixedOptions,
  FrameDecoder,
  FrameEncoder,
  FrameRangeVisitor,
  FramingOptions,
  LengthHeader,
  LengthPrefixedOptions,
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
  detectRuntime,
  formatAddress,
  getAdapter,
  isIpLiteral,
  isLoopback,
  listen,
  ListenerError,
  localBindFor,
  MAX_DATAGRAM_SIZE,
  NetworkError,
  PipeClosedError,
  sameHost,
  spawn,
  SpawnError,
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
  ServerCloseOptions,
  SpawnOptions,
  Subprocess,
  TcpConnection,
  TcpServer,
} from "./src/runtime/mod.ts";
export * from "./src/services/echo/mod.ts";
export * from "./src/services/chat/mod.ts";
export * from "./src/services/exec/mod.ts";

/**
 * unstuck: message-oriented networking that is correct by default, for Deno, Bun and Node.
 *
 * - struct: Python's `struct` module, exact (`pack`, `unpack`, `Struct`, …).
 * - framing: length-prefixed (any struct integer header or varint), delimiter and fixed-size
 *   codecs, correct under any chunking and bounded in memory (`decodeFrames`, `encodeFrame`, …).
 * - runtime adapters: one TCP (plain and TLS), UDP and subprocess API over Deno, Bun and Node
 *   (`listen`, `connect`, `bindDatagram`, `spawn`).
 * - services: echo (framed TCP, UDP), a UDP chat room, authenticated remote exec, and the
 *   sticky-packet demo.
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
export * from "./src/framing/mod.ts";
export {
  availableAdapters,
  bindDatagram,
  connect,
  detectRuntime,
  getAdapter,
  listen,
  spawn,
} from "./src/runtime/adapter.ts";
export {
  AddressInUseError,
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  DatagramTooLargeError,
  ListenerError,
  NetworkError,
  PipeClosedError,
  SpawnError,
  TlsError,
  UnsupportedRuntimeError,
} from "./src/runtime/errors.ts";
export { MAX_DATAGRAM_SIZE } from "./src/runtime/types.ts";
export {
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  TLS_EXPORTER_LABEL,
  TLS_EXPORTER_LENGTH,
  tlsExporter,
} from "./src/runtime/shared/tls.ts";
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
} from "./src/runtime/types.ts";
export {
  calcsize,
  iterUnpack,
  pack,
  packInto,
  Struct,
  StructError,
  unpack,
  unpackFrom,
} from "./src/struct/mod.ts";
export type { BytesLike, PackValue, StructValue } from "./src/struct/mod.ts";
export * from "./src/services/mod.ts";
export * from "./src/services/exec/mod.ts";

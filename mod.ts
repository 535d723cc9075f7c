/**
 * unstuck: message-oriented networking that is correct by default, for Deno, Bun and Node.
 *
 * - `struct`: Python's `struct` module, exact.
 * - framing: length-prefixed, delimiter and fixed-size codecs, correct under any chunking.
 * - services: echo (framed TCP, UDP), a UDP chat room, and the sticky-packet demo.
 *
 * @example Pack a length header
 * ```ts
 * import { VERSION } from "@unstuck/unstuck";
 * console.log(VERSION);
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
  NetworkError,
  PipeClosedError,
  SpawnError,
  UnsupportedRuntimeError,
} from "./src/runtime/errors.ts";
export { MAX_DATAGRAM_SIZE } from "./src/runtime/types.ts";
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

/**
 * Runtime adapters: one TCP, UDP and subprocess API over Deno's, Bun's and Node's native APIs,
 * the errors they throw, and the address rules every layer shares (loopback by default). Each
 * adapter is loaded on first use. See docs/RUNTIME.md.
 *
 * @example An echo over TCP on a port the OS picks
 * ```ts
 * import { connect, listen } from "@unstuck/unstuck/runtime";
 *
 * await using server = await listen({ port: 0 }, async (conn) => {
 *   for await (const chunk of conn) await conn.write(chunk);
 *   conn.close();
 * });
 * await using conn = await connect({ port: server.addr.port });
 * await conn.write(new TextEncoder().encode("hi"));
 * await conn.closeWrite();
 * for await (const chunk of conn) console.log(new TextDecoder().decode(chunk)); // "hi"
 * ```
 *
 * @module
 */
export {
  availableAdapters,
  bindDatagram,
  connect,
  detectRuntime,
  getAdapter,
  listen,
  spawn,
} from "./adapter.ts";
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
} from "./errors.ts";
export { MAX_DATAGRAM_SIZE, SERVER_RECEIVE_BUFFER_SIZE } from "./types.ts";
export {
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  TLS_EXPORTER_LABEL,
  TLS_EXPORTER_LENGTH,
  tlsExporter,
} from "./shared/tls.ts";
export { type ContainmentSupport, containmentSupport } from "./shared/contain.ts";
// For the exec service: checks a containment request before any command runs.
export { checkContainment } from "./shared/contain.ts";
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
} from "./types.ts";
export {
  DEFAULT_HOST,
  formatAddress,
  hostKey,
  isIpLiteral,
  isLoopback,
  localBindFor,
  sameHost,
} from "./shared/address.ts";

// For the layers above (the exec service's token file, the CLI); the root mod.ts does not
// export these.
export {
  effectiveUid,
  environment,
  exit,
  getEnv,
  onShutdownSignal,
  type OwnedText,
  programArgs,
  readOwnedTextFile,
  readStdin,
  readTextFile,
  type ShutdownSignal,
  writeStderr,
  writeStdout,
} from "./system.ts";

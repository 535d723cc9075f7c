/**
 * The few Bun APIs the bun adapter uses, declared locally: `deno check` cannot resolve the `bun`
 * types, so they are reached through `globalThis` and checked at run time by {@linkcode bunApi}.
 *
 * @module
 */
import { UnsupportedRuntimeError } from "../errors.ts";

/** A Bun TCP socket (`Bun.Socket`), carrying our state in `data`. */
export interface BunSocket<D> {
  /** Per-socket state. */
  data: D;
  /** Writes what the kernel takes now: returns that count (maybe less, 0, or -1 when closed). */
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  /** Half-close: sends FIN. */
  shutdown(halfClose?: boolean): void;
  /** Closes the socket (FIN, both directions). */
  close(): void;
  /** Stops reading (no more `data` events). */
  pause(): void;
  /** Starts reading again. */
  resume(): void;
  /** Keeps the process alive while the socket is open (the default). */
  ref(): void;
  /** Lets the process exit although the socket is open. */
  unref(): void;
  /** Nagle off (true) or on (false). */
  setNoDelay(noDelay?: boolean): boolean;
  /** Peer IP. */
  readonly remoteAddress: string;
  /** Peer port. */
  readonly remotePort: number;
  /** Our IP. */
  readonly localAddress: string;
  /** Our port. */
  readonly localPort: number;
  /** TLS: the negotiated protocol version, e.g. `"TLSv1.3"`. */
  getTLSVersion?(): string | null;
  /** TLS: the peer's certificate; `raw` is its DER. */
  getPeerCertificate?(): { raw?: Uint8Array } | null | undefined;
  /** TLS: RFC 5705 keying material. */
  exportKeyingMaterial?(length: number, label: string, context?: Uint8Array): Uint8Array;
}

/** `tls` options of `Bun.listen`. */
export interface BunServerTls {
  /** Certificate chain, PEM. */
  cert: string;
  /** Private key, PEM. */
  key: string;
}

/** `tls` options of `Bun.connect`. */
export interface BunClientTls {
  /** The only certificates to trust, PEM; the default store without it. */
  ca?: string[];
  /** The name to verify and send as SNI; the hostname without it. */
  serverName?: string;
  /** Close the socket when the certificate does not verify. */
  rejectUnauthorized: boolean;
}

/** Event handlers of Bun TCP sockets. */
export interface BunSocketHandler<D> {
  /** `"uint8array"`: chunks arrive as plain Uint8Arrays. */
  binaryType: "uint8array";
  /** Connected (accepted, or our connect succeeded). */
  open(socket: BunSocket<D>): void;
  /** Bytes arrived. */
  data(socket: BunSocket<D>, data: Uint8Array): void;
  /** The kernel can take more bytes. */
  drain(socket: BunSocket<D>): void;
  /** The peer sent FIN. */
  end(socket: BunSocket<D>): void;
  /** Fully closed, with the error that closed it if any. */
  close(socket: BunSocket<D>, error?: Error): void;
  /** An error on the socket. */
  error(socket: BunSocket<D>, error: Error): void;
  /** Our connect failed. */
  connectError?(socket: BunSocket<D>, error: Error): void;
  /** TLS: the handshake ended; a client's certificate check failed with `authorizationError`. */
  handshake?(socket: BunSocket<D>, success: boolean, authorizationError: Error | null): void;
}

/** `Bun.listen` options. */
export interface BunListenOptions<D> {
  /** Address to bind. */
  hostname: string;
  /** Port to bind. */
  port: number;
  /** Keep our side open after the peer's FIN. */
  allowHalfOpen: boolean;
  /** Event handlers. */
  socket: BunSocketHandler<D>;
  /** Initial `data` of each socket. */
  data?: D;
  /** Serve TLS. */
  tls?: BunServerTls;
}

/** `Bun.listen`'s listener. */
export interface BunListener {
  /** Bound IP. */
  readonly hostname: string;
  /** Bound port. */
  readonly port: number;
  /** Stops accepting; with true, closes open connections too. */
  stop(closeActiveConnections?: boolean): void;
}

/** A Bun UDP socket. */
export interface BunUdpSocket {
  /** Bound IP. */
  readonly hostname: string;
  /** Bound port. */
  readonly port: number;
  /** The socket's descriptor (not in Bun's types; read as unknown). */
  readonly fd?: unknown;
  /** Sends a datagram; false when the kernel cannot take it now (wait for `drain`). */
  send(data: Uint8Array, port: number, address: string): boolean;
  /** Closes the socket. */
  close(): void;
}

/** Event handlers of a Bun UDP socket. */
export interface BunUdpHandler {
  /** A datagram arrived. */
  data(
    socket: BunUdpSocket,
    data: Uint8Array,
    port: number,
    address: string,
    flags?: { truncated?: boolean },
  ): void;
  /** The socket can send again. */
  drain(socket: BunUdpSocket): void;
  /** An error on the socket. */
  error?(socket: BunUdpSocket, error: Error): void;
}

/** `Bun.spawn` options. */
export interface BunSpawnOptions {
  /** Program and arguments. */
  cmd: string[];
  /** Working directory. */
  cwd?: string;
  /** The whole environment. */
  env?: Record<string, string>;
  /** stdin wiring. */
  stdin: "pipe" | "ignore";
  /** stdout wiring. */
  stdout: "pipe";
  /** stderr wiring. */
  stderr: "pipe";
  /** New session and process group (`setsid`). */
  detached: boolean;
}

/** Bun's writer for a pipe (`FileSink`): buffers, so flush to wait for the pipe. */
export interface BunFileSink {
  /** Buffers `chunk`. */
  write(chunk: Uint8Array): number | Promise<number>;
  /** Writes out the buffer; a promise while the pipe is full. */
  flush(): number | Promise<number>;
  /** Flushes and closes. */
  end(): number | Promise<number>;
}

/** A process from `Bun.spawn`. */
export interface BunSubprocess {
  /** Process id. */
  readonly pid: number;
  /** stdin pipe, with `stdin: "pipe"`. */
  readonly stdin: BunFileSink | undefined;
  /** stdout pipe. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** stderr pipe. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves once it has exited. */
  readonly exited: Promise<number>;
  /** Exit code; null while running or when a signal ended it. */
  readonly exitCode: number | null;
  /** Signal that ended it, or null. */
  readonly signalCode: string | number | null;
}

/** The part of the `Bun` namespace the adapter uses. */
export interface BunApi {
  /** Bun's version. */
  version: string;
  /** Starts a TCP server. */
  listen<D>(options: BunListenOptions<D>): BunListener;
  /** Opens a TCP connection. */
  connect<D>(
    options: {
      hostname: string;
      port: number;
      allowHalfOpen: boolean;
      socket: BunSocketHandler<D>;
      data?: D;
      tls?: BunClientTls;
    },
  ): Promise<BunSocket<D>>;
  /** Binds a UDP socket. */
  udpSocket(
    options: { hostname: string; port: number; binaryType: "uint8array"; socket: BunUdpHandler },
  ): Promise<BunUdpSocket>;
  /** Starts a subprocess. */
  spawn(options: BunSpawnOptions): BunSubprocess;
}

/**
 * The `Bun` namespace, or an `UnsupportedRuntimeError` outside Bun: the bun adapter's entry guard.
 *
 * @example
 * ```ts
 * import { bunApi } from "./api.ts";
 * console.log(bunApi().version);
 * ```
 */
export function bunApi(): BunApi {
  const bun = (globalThis as { Bun?: BunApi }).Bun;
  if (typeof bun !== "object" || bun === null) {
    throw new UnsupportedRuntimeError("the bun adapter runs only in Bun");
  }
  return bun;
}

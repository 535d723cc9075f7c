/**
 * The contract every runtime adapter (node, deno, bun) implements. Everything above the adapter
 * layer (services, CLI) is written against these types only.
 *
 * @module
 */
import type { NetworkError } from "./errors.ts";

/** The name of a runtime adapter. */
export type AdapterName = "node" | "deno" | "bun";

/** A network address: host name or IP literal, and port. */
export interface NetAddress {
  /** Host name or IP literal, e.g. `127.0.0.1` or `::1`. */
  hostname: string;
  /** Port number; 0 in options means "let the OS pick". */
  port: number;
}

/** Options shared by every call that can pick an adapter explicitly. */
export interface AdapterChoice {
  /** Which adapter to use; default: the one native to the running runtime. */
  adapter?: AdapterName;
}

/** Options of {@linkcode Adapter.listen}. */
export interface ListenOptions {
  /** Address to bind. @default {"127.0.0.1"} */
  hostname?: string;
  /** Port to bind; 0 lets the OS pick (read the real one from `server.addr`). @default {0} */
  port?: number;
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal;
  /** Disable Nagle's algorithm on accepted connections. @default {true} */
  noDelay?: boolean;
  /**
   * Told of each connection that failed while being accepted: its peer reset it first
   * (`ECONNABORTED`, `ENOTCONN`, `ECONNRESET`, `EPROTO`), a firewall refused it (`EPERM`), or
   * the process is out of descriptors (`EMFILE`, `ENFILE`; accepting then pauses for 100 ms).
   * The server goes on accepting either way. (A failure of the listening socket itself is not
   * told here: it closes the server and rejects `closed`.) Bun retries failed accepts inside
   * the runtime and never reports them, so the bun adapter never calls this.
   *
   * The default writes one line to stderr, at most once every 10 s per server, with the number
   * of failures since its previous line: never silent, and a flood of resets cannot flood the
   * log. Pass `() => {}` to ignore them. An exception it throws is rethrown outside the accept
   * loop (uncaught), which goes on.
   */
  onAcceptError?: (error: NetworkError) => void;
  /**
   * Serve TLS instead of plaintext: every connection completes a TLS handshake (within
   * `tls.handshakeTimeoutMs`) before `onConnection` sees it. A handshake that fails or times out
   * closes that connection and is told to `onAcceptError` as a `TlsError`; the server goes on.
   */
  tls?: TlsServerOptions;
}

/**
 * PEM text: a string, or its bytes as a file holds them (`await readFile(path)`), decoded as
 * UTF-8. DER is not accepted (Deno's TLS takes PEM only).
 */
export type Pem = string | Uint8Array;

/** TLS options of {@linkcode ListenOptions}. */
export interface TlsServerOptions {
  /** The server's certificate chain, PEM: its own certificate first, then any intermediates. */
  cert: Pem;
  /** The private key of the first certificate, PEM (PKCS #8, SEC 1 or PKCS #1; not encrypted). */
  key: Pem;
  /**
   * A connection whose TLS handshake has not completed after this many milliseconds is closed
   * (and told to `onAcceptError`): a peer that connects and stalls holds nothing for long.
   * @default {10000}
   */
  handshakeTimeoutMs?: number;
  /**
   * At most this many connections may be in their TLS handshake at once; one more closes the
   * oldest of them (told to `onAcceptError`). Honest handshakes take milliseconds, so the ones
   * that stall are the oldest: a flood of stalled handshakes costs bounded memory and leaves
   * room for honest clients.
   * @default {1024}
   */
  maxPendingHandshakes?: number;
}

/** TLS options of {@linkcode ConnectOptions}. */
export interface TlsClientOptions {
  /**
   * The certificates to trust, PEM (one string or file may hold several): when given, they are
   * the only ones trusted, the runtime's default store is not used. Pass a server's self-signed
   * certificate here to pin it. Omitted: the runtime's default store (public CAs).
   */
  ca?: Pem | readonly Pem[];
  /**
   * The name the server's certificate must carry (a DNS name or an IP literal, checked against
   * its subject alternative names), also sent as SNI when it is a DNS name.
   * @default the `hostname` connected to
   */
  serverName?: string;
  /**
   * The connect fails with `TlsError` (code `ETIMEDOUT`) when the TLS handshake has not
   * completed this many milliseconds after the TCP connection opened.
   * @default {10000}
   */
  handshakeTimeoutMs?: number;
}

/**
 * What a TLS connection offers for binding an authentication to it (channel binding), as far as
 * its runtime tells: docs/RUNTIME.md has the table per runtime and adapter.
 */
export interface TlsInfo {
  /** The negotiated protocol version, e.g. `"TLSv1.3"`; undefined where the runtime does not say. */
  readonly protocol: string | undefined;
  /** The peer's certificate, DER (a client sees the server's); undefined where not available. */
  readonly peerCertificate: Uint8Array | undefined;
  /** Our own certificate, DER (a server's, from its options); undefined for a client. */
  readonly localCertificate: Uint8Array | undefined;
  /**
   * RFC 5705 keying material exporter (`length` bytes for `label` and `context`; no context when
   * omitted, which TLS 1.3 treats as empty). Absent where the runtime has no exporter; throws
   * `ConnectionClosedError` once the connection is closed.
   */
  exporter?(label: string, length: number, context?: Uint8Array): Uint8Array;
}

/** Options of {@linkcode Adapter.connect}. */
export interface ConnectOptions {
  /** Host to connect to. @default {"127.0.0.1"} */
  hostname?: string;
  /** Port to connect to. */
  port: number;
  /** Aborting cancels a pending connect, or closes the connection once open. */
  signal?: AbortSignal;
  /** Disable Nagle's algorithm. @default {true} */
  noDelay?: boolean;
  /**
   * Speak TLS: the connect resolves once the handshake has completed and the server's
   * certificate was verified (else it rejects with `TlsError`).
   */
  tls?: TlsClientOptions;
}

/**
 * One TCP connection, plaintext or TLS (the same interface; `tls` says which). Iterating it yields the bytes as they arrive, until the peer closes its
 * side (EOF); chunks may be views into buffers the adapter reuses only if documented otherwise
 * (the node, deno and bun adapters never reuse them). Leaving a `for await` loop early (`break`,
 * a throw) closes the connection, as Deno's and Node's own sockets do. Once it has read EOF and
 * its own side is shut (`closeWrite()`), the connection closes itself.
 */
export interface TcpConnection extends AsyncIterable<Uint8Array>, AsyncDisposable {
  /**
   * The same bytes as the async iterator, as a Web byte stream: a BYOB reader
   * (`getReader({ mode: "byob" })`) reads into a buffer it can reuse. Use this or the iterator,
   * not both. Cancelling it closes the connection.
   */
  readonly readable: ReadableStream<Uint8Array>;
  /** Our end of the connection. */
  readonly localAddr: NetAddress;
  /** The peer's end of the connection. */
  readonly remoteAddr: NetAddress;
  /** What the TLS session offers (protocol, certificates, exporter); undefined for plaintext. */
  readonly tls: TlsInfo | undefined;
  /**
   * Writes every byte. Resolves once the runtime has taken all of them; while the peer is slow it
   * waits (backpressure) instead of buffering without bound. Rejects with
   * `ConnectionClosedError` if the connection is closed or reset.
   */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Writes several buffers in order, as one logical write: writes made while it waits come after
   * all of its bytes. Large buffers are not concatenated; adapters without a native writev copy
   * small ones together (in the deno adapter, parts under 16 KiB, up to 256 KiB in all).
   */
  writev(chunks: readonly Uint8Array[]): Promise<void>;
  /**
   * Half-close: the peer reads EOF; we can still read what it sends. Over TLS this sends
   * close_notify, then FIN (TLS 1.3 closes one direction so; every adapter keeps reading).
   */
  closeWrite(): Promise<void>;
  /** Closes both directions now. Idempotent. */
  close(): void;
  /** Turns Nagle's algorithm off (true) or on (false). */
  setNoDelay(noDelay: boolean): void;
  /** Resolves when the connection is fully closed, whoever closed it. */
  readonly closed: Promise<void>;
}

/** Options of {@linkcode TcpServer.close}. */
export interface ServerCloseOptions {
  /** Resolve only once every open connection has closed (they are not closed for you). */
  waitForConnections?: boolean;
}

/** A listening TCP server. Async dispose closes it and every open connection. */
export interface TcpServer extends AsyncDisposable {
  /** The bound address; for port 0 this holds the real port. */
  readonly addr: NetAddress;
  /** Stops accepting. Idempotent. Open connections stay open unless the caller closes them. */
  close(options?: ServerCloseOptions): Promise<void>;
  /** Connections currently open. */
  readonly connections: ReadonlySet<TcpConnection>;
  /**
   * Settles once the server has stopped listening. Resolves after `close()`, an abort or async
   * dispose; rejects with `ListenerError` (the runtime's error as `cause`) when the listening
   * socket failed and the server closed by itself: nothing else ends a server, so one that
   * stopped serving says so here, as far as its runtime tells (Node's and Bun's say nothing of
   * a listening socket destroyed under them; docs/RUNTIME.md). Open connections are not waited
   * for.
   *
   * A rejection nobody handles is reported by the runtime as an unhandled rejection, which ends
   * the process in Node, Deno and Bun: a long-running program should handle it (log, exit 1).
   */
  readonly closed: Promise<void>;
}

/** Called once per accepted connection; a rejection closes that connection only. */
export type ConnectionHandler = (conn: TcpConnection) => void | Promise<void>;

/** Options of {@linkcode Adapter.bindDatagram}. */
export interface DatagramOptions {
  /** Address to bind. @default {"127.0.0.1"} */
  hostname?: string;
  /** Port to bind; 0 lets the OS pick. @default {0} */
  port?: number;
  /** Aborting closes the socket. */
  signal?: AbortSignal;
  /**
   * Asks the kernel for a receive buffer of this many bytes (`SO_RCVBUF`): datagrams that arrive
   * while the program is busy wait there, and once it is full the kernel drops every datagram
   * that arrives, whoever sent it. A server that a burst can reach (a flood, a room of members)
   * wants more than the system's default; {@linkcode SERVER_RECEIVE_BUFFER_SIZE} is the
   * services' choice. Linux caps the request at `net.core.rmem_max` (root included: no adapter
   * uses `SO_RCVBUFFORCE`) and reserves twice the bytes granted, for its bookkeeping. Applied by
   * the node adapter in Node and Bun and by the bun adapter on Linux; Deno offers no way to set
   * it (neither `Deno.listenDatagram` nor its `node:dgram`), so there it is not applied. The
   * socket's `receiveBufferSize` tells what the kernel granted. An integer from 1 to 2³¹ − 1,
   * else `RangeError`.
   * @default the system's (`net.core.rmem_default` on Linux, usually 208 KiB)
   */
  receiveBufferSize?: number;
}

/**
 * The receive buffer the services ask for (`receiveBufferSize`) on their UDP sockets: 4 MiB, room
 * for some 4,000 small datagrams on Linux (about 1 KiB of kernel memory each), so that a burst
 * does not overflow the buffer while the server is busy. The kernel grants at most
 * `net.core.rmem_max`: raise it (`sysctl -w net.core.rmem_max=4194304`) where it is lower.
 */
export const SERVER_RECEIVE_BUFFER_SIZE = 4 * 1024 * 1024;

/** One received datagram. */
export interface Datagram {
  /** The whole datagram (never truncated, up to 65,507 bytes). */
  data: Uint8Array;
  /** Who sent it. */
  remote: NetAddress;
}

/** The largest UDP payload over IPv4: 65,535 − 8 (UDP header) − 20 (IP header). */
export const MAX_DATAGRAM_SIZE = 65_507;

/**
 * A bound UDP socket. Iterating it yields datagrams until it is closed; leaving a loop early does
 * not close it (iterate again to receive more). Datagrams nobody takes are queued up to a bound,
 * then dropped, as a full kernel buffer drops them.
 */
export interface DatagramSocket extends AsyncIterable<Datagram>, AsyncDisposable {
  /** The bound address; for port 0 this holds the real port. */
  readonly addr: NetAddress;
  /**
   * The socket's receive buffer in bytes as the kernel reports it once bound (on Linux twice
   * what it granted of `receiveBufferSize`, or of the system default); undefined where the
   * adapter cannot tell, which is where it cannot set it either (Deno).
   */
  readonly receiveBufferSize: number | undefined;
  /** Sends one datagram; more than {@linkcode MAX_DATAGRAM_SIZE} bytes is a `DatagramTooLargeError`. */
  send(bytes: Uint8Array, to: NetAddress): Promise<void>;
  /** Closes the socket and ends iteration. Idempotent. */
  close(): void;
}

/** Options of {@linkcode Adapter.spawn}: exactly one of `argv` and `shell`. */
export interface SpawnOptions {
  /** Program and arguments, run without a shell. */
  argv?: readonly string[];
  /** A command line for `/bin/sh -c`. */
  shell?: string;
  /** Working directory. */
  cwd?: string;
  /** Environment; default: inherit ours. */
  env?: Record<string, string>;
  /** Give the child a writable stdin pipe (else it reads /dev/null). @default {false} */
  stdin?: boolean;
  /** Kill the whole process group (SIGKILL) after this many milliseconds; then `timedOut` is true. */
  timeoutMs?: number;
  /** Aborting kills the whole process group (SIGKILL). */
  signal?: AbortSignal;
  /**
   * Tie the subprocess's life to ours: when this process dies, even by SIGKILL, the subprocess
   * and its process group (and its cgroup, see `cgroup`) are killed. A small watchdog (`/bin/sh`,
   * one per subprocess, in a session of its own) holds a pipe from us and kills them when the
   * pipe breaks; the child itself also gets `setpriv --pdeathsig KILL` (util-linux 2.33+) where
   * that is found, which covers the moment before the watchdog knows its pid. The parent-death
   * signal follows the thread that spawned: from a worker, the child dies with the worker. When
   * such a subprocess ends, whatever it left running in its group (or cgroup) is killed too:
   * nothing could kill it later. See docs/SECURITY.md.
   * @default {false}
   */
  dieWithParent?: boolean;
  /**
   * Run the subprocess in a cgroup v2 leaf of its own (Linux), created under this process's
   * cgroup and removed when it ends, so that processes which left its process group (`setsid`,
   * a double fork) are still killed with it: SIGKILL (timeout, abort, `kill("SIGKILL")`) goes to
   * the whole cgroup through `cgroup.kill`, and when the subprocess ends whatever remains in the
   * cgroup is killed. `"auto"` uses one when a writable cgroup v2 hierarchy with `cgroup.kill`
   * (Linux 5.14+) is found (`/sys/fs/cgroup/unified`, then `/sys/fs/cgroup`) and otherwise
   * runs without; `"required"` throws `SpawnError` instead; `"off"` never uses one.
   * @default {"off"}
   */
  cgroup?: "auto" | "required" | "off";
}

/** How a subprocess ended, normalised across runtimes. */
export interface ExitStatus {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** Signal name such as `"SIGTERM"`, or null when it exited by itself. */
  signal: string | null;
  /** True when our timeout killed it. */
  timedOut: boolean;
}

/** A running subprocess, in its own process group. */
export interface Subprocess extends AsyncDisposable {
  /** Process id (also its process group id). */
  readonly pid: number;
  /** Its standard output, as it arrives. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** Its standard error, as it arrives. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Writes to its stdin (only when spawned with `stdin: true`); waits when the pipe is full. */
  writeStdin(bytes: Uint8Array): Promise<void>;
  /** Closes its stdin. Idempotent. */
  closeStdin(): Promise<void>;
  /**
   * Sends a signal (default SIGTERM) to the whole process group. Idempotent; a no-op once
   * `status` has resolved (while a grandchild still holds the pipes, the group still gets it).
   */
  kill(signal?: string): void;
  /** Resolves once it has exited and its pipes are closed. */
  readonly status: Promise<ExitStatus>;
}

/** One runtime's implementation of TCP, UDP and subprocesses. */
export interface Adapter {
  /** Which implementation this is. */
  readonly name: AdapterName;
  /** Starts a TCP server; `onConnection` runs for each accepted connection. */
  listen(options: ListenOptions, onConnection: ConnectionHandler): Promise<TcpServer>;
  /** Opens a TCP connection. */
  connect(options: ConnectOptions): Promise<TcpConnection>;
  /** Binds a UDP socket. */
  bindDatagram(options: DatagramOptions): Promise<DatagramSocket>;
  /** Starts a subprocess in its own process group; throws `SpawnError` if it cannot start. */
  spawn(options: SpawnOptions): Subprocess;
}

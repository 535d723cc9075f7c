/**
 * Every default of the echo service, in one frozen object: the servers, the clients and the CLI
 * (its help shows them) read them here.
 *
 * @module
 */
import { DEFAULT_MAX_FRAME_LENGTH } from "../../framing/mod.ts";
import { DEFAULT_HOST, SERVER_RECEIVE_BUFFER_SIZE } from "../../runtime/mod.ts";

/** The defaults of the echo service, as {@linkcode ECHO_DEFAULTS} holds them. */
export interface EchoDefaults {
  /** The address servers bind and clients reach: loopback. */
  readonly hostname: string;
  /** The port, TCP and UDP, servers bind and clients reach, as in the tutorial. */
  readonly port: number;
  /** The length header of a frame: a 4-byte big-endian unsigned integer. */
  readonly header: string;
  /** The largest frame (or line) accepted, in bytes. */
  readonly maxFrameLength: number;
  /**
   * TCP connections a server serves at once. Each may hold about two `maxFrameLength` buffers
   * (one arriving, one whose reply waits for a slow reader), so a server's worst-case memory for
   * frames is about 2 × 128 × 8 MiB = 2 GiB at the defaults; lower either limit to lower it.
   */
  readonly maxConnections: number;
  /**
   * TCP connections served at once from one peer address, so that one host cannot take every
   * place (as sshd's `PerSourceMaxStartups`).
   */
  readonly maxConnectionsPerIp: number;
  /**
   * A TCP connection on which no frame completes for this long is closed, in ms (0: never); so is
   * one whose peer takes none of our replies for this long.
   */
  readonly idleTimeoutMs: number;
  /** A frame whose first bytes arrived must be complete this long after, in ms (0: no limit). */
  readonly frameTimeoutMs: number;
  /** How long a closing TCP server waits for frames in flight, in ms. */
  readonly graceMs: number;
  /** How long a request waits for its reply, in ms (a UDP datagram may be lost). */
  readonly timeoutMs: number;
  /**
   * UDP: datagrams per second answered per source host (IP address). Far above what a person
   * types, and what bounds a loop between two echo servers (or a reflection aimed at a victim)
   * to this rate instead of all the CPU and bandwidth there is.
   */
  readonly udpRate: number;
  /** UDP: datagrams a quiet source host may have answered at once. */
  readonly udpBurst: number;
  /**
   * UDP: the kernel receive buffer (`SO_RCVBUF`) the server asks for, in bytes: where datagrams
   * wait while it is busy, so that a burst does not make the kernel drop honest ones
   * ({@linkcode SERVER_RECEIVE_BUFFER_SIZE}, 4 MiB; not settable in Deno).
   */
  readonly udpReceiveBufferSize: number;
}

/**
 * The defaults of the echo service: what {@linkcode serveEcho}, {@linkcode serveEchoUdp},
 * {@linkcode connectEcho} and {@linkcode connectEchoUdp} use for an option left out.
 *
 * @example
 * ```ts
 * import { ECHO_DEFAULTS } from "@unstuck/unstuck";
 * console.log(ECHO_DEFAULTS.port, ECHO_DEFAULTS.maxConnections); // 8080 128
 * ```
 */
export const ECHO_DEFAULTS: EchoDefaults = Object.freeze({
  hostname: DEFAULT_HOST,
  port: 8080,
  header: "!I",
  maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
  maxConnections: 128,
  maxConnectionsPerIp: 16,
  idleTimeoutMs: 60_000,
  frameTimeoutMs: 30_000,
  graceMs: 5_000,
  timeoutMs: 5_000,
  udpRate: 100,
  udpBurst: 200,
  udpReceiveBufferSize: SERVER_RECEIVE_BUFFER_SIZE,
});

/**
 * Every default of the exec service, in one frozen object: the server, the client and the CLI
 * (its help shows them) read them here.
 *
 * @module
 */
import { DEFAULT_HOST } from "../../runtime/mod.ts";
import { EXEC_DEFAULT_PORT } from "./protocol/mod.ts";

/** The defaults of the exec service, as {@linkcode EXEC_DEFAULTS} holds them. */
export interface ExecDefaults {
  /** The address the server binds and clients reach: loopback. */
  readonly hostname: string;
  /** The TCP port the server binds and clients reach. */
  readonly port: number;
  /** The server's time limit per command, in ms (30 s). */
  readonly timeoutMs: number;
  /** The most stdout + stderr bytes the server sends per command (64 MiB). */
  readonly maxOutputBytes: number;
  /** How long a new connection may take to authenticate, in ms. */
  readonly handshakeTimeoutMs: number;
  /** The server's delay before answering a wrong MAC, in ms. */
  readonly authFailureDelayMs: number;
  /** The least time from a client's `auth` to the server's `ready`, in ms. */
  readonly readySettleMs: number;
  /** Connections allowed to be authenticating at once. */
  readonly maxPendingHandshakes: number;
  /** How long a connection must have been authenticating before a newcomer may displace it, in ms. */
  readonly handshakeDisplaceAfterMs: number;
  /** Connections one address may have authenticating at once (sshd's `PerSourceMaxStartups`). */
  readonly maxPendingHandshakesPerIp: number;
  /** Connections served at once from one address, authenticated or not. */
  readonly maxConnectionsPerIp: number;
  /** Failed handshakes from one address within `penaltyWindowMs` that make it wait. */
  readonly penaltyFailures: number;
  /** The window in which an address's failed handshakes are counted, in ms. */
  readonly penaltyWindowMs: number;
  /** An address's first wait after failed handshakes, in ms; each further one doubles. */
  readonly penaltyMs: number;
  /** The longest wait, in ms; an address quiet this long starts afresh. */
  readonly penaltyMaxMs: number;
  /**
   * A connection on which no frame completes for this long, while no command runs, is closed, in
   * ms (0: never). It does not run while a command runs, however long and silent.
   */
  readonly idleTimeoutMs: number;
  /** A frame whose first bytes arrived must be complete this long after, in ms (0: no limit). */
  readonly frameTimeoutMs: number;
  /** How long a client may take to connect and authenticate, retries included, in ms. */
  readonly connectTimeoutMs: number;
  /** Whether each command runs in a cgroup v2 leaf: where one is writable (`"auto"`). */
  readonly cgroup: "auto" | "required" | "off";
}

/**
 * The defaults of the exec service: what {@linkcode serveExec} and {@linkcode ExecClient.connect}
 * use for an option left out.
 *
 * @example
 * ```ts
 * import { EXEC_DEFAULTS } from "@unstuck/unstuck";
 * console.log(EXEC_DEFAULTS.port, EXEC_DEFAULTS.timeoutMs); // 8082 30000
 * ```
 */
export const EXEC_DEFAULTS: ExecDefaults = Object.freeze({
  hostname: DEFAULT_HOST,
  port: EXEC_DEFAULT_PORT,
  timeoutMs: 30_000,
  maxOutputBytes: 64 * 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  authFailureDelayMs: 250,
  readySettleMs: 10,
  maxPendingHandshakes: 64,
  handshakeDisplaceAfterMs: 1_000,
  maxPendingHandshakesPerIp: 4,
  maxConnectionsPerIp: 16,
  penaltyFailures: 3,
  penaltyWindowMs: 10_000,
  penaltyMs: 1_000,
  penaltyMaxMs: 60_000,
  idleTimeoutMs: 60_000,
  frameTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  cgroup: "auto",
});

/**
 * Every default of the chat service, in one frozen object: the room, its server, the client and
 * the CLI (its help shows them) read them here.
 *
 * @module
 */
import { DEFAULT_HOST, SERVER_RECEIVE_BUFFER_SIZE } from "../../runtime/mod.ts";

/** The defaults of the chat service, as {@linkcode CHAT_DEFAULTS} holds them. */
export interface ChatDefaults {
  /** The address the room binds and members reach: loopback. */
  readonly hostname: string;
  /** The room's UDP port, as in the tutorial. */
  readonly port: number;
  /** Members silent this long are dropped, in ms (300 s). */
  readonly idleMs: number;
  /** The most members in a room at once. */
  readonly maxPeers: number;
  /** The most members from one host (IP address) at once: one host cannot fill the room. */
  readonly maxPeersPerHost: number;
  /**
   * Datagrams (lines) per second each member, and each address that is no member, may send:
   * well above typing, and what keeps one flooding member from drowning the others. The burst is
   * twice this.
   */
  readonly rate: number;
  /** A member that sent nothing for this long sends an empty datagram, in ms (60 s). */
  readonly keepaliveMs: number;
  /** How long a member leaving waits for the replies to what it sent, in ms. */
  readonly leaveTimeoutMs: number;
  /**
   * The kernel receive buffer (`SO_RCVBUF`) the room asks for, in bytes: where datagrams wait
   * while the room is busy relaying, so that a burst (a flood) does not make the kernel drop
   * honest lines ({@linkcode SERVER_RECEIVE_BUFFER_SIZE}, 4 MiB; not settable in Deno).
   */
  readonly receiveBufferSize: number;
}

/**
 * The defaults of the chat service: what {@linkcode ChatRoom}, {@linkcode serveChat} and
 * {@linkcode joinChat} use for an option left out.
 *
 * @example
 * ```ts
 * import { CHAT_DEFAULTS } from "@unstuck/unstuck";
 * console.log(CHAT_DEFAULTS.port, CHAT_DEFAULTS.idleMs); // 8081 300000
 * ```
 */
export const CHAT_DEFAULTS: ChatDefaults = Object.freeze({
  hostname: DEFAULT_HOST,
  port: 8081,
  idleMs: 300_000,
  maxPeers: 1024,
  maxPeersPerHost: 16,
  rate: 20,
  keepaliveMs: 60_000,
  leaveTimeoutMs: 2_000,
  receiveBufferSize: SERVER_RECEIVE_BUFFER_SIZE,
});

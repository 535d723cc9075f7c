/**
 * The UDP chat server: a {@linkcode ChatRoom} on a datagram socket, with a timer for idle expiry.
 *
 * @module
 */
import {
  type AdapterChoice,
  bindDatagram,
  isLoopback,
  type NetAddress,
} from "../../runtime/mod.ts";
import { CHAT_DEFAULTS } from "./defaults.ts";
import { type ServerHandle, serverHandle } from "../handle.ts";
import { type ChatDropReason, type ChatPacket, ChatRoom } from "./room.ts";
import { timerDelay } from "../timeout.ts";

/**
 * Datagrams queued for sending before the room stops reading until they are out: four
 * broadcasts to a full room, and a bound on the memory they hold.
 */
const MAX_SEND_BACKLOG = 4 * 1024;

/** Options of {@linkcode serveChat}. */
export interface ChatServerOptions extends AdapterChoice {
  /** Address to bind. @default {CHAT_DEFAULTS.hostname} */
  hostname?: string;
  /** Port to bind; 0 lets the OS pick. @default {CHAT_DEFAULTS.port} */
  port?: number;
  /** Peers silent this long (ms) are dropped. @default {CHAT_DEFAULTS.idleMs} */
  idleMs?: number;
  /** The most peers at once. @default {CHAT_DEFAULTS.maxPeers} */
  maxPeers?: number;
  /** The most peers from one host at once. @default {CHAT_DEFAULTS.maxPeersPerHost} */
  maxPeersPerHost?: number;
  /** Datagrams per second each address may send; more are dropped. @default {CHAT_DEFAULTS.rate} */
  rate?: number;
  /** Datagrams an address may send at once. @default {2 × rate} */
  burst?: number;
  /**
   * The kernel receive buffer (`SO_RCVBUF`) to ask for, in bytes: datagrams arriving while the
   * room relays wait there, and once it is full the kernel drops every datagram, honest lines
   * included. Capped by the system (`net.core.rmem_max` on Linux); Deno cannot set it (see
   * {@linkcode ChatServer.receiveBufferSize}). An integer from 1 to 2³¹ − 1, else `RangeError`.
   * @default {CHAT_DEFAULTS.receiveBufferSize}
   */
  receiveBufferSize?: number;
  /**
   * Enrol only addresses that prove they receive the room's datagrams (a join cookie round
   * trip; see {@linkcode ChatRoom}). On by default when the room binds an address others can
   * reach, where forged sources can make the room flood a victim; off on loopback, where only
   * this machine's users can reach it and the tutorial's client joins by just talking.
   * @default {true unless `hostname` is loopback}
   */
  verify?: boolean;
  /** Called for each datagram the room drops without acting on it. @default {nothing} */
  onDrop?: (reason: ChatDropReason, peer: NetAddress) => void;
  /** Called with every line that goes to the whole room (a transcript). */
  onLine?: (line: string) => void;
  /** Told when a datagram cannot be sent; the room goes on. @default {nothing} */
  onError?: (error: Error, peer: NetAddress) => void;
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal;
}

/** A running chat server, from {@linkcode serveChat}. */
export interface ChatServer extends ServerHandle {
  /** The room's state (read it; feed it only through the server). */
  readonly room: ChatRoom;
  /**
   * Sends `server: T` to everyone in the room; rejects with `UnsafeTextError` for text holding a
   * control character, and `RangeError` for text too long for one datagram.
   */
  announce(text: string): Promise<void>;
  /**
   * The room socket's receive buffer as the kernel reports it (on Linux twice the bytes granted,
   * which `net.core.rmem_max` caps); undefined where the runtime can neither set nor tell it
   * (Deno: the option is not applied, the system's default holds).
   */
  readonly receiveBufferSize: number | undefined;
}

/**
 * Starts a UDP chat room (see {@linkcode ChatRoom} for its rules).
 *
 * @example
 * ```ts
 * import { formatAddress, serveChat } from "@unstuck/unstuck";
 *
 * await using server = await serveChat({ port: 0, onLine: console.log });
 * console.log(`chat on udp://${formatAddress(server.addr)}`);
 * ```
 */
export async function serveChat(options: ChatServerOptions = {}): Promise<ChatServer> {
  const { onError } = options;
  const hostname = options.hostname ?? CHAT_DEFAULTS.hostname;
  const socket = await bindDatagram({
    hostname,
    port: options.port ?? CHAT_DEFAULTS.port,
    adapter: options.adapter,
    receiveBufferSize: options.receiveBufferSize ?? CHAT_DEFAULTS.receiveBufferSize,
  });
  let room: ChatRoom;
  try {
    room = new ChatRoom({
      idleMs: options.idleMs,
      maxPeers: options.maxPeers,
      maxPeersPerHost: options.maxPeersPerHost,
      rate: options.rate,
      burst: options.burst,
      verify: options.verify ?? !isLoopback(hostname),
      self: socket.addr,
      onLine: options.onLine,
      onDrop: options.onDrop,
    });
  } catch (error) {
    socket.close();
    throw error;
  }

  // Sends go out one batch at a time, in order, so every peer sees the room's lines in one order.
  let sending: Promise<void> = Promise.resolve();
  // Datagrams waiting to be sent: the receive loop goes on reading while they go out (a socket
  // not read is one whose kernel buffer overflows under a burst), up to this backlog.
  let backlog = 0;
  const send = (packets: ChatPacket[]): Promise<void> => {
    if (packets.length === 0) return sending;
    backlog += packets.length;
    sending = sending.then(async () => {
      for (const { to, data } of packets) {
        try {
          await socket.send(data, to);
        } catch (error) {
          onError?.(error instanceof Error ? error : new Error(String(error)), to);
        }
        backlog--;
      }
    });
    return sending;
  };

  // One timer, armed for the least recently active peer; firing early only costs a check.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const arm = (): void => {
    const due = stopped ? undefined : room.nextExpiry();
    timer = due === undefined ? undefined : setTimeout(() => {
      void send(room.expire());
      arm();
    }, timerDelay(Math.max(0, due - Date.now()) + 1));
  };

  const loop = (async () => {
    for await (const { data, remote } of socket) {
      // A dropped datagram (over a limit, forged) waits for nothing.
      const packets = room.receive(data, remote);
      const sent = send(packets);
      if (backlog > MAX_SEND_BACKLOG) await sent;
      if (timer === undefined) arm();
    }
  })();

  const handle = serverHandle(socket.addr, async () => {
    stopped = true;
    clearTimeout(timer);
    await sending;
    socket.close();
    await loop;
  }, options.signal);
  return Object.assign(handle, {
    room,
    receiveBufferSize: socket.receiveBufferSize,
    announce: async (text: string): Promise<void> => await send(room.announce(text)),
  });
}

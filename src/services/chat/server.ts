/**
 * The UDP chat server: a {@linkcode ChatRoom} on a datagram socket, with a timer for idle expiry.
 *
 * @module
 */
import { type AdapterChoice, bindDatagram, type NetAddress } from "../../runtime/mod.ts";
import { CHAT_DEFAULTS } from "./defaults.ts";
import { type ServerHandle, serverHandle } from "../handle.ts";
import { type ChatPacket, ChatRoom } from "./room.ts";
import { timerDelay } from "../timeout.ts";

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
  /** Sends `server: T` to everyone in the room. */
  announce(text: string): Promise<void>;
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
  const room = new ChatRoom({
    idleMs: options.idleMs,
    maxPeers: options.maxPeers,
    onLine: options.onLine,
  });
  const socket = await bindDatagram({
    hostname: options.hostname ?? CHAT_DEFAULTS.hostname,
    port: options.port ?? CHAT_DEFAULTS.port,
    adapter: options.adapter,
  });

  // Sends go out one batch at a time, in order, so every peer sees the room's lines in one order.
  let sending: Promise<void> = Promise.resolve();
  const send = (packets: ChatPacket[]): Promise<void> => {
    if (packets.length === 0) return sending;
    sending = sending.then(async () => {
      for (const { to, data } of packets) {
        try {
          await socket.send(data, to);
        } catch (error) {
          onError?.(error instanceof Error ? error : new Error(String(error)), to);
        }
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
      await send(room.receive(data, remote));
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
    announce: (text: string): Promise<void> => send(room.announce(text)),
  });
}

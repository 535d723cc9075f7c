/**
 * A chat room member: sends lines, and yields every line the room sends, as it arrives.
 *
 * @module
 */
import {
  type AdapterChoice,
  ConnectionClosedError,
  isIpLiteral,
  type NetAddress,
  sameHost,
} from "../../runtime/mod.ts";
import { openUdpClientSocket } from "../udp_client_socket.ts";
import { CHAT_DEFAULTS } from "./defaults.ts";
import { timerDelay } from "../timeout.ts";
import {
  CHAT_IDLE_NOTICE,
  CHAT_JOIN_COMMAND,
  CHAT_JOINED_PREFIX,
  isQuitCommand,
  parseChatCommand,
  parseJoinChallenge,
} from "./room.ts";

/** Options of {@linkcode joinChat}. */
export interface ChatClientOptions extends AdapterChoice {
  /** The room's host. @default {CHAT_DEFAULTS.hostname} */
  hostname?: string;
  /** The room's port. @default {CHAT_DEFAULTS.port} */
  port?: number;
  /** A name to take at once with `/nick`. @default {the address, as the room names it} */
  name?: string;
  /**
   * Sends a keepalive (`/join`) after this long without sending anything, so the room does not
   * drop a member who only listens (and a room that forgot it greets it again); 0 turns it off. Keep it below the room's idle limit (`idleMs` of
   * {@linkcode serveChat}). @default {CHAT_DEFAULTS.keepaliveMs}
   */
  keepaliveMs?: number;
}

/**
 * A member of a chat room, from {@linkcode joinChat}. Iterate it for the room's lines; datagrams
 * that do not come from the room's address are dropped.
 *
 * It joins with `/join` (padded, so that a room that verifies addresses can afford to answer
 * with a join cookie, within 3× what it got) and answers the room's cookie by itself
 * (`/join COOKIE`), sending again what it sent before it was let in; the cookie line is not
 * yielded.
 *
 * While it is iterated, it keeps its place: if the room drops it for silence anyway (the line
 * {@linkcode CHAT_IDLE_NOTICE}, which is yielded too), it joins again (at once, and at most once
 * a second) and takes back the name the room last confirmed (`* you are now NAME`), so its next
 * lines do not go out under its bare address. That holds with `keepaliveMs: 0` too: the room
 * then drops a silent member and announces its return. If the room forgot it (restarted), the
 * next datagram it sends — a keepalive or a line, which then goes out under its address — joins
 * it afresh (`* you joined as host:port`, {@linkcode CHAT_JOINED_PREFIX}) and it takes its name
 * back the same way.
 */
export interface ChatClient extends AsyncIterable<string>, AsyncDisposable {
  /** Our bound address. */
  readonly localAddr: NetAddress;
  /** The room's address, as given (or defaulted). */
  readonly remoteAddr: NetAddress;
  /**
   * Sends one line (or a command such as `/who`) to the room. `/quit` leaves, as
   * {@linkcode ChatClient.close} does (and, like it, does nothing more once the client has left).
   *
   * @throws {ConnectionClosedError} for any other line once the client has left (closed, or
   * sent `/quit`)
   */
  send(text: string): Promise<void>;
  /**
   * Leaves the room once the replies to everything sent so far have arrived, then closes, as
   * {@linkcode ChatClient.close} does: sends a `/who` as a marker and waits until its reply (which
   * is not yielded) has come through the iteration. The room answers in order, so every line that
   * what was sent before caused has been yielded by then. Waits at most `timeoutMs` (UDP may lose
   * the marker or its reply); replies come only while the client is iterated.
   */
  leave(options?: ChatLeaveOptions): Promise<void>;
  /** Leaves the room at once (`/quit`) and closes the socket; iteration ends. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@linkcode ChatClient.leave}. */
export interface ChatLeaveOptions {
  /** The longest wait for the replies, in ms. @default {CHAT_DEFAULTS.leaveTimeoutMs} */
  timeoutMs?: number;
}

const encoder = new TextEncoder();
/** The room's reply to a `/nick` that worked; only the room writes lines starting with `* `. */
const CONFIRMED = "* you are now ";
/** How the room's reply to a `/nick` that failed (and to other bad requests) starts. */
const REFUSED = "* error: ";
/** Joining again (after an idle drop or a room restart) happens at most this often, in ms. */
const REJOIN_INTERVAL_MS = 1_000;
/** A `/nick` unanswered for this long, in ms, counts as lost (UDP). */
const NICK_ANSWER_MS = 2_000;
/**
 * The first datagram, and the keepalive: `/join`, padded with spaces (which the room ignores) to
 * 16 bytes, so that the cookie line of a room that verifies (35 bytes) fits in 3× its size.
 */
const HELLO = encoder.encode(CHAT_JOIN_COMMAND.padEnd(16, " "));
/** Lines sent before the room let us in are kept (this many at most) to send again after. */
const MAX_UNCONFIRMED = 64;

/** Whether `line` ends the room's reply to a `/who`: its only line, or its last part. */
function isWhoReplyEnd(line: string): boolean {
  return line.startsWith("* in room: ") || /^\* in room \((\d+)\/\1, complete\): /.test(line);
}

/** Whether the room reads `text` as `/who`, which it answers with one list (maybe in parts). */
function isWho(text: string): boolean {
  const command = parseChatCommand(text);
  return command?.word === "/who" && command.rest === "";
}

/**
 * Joins a UDP chat room ({@linkcode serveChat}, or `unstuck chat serve`).
 *
 * @example
 * ```ts
 * import { joinChat, serveChat } from "@unstuck/unstuck";
 *
 * await using server = await serveChat({ port: 0 });
 * await using alice = await joinChat({ port: server.addr.port, name: "alice" });
 * for await (const line of alice) {
 *   console.log(line); // "* you are now alice"
 *   break;
 * }
 * await alice.send("/quit"); // leaves, as alice.close() does
 * ```
 */
export async function joinChat(options: ChatClientOptions = {}): Promise<ChatClient> {
  const hostname = options.hostname ?? CHAT_DEFAULTS.hostname;
  const room: NetAddress = { hostname, port: options.port ?? CHAT_DEFAULTS.port };
  const keepaliveMs = options.keepaliveMs ?? CHAT_DEFAULTS.keepaliveMs;
  const socket = await openUdpClientSocket(room, options.adapter);
  const decoder = new TextDecoder();
  let closed = false;
  let keepalive: ReturnType<typeof setTimeout> | undefined;
  const rearm = (): void => {
    clearTimeout(keepalive);
    if (keepaliveMs > 0 && !closed) {
      keepalive = setTimeout(() => void send(HELLO).catch(() => {}), timerDelay(keepaliveMs));
    }
  };
  // Until the room says anything but its cookie line, what we send may be dropped (a room that
  // verifies): kept here, to be sent again once the cookie went back.
  let joining = true;
  let unconfirmed: Uint8Array[] = [];
  let answered: { line: string; at: number } | undefined;
  // When the last `/nick` went out, until the room answers it: the room's join notice before
  // that answer needs none of ours, since the `/nick` settles the name.
  let nickSentAt: number | undefined;
  const send = async (data: Uint8Array, isNick = false, keep = false): Promise<void> => {
    if (closed) throw new ConnectionClosedError("the chat client has left the room");
    if (isNick) nickSentAt = performance.now();
    if (keep && joining && unconfirmed.push(data) > MAX_UNCONFIRMED) unconfirmed.shift();
    await socket.send(data, room);
    rearm();
  };
  // The room's cookie: send it back, then what it dropped (once per cookie line and second).
  const answer = (line: string): void => {
    const now = performance.now();
    if (closed || (answered?.line === line && now - answered.at < REJOIN_INTERVAL_MS)) return;
    answered = { line, at: now };
    void (async () => {
      await send(encoder.encode(line));
      for (const data of unconfirmed) await send(data);
    })().catch(() => {});
  };
  const nickInFlight = (): boolean =>
    nickSentAt !== undefined && performance.now() - nickSentAt < NICK_ANSWER_MS;
  await send(HELLO);
  if (options.name !== undefined) {
    await send(encoder.encode(`/nick ${options.name}`), true, true);
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true;
      clearTimeout(keepalive);
      clearTimeout(rejoinTimer);
      await socket.send(encoder.encode("/quit"), room).catch(() => {});
      socket.close();
    })();
    return closing;
  };
  // The name the room last confirmed, to take back if it drops us.
  let name: string | undefined;
  let lastRejoin = -Infinity;
  let rejoinTimer: ReturnType<typeof setTimeout> | undefined;
  const rejoinNow = (): void => {
    rejoinTimer = undefined;
    if (closed) return;
    lastRejoin = performance.now();
    joining = true;
    void (async () => {
      await send(HELLO);
      if (name !== undefined) await send(encoder.encode(`/nick ${name}`), true, true);
    })().catch(() => {});
  };
  // At most once per interval, so a room with a tiny idle limit (or a flood of notices) cannot
  // make the client loop.
  const rejoin = (): void => {
    if (rejoinTimer !== undefined) return;
    const wait = lastRejoin + REJOIN_INTERVAL_MS - performance.now();
    if (wait <= 0) rejoinNow();
    else rejoinTimer = setTimeout(rejoinNow, wait);
  };
  // Replies come from the room's port; from its address too, when we were given an IP.
  const fromRoom = (remote: NetAddress): boolean =>
    remote.port === room.port && (!isIpLiteral(hostname) || sameHost(remote.hostname, hostname));
  // `/who`s sent and answered, so that leave() tells its marker's reply from the user's own.
  let whoSent = 0;
  let whoAnswered = 0;
  let marker: { count: number; heard: () => void } | undefined;
  const sendText = (text: string): Promise<void> => {
    if (isQuitCommand(text)) return close();
    if (isWho(text) && !closed) whoSent++;
    return send(encoder.encode(text), parseChatCommand(text)?.word === "/nick", true);
  };
  let leaving: Promise<void> | undefined;
  const leave = (leaveOptions: ChatLeaveOptions = {}): Promise<void> =>
    leaving ??= (async () => {
      const timeoutMs = leaveOptions.timeoutMs ?? CHAT_DEFAULTS.leaveTimeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answered = new Promise<void>((resolve) => {
        marker = { count: whoSent + 1, heard: resolve };
        timer = setTimeout(resolve, timerDelay(timeoutMs));
      });
      try {
        if (!closed) {
          await sendText("/who");
          await answered;
        }
      } finally {
        clearTimeout(timer);
        await close();
      }
    })();
  return {
    localAddr: socket.addr,
    remoteAddr: { ...room },
    send: sendText,
    leave,
    close,
    async *[Symbol.asyncIterator](): AsyncGenerator<string> {
      for await (const { data, remote } of socket) {
        if (!fromRoom(remote)) continue;
        const line = decoder.decode(data);
        const cookieLine = parseJoinChallenge(line);
        if (cookieLine !== undefined) {
          answer(cookieLine);
          continue;
        }
        joining = false;
        unconfirmed = [];
        if (isWhoReplyEnd(line) && ++whoAnswered === marker?.count) {
          marker.heard();
          continue;
        }
        if (line.startsWith(CONFIRMED)) {
          name = line.slice(CONFIRMED.length);
          nickSentAt = undefined;
        } else if (line.startsWith(REFUSED)) nickSentAt = undefined;
        else if (line === CHAT_IDLE_NOTICE && !closed) rejoin();
        else if (
          line.startsWith(CHAT_JOINED_PREFIX) && name !== undefined && !nickInFlight() && !closed
        ) rejoin();
        yield line;
      }
    },
    [Symbol.asyncDispose]: close,
  };
}

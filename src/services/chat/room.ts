/**
 * The chat room as a pure state machine: a datagram from an address goes in, the datagrams to
 * send come out. It owns no socket and no timer, so every rule (joins, `/nick`, `/who`, `/quit`,
 * errors, idle expiry, the peer limit) is testable without a network and runs on any runtime.
 *
 * @module
 */
import { formatAddress, MAX_DATAGRAM_SIZE, type NetAddress } from "../../runtime/mod.ts";
import { CHAT_DEFAULTS } from "./defaults.ts";

/** Options of {@linkcode ChatRoom}. */
export interface ChatRoomOptions {
  /** Peers silent for this many milliseconds are dropped. @default {CHAT_DEFAULTS.idleMs} */
  idleMs?: number;
  /**
   * The most peers at once; a new address beyond it gets `* error: room full`.
   * @default {CHAT_DEFAULTS.maxPeers}
   */
  maxPeers?: number;
  /** The clock, in milliseconds. @default {Date.now} */
  now?: () => number;
  /** Called with every line that goes to the whole room (a transcript, e.g. for a log). */
  onLine?: (line: string) => void;
}

/** One datagram the room wants sent. */
export interface ChatPacket {
  /** Where to send it. */
  to: NetAddress;
  /** The UTF-8 encoded line. */
  data: Uint8Array;
}

/** A peer in the room, as {@linkcode ChatRoom.peers} reports it. */
export interface ChatPeer {
  /** Its name: `host:port` until it sets one with `/nick`. */
  name: string;
  /** Its address. */
  address: NetAddress;
  /** When it last sent anything, by the room's clock. */
  lastSeen: number;
}

/** The longest name `/nick` accepts, in characters. */
export const MAX_NICK_LENGTH = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function checkNick(nick: string): string | undefined {
  const length = [...nick].length;
  if (length < 1 || length > MAX_NICK_LENGTH) {
    return `a name has 1 to ${MAX_NICK_LENGTH} characters`;
  }
  // deno-lint-ignore no-control-regex -- control characters are exactly what is refused
  if (/[\s\x00-\x1f\x7f]/u.test(nick)) return "a name has no spaces or control characters";
  // A colon would make `name: text` lines ambiguous and let a name pose as an address.
  if (nick.includes(":")) return "a name has no ':'";
  if (nick === "server") return "the name 'server' is reserved";
  // `* you left (idle)` about a peer named "you" would read as a client's own idle notice.
  if (nick === "you") return "the name 'you' is reserved";
  return undefined;
}

/**
 * The line a peer gets when the room drops it for silence (the others get `* N left (idle)`).
 * {@linkcode joinChat} answers it by joining again under its name.
 *
 * @example
 * ```ts
 * import { CHAT_IDLE_NOTICE } from "@unstuck/unstuck";
 *
 * const line: string = "* you left (idle)";
 * if (line === CHAT_IDLE_NOTICE) console.log("the room dropped us; any datagram joins again");
 * ```
 */
export const CHAT_IDLE_NOTICE = "* you left (idle)";

/**
 * How the line starts that a newcomer gets when a datagram joins it: `* you joined as KEY`, KEY
 * being its `host:port` (the others get `* KEY joined`). A client that had a name hears from it
 * that the room forgot it (a restart, say); {@linkcode joinChat} then takes its name back.
 *
 * @example
 * ```ts
 * import { CHAT_JOINED_PREFIX } from "@unstuck/unstuck";
 *
 * const line: string = "* you joined as 127.0.0.1:5001";
 * if (line.startsWith(CHAT_JOINED_PREFIX)) console.log(line.slice(CHAT_JOINED_PREFIX.length));
 * ```
 */
export const CHAT_JOINED_PREFIX = "* you joined as ";

/**
 * Splits a command as the room reads it: the first word, and the rest trimmed; undefined when
 * `text` is no command (it does not start with `/`). One trailing newline is ignored, as the room
 * ignores it.
 *
 * @example
 * ```ts
 * import { parseChatCommand } from "./room.ts";
 *
 * console.log(parseChatCommand("/nick  alice\n")); // { word: "/nick", rest: "alice" }
 * console.log(parseChatCommand("hello")); // undefined
 * ```
 */
export function parseChatCommand(text: string): { word: string; rest: string } | undefined {
  text = text.replace(/\r?\n$/, "");
  if (!text.startsWith("/")) return undefined;
  const word = text.split(/\s/u, 1)[0];
  return { word, rest: text.slice(word.length).trim() };
}

/**
 * Whether the room reads `text` as `/quit`: leaving, with no arguments.
 *
 * @example
 * ```ts
 * import { isQuitCommand } from "@unstuck/unstuck";
 *
 * console.log(isQuitCommand("/quit\n"), isQuitCommand("/quit now")); // true false
 * ```
 */
export function isQuitCommand(text: string): boolean {
  const command = parseChatCommand(text);
  return command?.word === "/quit" && command.rest === "";
}

/**
 * A UDP chat room. Feed it every datagram with {@linkcode ChatRoom.receive} and send what it
 * returns; call {@linkcode ChatRoom.expire} when {@linkcode ChatRoom.nextExpiry} comes.
 *
 * Rules: any datagram from a new address joins it (it gets `* you joined as N`, the others
 * `* N joined`); plain text T from N goes to everyone, N included, as `N: T`; `/nick NEW`,
 * `/who` and `/quit` work as in IRC; anything else starting with `/`, and bytes that are not
 * UTF-8, get `* error: …` back and change nothing. An empty datagram only joins or keeps the
 * peer alive. A peer silent for the idle limit is dropped and told so
 * ({@linkcode CHAT_IDLE_NOTICE}); its next datagram joins it again, under its address until it
 * sends `/nick` again. One trailing newline is ignored, and each further line of a message gets
 * its own `N: ` prefix, so nobody can fake a line from someone else.
 *
 * @example Two peers talk
 * ```ts
 * import { ChatRoom } from "@unstuck/unstuck";
 *
 * const room = new ChatRoom();
 * const alice = { hostname: "127.0.0.1", port: 5001 };
 * room.receive(new TextEncoder().encode("/nick alice"), alice);
 * const out = room.receive(new TextEncoder().encode("hi"), alice);
 * console.log(new TextDecoder().decode(out[0].data)); // "alice: hi"
 * ```
 */
export class ChatRoom {
  readonly #idleMs: number;
  readonly #maxPeers: number;
  readonly #now: () => number;
  readonly #onLine: ((line: string) => void) | undefined;
  /** Peers by address key, least recently active first (re-inserted on every datagram). */
  readonly #peers = new Map<string, ChatPeer>();
  /** Names in use, peer names and reserved ones alike, to their address key. */
  readonly #names = new Map<string, string>();

  /** Creates an empty room. */
  constructor(options: ChatRoomOptions = {}) {
    const { idleMs = CHAT_DEFAULTS.idleMs, maxPeers = CHAT_DEFAULTS.maxPeers } = options;
    if (!(idleMs > 0)) throw new RangeError(`idleMs must be positive, got ${idleMs}`);
    if (!Number.isSafeInteger(maxPeers) || maxPeers < 1) {
      throw new RangeError(`maxPeers must be a positive integer, got ${maxPeers}`);
    }
    this.#idleMs = idleMs;
    this.#maxPeers = maxPeers;
    this.#now = options.now ?? Date.now;
    this.#onLine = options.onLine;
  }

  /** How many peers are in the room. */
  get size(): number {
    return this.#peers.size;
  }

  /** The peers, least recently active first. */
  peers(): ChatPeer[] {
    return [...this.#peers.values()].map((p) => ({ ...p, address: { ...p.address } }));
  }

  /** When the least recently active peer will be due for expiry, or undefined when empty. */
  nextExpiry(): number | undefined {
    const first = this.#peers.values().next();
    return first.done ? undefined : first.value.lastSeen + this.#idleMs;
  }

  /** Handles one datagram from `from` and returns the datagrams to send in reply. */
  receive(data: Uint8Array, from: NetAddress): ChatPacket[] {
    const key = formatAddress(from);
    // The sender is active now: a datagram that beats the expiry timer keeps its place (and name).
    this.#touch(key);
    const out = this.expire();
    let text: string;
    try {
      text = decoder.decode(data);
    } catch {
      out.push(this.#to(from, "* error: message is not valid UTF-8"));
      return out;
    }
    text = text.replace(/\r?\n$/, "");
    if (!this.#peers.has(key)) {
      if (isQuitCommand(text)) return out;
      if (this.#peers.size >= this.#maxPeers) {
        out.push(this.#to(from, "* error: room full"));
        return out;
      }
      this.#join(key, from, out);
    }
    const self = this.#peers.get(key)!;
    if (text === "") return out;
    const command = parseChatCommand(text);
    if (command !== undefined) this.#command(self, key, command.word, command.rest, out);
    else this.#say(self.name, text, self.address, out);
    return out;
  }

  /** A line from the server's operator: everyone gets `server: T`. */
  announce(text: string): ChatPacket[] {
    const out: ChatPacket[] = [];
    this.#say("server", text.replace(/\r?\n$/, ""), undefined, out);
    return out;
  }

  /**
   * Drops every peer silent for the idle limit: it gets {@linkcode CHAT_IDLE_NOTICE}, so that a
   * client still running can join again (and take its name back), and the others get
   * `* N left (idle)`.
   */
  expire(): ChatPacket[] {
    const out: ChatPacket[] = [];
    const now = this.#now();
    for (const [key, peer] of this.#peers) {
      if (peer.lastSeen + this.#idleMs > now) break;
      this.#remove(key, peer);
      out.push(this.#to(peer.address, CHAT_IDLE_NOTICE));
      this.#broadcast(`* ${peer.name} left (idle)`, out);
    }
    return out;
  }

  #join(key: string, address: NetAddress, out: ChatPacket[]): void {
    // A chosen name never contains ':', so no one else can hold this address-shaped one.
    const peer = { name: key, address: { ...address }, lastSeen: this.#now() };
    this.#broadcast(`* ${key} joined`, out);
    out.push(this.#to(address, `${CHAT_JOINED_PREFIX}${key}`));
    this.#peers.set(key, peer);
    this.#names.set(key, key);
  }

  #touch(key: string): void {
    const peer = this.#peers.get(key);
    if (peer === undefined) return;
    peer.lastSeen = this.#now();
    this.#peers.delete(key);
    this.#peers.set(key, peer);
  }

  #remove(key: string, peer: ChatPeer): void {
    this.#peers.delete(key);
    this.#names.delete(peer.name);
  }

  #command(peer: ChatPeer, key: string, word: string, rest: string, out: ChatPacket[]): void {
    switch (word) {
      case "/nick":
        if (rest === "") out.push(this.#to(peer.address, "* error: usage: /nick NAME"));
        else this.#nick(peer, key, rest, out);
        return;
      case "/who":
        if (rest !== "") out.push(this.#to(peer.address, "* error: /who takes no arguments"));
        else {
          const names = [...this.#peers.values()].map((p) => p.name).sort();
          out.push(this.#to(peer.address, `* in room: ${names.join(", ")}`));
        }
        return;
      case "/quit":
        if (rest !== "") out.push(this.#to(peer.address, "* error: /quit takes no arguments"));
        else {
          this.#remove(key, peer);
          this.#broadcast(`* ${peer.name} left`, out);
        }
        return;
      default:
        out.push(
          this.#to(peer.address, `* error: unknown command ${word} (try /nick, /who, /quit)`),
        );
    }
  }

  #nick(peer: ChatPeer, key: string, nick: string, out: ChatPacket[]): void {
    const problem = checkNick(nick);
    if (problem !== undefined) {
      out.push(this.#to(peer.address, `* error: ${problem}`));
      return;
    }
    const owner = this.#names.get(nick);
    if (owner !== undefined && owner !== key) {
      out.push(this.#to(peer.address, `* error: the name ${nick} is taken`));
      return;
    }
    const old = peer.name;
    this.#names.delete(old);
    this.#names.set(nick, key);
    peer.name = nick;
    out.push(this.#to(peer.address, `* you are now ${nick}`));
    if (old !== nick) this.#broadcast(`* ${old} is now ${nick}`, out, key);
  }

  #say(name: string, text: string, sender: NetAddress | undefined, out: ChatPacket[]): void {
    const line = text.split(/\r?\n/).map((l) => `${name}: ${l}`).join("\n");
    if (encoder.encode(line).length > MAX_DATAGRAM_SIZE) {
      if (sender !== undefined) out.push(this.#to(sender, "* error: message too long"));
      else throw new RangeError("message too long for one datagram");
      return;
    }
    this.#broadcast(line, out);
  }

  /** Queues `line` for every peer except the one with key `except`. */
  #broadcast(line: string, out: ChatPacket[], except?: string): void {
    this.#onLine?.(line);
    const data = encoder.encode(line);
    for (const [key, peer] of this.#peers) {
      if (key !== except) out.push({ to: peer.address, data });
    }
  }

  #to(address: NetAddress, line: string): ChatPacket {
    return { to: address, data: encoder.encode(line) };
  }
}

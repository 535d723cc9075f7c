/**
 * The chat room as a pure state machine: a datagram from an address goes in, the datagrams to
 * send come out. It owns no socket and no timer, so every rule (joins, `/nick`, `/who`, `/quit`,
 * errors, idle expiry, the peer limit) is testable without a network and runs on any runtime.
 *
 * @module
 */
import { formatAddress, MAX_DATAGRAM_SIZE, type NetAddress } from "../../runtime/mod.ts";
import { CHAT_DEFAULTS } from "./defaults.ts";
import { checkName, MAX_NAME_LENGTH } from "./names.ts";
import { JoinCookies } from "./cookie.ts";
import { checkRateLimit, type RateLimit, SourceLimiter, TokenBucket } from "../rate_limit.ts";
import { codePointLabel, findUnsafeCharacter, UnsafeTextError } from "../terminal_text.ts";
import { isOwnAddress } from "../own_address.ts";
import { PerAddress } from "../per_address.ts";

/** Options of {@linkcode ChatRoom}. */
export interface ChatRoomOptions {
  /** Peers silent for this many milliseconds are dropped. @default {CHAT_DEFAULTS.idleMs} */
  idleMs?: number;
  /**
   * The most peers at once; a new address beyond it gets `* error: room full`.
   * @default {CHAT_DEFAULTS.maxPeers}
   */
  maxPeers?: number;
  /**
   * The most peers from one host (IP address) at once; one more gets `* error: too many
   * members from your address`. @default {CHAT_DEFAULTS.maxPeersPerHost}
   */
  maxPeersPerHost?: number;
  /**
   * Datagrams (lines, commands, keepalives) per second each address may send; more are dropped,
   * and a member is told `* error: slow down` at most once a second. `Infinity`: no limit.
   * @default {CHAT_DEFAULTS.rate}
   */
  rate?: number;
  /** Datagrams an address may send at once after a quiet spell. @default {2 × rate} */
  burst?: number;
  /**
   * Enrol an address only once it has shown that it receives the room's datagrams: until it
   * sends `/join COOKIE` with the cookie the room sent it, the room relays nothing to it and
   * answers each of its datagrams with at most 3× that datagram's bytes. @default {false}
   */
  verify?: boolean;
  /** The key of the join cookies (16 bytes). @default {random} */
  cookieSecret?: Uint8Array;
  /** The room's own address: datagrams that claim to come from it are dropped. */
  self?: NetAddress;
  /** The clock, in milliseconds. @default {Date.now} */
  now?: () => number;
  /** Called with every line that goes to the whole room (a transcript, e.g. for a log). */
  onLine?: (line: string) => void;
  /** Called for each datagram the room drops without acting on it, with the reason. */
  onDrop?: (reason: ChatDropReason, from: NetAddress) => void;
}

/**
 * Why the room dropped a datagram: `rate` (its sender is over the rate limit), `unverified` (a
 * stranger's datagram too small to answer with a join cookie within 3× its size, or over the
 * limit), `own-address` (a forged source: the room itself), `room-full`, `host-full` (the
 * limit per host).
 */
export type ChatDropReason = "rate" | "unverified" | "own-address" | "room-full" | "host-full";

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

/** What the room keeps of a member. */
interface Member extends ChatPeer {
  /** The keys of its chosen name (none while it is named by its address). */
  keys?: readonly [string, string];
  /** Its rate limit. */
  bucket: TokenBucket;
  /** When it was last told to slow down. */
  slowedAt: number;
}

/**
 * The longest name `/nick` accepts, in characters (after NFKC).
 *
 * @example
 * ```ts
 * import { MAX_NICK_LENGTH } from "@unstuck/unstuck";
 * console.log(MAX_NICK_LENGTH); // 32
 * ```
 */
export const MAX_NICK_LENGTH: number = MAX_NAME_LENGTH;

/**
 * The command that joins the room: `/join` alone joins a room that does not verify addresses
 * (and keeps a member alive); `/join COOKIE` joins one that does.
 *
 * @example
 * ```ts
 * import { CHAT_JOIN_COMMAND } from "@unstuck/unstuck";
 * console.log(CHAT_JOIN_COMMAND); // "/join"
 * ```
 */
export const CHAT_JOIN_COMMAND = "/join";

/**
 * The most bytes in one `/who` reply datagram: no IP fragmentation on any path (QUIC's minimum).
 *
 * @example
 * ```ts
 * import { WHO_PART_BYTES } from "@unstuck/unstuck";
 * console.log(WHO_PART_BYTES); // 1200
 * ```
 */
export const WHO_PART_BYTES = 1_200;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** How often a member over its rate limit is told so, at most. */
const SLOW_DOWN_INTERVAL_MS = 1_000;

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
 * The line that a room which verifies addresses sends to a stranger, naming the line to send
 * back (`/join COOKIE`): `* to join, send: /join COOKIE`, or `* send /join COOKIE` when only
 * that fits in 3× the stranger's datagram. Returns that line, or undefined for any other line.
 *
 * @example
 * ```ts
 * import { parseJoinChallenge } from "@unstuck/unstuck";
 * console.log(parseJoinChallenge("* to join, send: /join AAAAAAAAAAA")); // "/join AAAAAAAAAAA"
 * ```
 */
export function parseJoinChallenge(line: string): string | undefined {
  return /^\* (?:to join, send:|send) (\/join [A-Za-z0-9_-]{11})$/.exec(line)?.[1];
}

/** The challenge lines, longest first: the room sends the longest that fits the budget. */
function challenges(cookie: string): string[] {
  return [`* to join, send: /join ${cookie}`, `* send /join ${cookie}`];
}

/**
 * A UDP chat room. Feed it every datagram with {@linkcode ChatRoom.receive} and send what it
 * returns; call {@linkcode ChatRoom.expire} when {@linkcode ChatRoom.nextExpiry} comes.
 *
 * Rules: any datagram from a new address joins it (it gets `* you joined as N`, the others
 * `* N joined`); with `verify`, only `/join COOKIE` does, COOKIE being what the room sent that
 * address in answer to anything else it sent. Plain text T from N goes to everyone, N included,
 * as `N: T`; `/nick NEW`, `/who` and `/quit` work as in IRC; anything else starting with `/`,
 * bytes that are not UTF-8, and text holding a control character (terminal escapes, a lone CR,
 * bidi controls: see terminal_text.ts) get `* error: …` back and change nothing. An empty
 * datagram (or `/join`) only joins or keeps the peer alive. A peer silent for the idle limit is
 * dropped and told so ({@linkcode CHAT_IDLE_NOTICE}); its next datagram joins it again, under
 * its address until it sends `/nick` again. One trailing newline is ignored, and each further
 * line of a message gets its own `N: ` prefix, so nobody can fake a line from someone else.
 * Each address may send `rate` datagrams a second (`burst` at once); more are dropped.
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
  readonly #limit: RateLimit;
  readonly #cookies: JoinCookies | undefined;
  readonly #self: NetAddress | undefined;
  readonly #now: () => number;
  readonly #onLine: ((line: string) => void) | undefined;
  readonly #onDrop: ((reason: ChatDropReason, from: NetAddress) => void) | undefined;
  /** Peers by address key, least recently active first (re-inserted on every datagram). */
  readonly #peers = new Map<string, Member>();
  /** Chosen names' keys (both of each) to the address key of the peer holding the name. */
  readonly #names = new Map<string, string>();
  /** Peers per host. */
  readonly #hosts: PerAddress;
  /** The rate limit of addresses that are no members. */
  readonly #strangers: SourceLimiter;

  /** Creates an empty room. */
  constructor(options: ChatRoomOptions = {}) {
    const {
      idleMs = CHAT_DEFAULTS.idleMs,
      maxPeers = CHAT_DEFAULTS.maxPeers,
      maxPeersPerHost = CHAT_DEFAULTS.maxPeersPerHost,
      rate = CHAT_DEFAULTS.rate,
    } = options;
    if (!(idleMs > 0)) throw new RangeError(`idleMs must be positive, got ${idleMs}`);
    for (const [name, value] of [["maxPeers", maxPeers], ["maxPeersPerHost", maxPeersPerHost]]) {
      if (!Number.isSafeInteger(value) || (value as number) < 1) {
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
      }
    }
    this.#idleMs = idleMs;
    this.#maxPeers = maxPeers;
    this.#hosts = new PerAddress(maxPeersPerHost);
    this.#limit = checkRateLimit({ rate, burst: options.burst ?? Math.max(1, 2 * rate) });
    this.#now = options.now ?? Date.now;
    this.#cookies = options.verify
      ? new JoinCookies({ secret: options.cookieSecret, now: this.#now })
      : undefined;
    this.#self = options.self;
    this.#onLine = options.onLine;
    this.#onDrop = options.onDrop;
    this.#strangers = new SourceLimiter({ ...this.#limit, now: this.#now });
  }

  /** How many peers are in the room. */
  get size(): number {
    return this.#peers.size;
  }

  /** Whether the room enrols only addresses that came back with a join cookie. */
  get verifies(): boolean {
    return this.#cookies !== undefined;
  }

  /** The peers, least recently active first. */
  peers(): ChatPeer[] {
    return [...this.#peers.values()].map((p) => ({
      name: p.name,
      address: { ...p.address },
      lastSeen: p.lastSeen,
    }));
  }

  /** When the least recently active peer will be due for expiry, or undefined when empty. */
  nextExpiry(): number | undefined {
    const first = this.#peers.values().next();
    return first.done ? undefined : first.value.lastSeen + this.#idleMs;
  }

  /** Handles one datagram from `from` and returns the datagrams to send in reply. */
  receive(data: Uint8Array, from: NetAddress): ChatPacket[] {
    if (this.#self !== undefined && isOwnAddress(from, this.#self)) {
      this.#onDrop?.("own-address", from);
      return [];
    }
    const key = formatAddress(from);
    const member = this.#peers.get(key);
    // The rate limit comes first: a datagram over it costs a lookup and nothing more.
    if (member === undefined ? !this.#strangers.take(key) : !member.bucket.take(this.#now())) {
      return this.#overLimit(member, from);
    }
    // The sender is active now: a datagram that beats the expiry timer keeps its place (and name).
    this.#touch(key);
    const out = this.expire();
    if (member === undefined && this.#cookies !== undefined) {
      this.#stranger(data, from, key, this.#cookies, out);
      return out;
    }
    let text: string;
    try {
      text = decoder.decode(data);
    } catch {
      out.push(this.#to(from, "* error: message is not valid UTF-8"));
      return out;
    }
    text = text.replace(/\r?\n$/, "");
    const command = parseChatCommand(text);
    if (!this.#peers.has(key)) {
      if (isQuitCommand(text) || !this.#admit(key, from, out)) return out;
    }
    const self = this.#peers.get(key)!;
    if (text === "" || command?.word === CHAT_JOIN_COMMAND) return out;
    const unsafe = findUnsafeCharacter(text.replace(/\r\n/g, "\n"), { newlines: true });
    if (unsafe !== undefined) {
      const what = `${codePointLabel(unsafe)} is a control character`;
      out.push(this.#to(from, `* error: ${what}; nothing was sent`));
    } else if (command !== undefined) {
      this.#command(self, key, command.word, command.rest, out);
    } else this.#say(self.name, text, self.address, out);
    return out;
  }

  /**
   * A line from the server's operator: everyone gets `server: T`. Throws
   * {@linkcode UnsafeTextError} for text holding a control character (as a member's line would be
   * refused), `RangeError` for text too long for one datagram.
   */
  announce(text: string): ChatPacket[] {
    text = text.replace(/\r?\n$/, "");
    const unsafe = findUnsafeCharacter(text.replace(/\r\n/g, "\n"), { newlines: true });
    if (unsafe !== undefined) throw new UnsafeTextError(unsafe);
    const out: ChatPacket[] = [];
    this.#say("server", text, undefined, out);
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

  /** A datagram over its sender's limit: dropped; a member hears of it once a second. */
  #overLimit(member: Member | undefined, from: NetAddress): ChatPacket[] {
    this.#onDrop?.("rate", from);
    const now = this.#now();
    if (member === undefined || now - member.slowedAt < SLOW_DOWN_INTERVAL_MS) return [];
    member.slowedAt = now;
    return [this.#to(from, "* error: slow down")];
  }

  /**
   * A datagram from an address that is no member, in a room that verifies: `/join COOKIE` with
   * its cookie joins it; anything else is answered with the cookie, if that fits in 3× the
   * datagram, and with nothing otherwise.
   */
  #stranger(
    data: Uint8Array,
    from: NetAddress,
    key: string,
    cookies: JoinCookies,
    out: ChatPacket[],
  ): void {
    let text: string | undefined;
    try {
      text = decoder.decode(data).replace(/\r?\n$/, "");
    } catch { /* not UTF-8: no cookie in it */ }
    const command = text === undefined ? undefined : parseChatCommand(text);
    if (command?.word === CHAT_JOIN_COMMAND && cookies.check(key, command.rest)) {
      this.#admit(key, from, out);
      return;
    }
    const budget = 3 * data.length;
    const reply = challenges(cookies.make(key)).map((line) => encoder.encode(line))
      .find((bytes) => bytes.length <= budget);
    if (reply === undefined) this.#onDrop?.("unverified", from);
    else out.push({ to: from, data: reply });
  }

  /** Joins a new address, unless the room or its host is full (it is told which). */
  #admit(key: string, address: NetAddress, out: ChatPacket[]): boolean {
    if (this.#peers.size >= this.#maxPeers) {
      this.#onDrop?.("room-full", address);
      out.push(this.#to(address, "* error: room full"));
      return false;
    }
    if (!this.#hosts.take(address.hostname)) {
      this.#onDrop?.("host-full", address);
      out.push(this.#to(address, "* error: too many members from your address"));
      return false;
    }
    const now = this.#now();
    const peer: Member = {
      name: key,
      address: { ...address },
      lastSeen: now,
      // The tokens it spent as a stranger stay spent: leaving and joining again resets nothing.
      bucket: this.#strangers.detach(key) ?? new TokenBucket(this.#limit, now),
      slowedAt: -Infinity,
    };
    // A chosen name never contains ':', so no one else can hold this address-shaped one.
    this.#broadcast(`* ${key} joined`, out);
    out.push(this.#to(address, `${CHAT_JOINED_PREFIX}${key}`));
    this.#peers.set(key, peer);
    return true;
  }

  #touch(key: string): void {
    const peer = this.#peers.get(key);
    if (peer === undefined) return;
    peer.lastSeen = this.#now();
    this.#peers.delete(key);
    this.#peers.set(key, peer);
  }

  #remove(key: string, peer: Member): void {
    this.#peers.delete(key);
    for (const name of peer.keys ?? []) this.#names.delete(name);
    this.#strangers.attach(key, peer.bucket);
    this.#hosts.release(peer.address.hostname);
  }

  #command(peer: Member, key: string, word: string, rest: string, out: ChatPacket[]): void {
    switch (word) {
      case "/nick":
        if (rest === "") out.push(this.#to(peer.address, "* error: usage: /nick NAME"));
        else this.#nick(peer, key, rest, out);
        return;
      case "/who":
        if (rest !== "") out.push(this.#to(peer.address, "* error: /who takes no arguments"));
        else this.#who(peer.address, out);
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

  /**
   * `* in room: A, B` in one datagram; a list too long for {@linkcode WHO_PART_BYTES} goes in
   * parts, `* in room (1/3): …` to `* in room (3/3, complete): …`.
   */
  #who(to: NetAddress, out: ChatPacket[]): void {
    const names = [...this.#peers.values()].map((p) => p.name).sort();
    const single = `* in room: ${names.join(", ")}`;
    if (encoder.encode(single).length <= WHO_PART_BYTES) {
      out.push(this.#to(to, single));
      return;
    }
    // Room for the longest prefix: `* in room (9999/9999, complete): `.
    const budget = WHO_PART_BYTES - 40;
    const parts: string[][] = [[]];
    let size = 0;
    for (const name of names) {
      const bytes = encoder.encode(name).length + 2;
      if (size + bytes > budget && parts.at(-1)!.length > 0) {
        parts.push([]);
        size = 0;
      }
      parts.at(-1)!.push(name);
      size += bytes;
    }
    parts.forEach((part, i) => {
      const label = i === parts.length - 1
        ? `${i + 1}/${parts.length}, complete`
        : `${i + 1}/${parts.length}`;
      out.push(this.#to(to, `* in room (${label}): ${part.join(", ")}`));
    });
  }

  #nick(peer: Member, key: string, asked: string, out: ChatPacket[]): void {
    const checked = checkName(asked);
    if (typeof checked === "string") {
      out.push(this.#to(peer.address, `* error: ${checked}`));
      return;
    }
    const { name, keys } = checked;
    const owner = keys.map((k) => this.#names.get(k)).find((o) => o !== undefined && o !== key);
    if (owner !== undefined) {
      const holder = this.#peers.get(owner)?.name ?? name;
      const like = holder === name ? "" : ` (it looks like ${holder})`;
      out.push(this.#to(peer.address, `* error: the name ${name} is taken${like}`));
      return;
    }
    const old = peer.name;
    for (const k of peer.keys ?? []) this.#names.delete(k);
    for (const k of keys) this.#names.set(k, key);
    peer.keys = keys;
    peer.name = name;
    out.push(this.#to(peer.address, `* you are now ${name}`));
    if (old !== name) this.#broadcast(`* ${old} is now ${name}`, out, key);
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

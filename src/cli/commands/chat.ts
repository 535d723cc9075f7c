/**
 * `unstuck chat serve` and `unstuck chat join`.
 *
 * @module
 */
import { defineCommand, type GroupCommand } from "../command.ts";
import { UsageError } from "../args.ts";
import * as common from "../common_flags.ts";
import { serveUntilSignal } from "../serve.ts";
import { stdinLines } from "../stdin_lines.ts";
import {
  formatAddress,
  MAX_DATAGRAM_SIZE,
  NetworkError,
  onShutdownSignal,
  writeStderr,
  writeStdout,
} from "../../runtime/mod.ts";
import {
  CHAT_DEFAULTS,
  type ChatDropReason,
  escapeUnsafeText,
  isQuitCommand,
  joinChat,
  LogLimiter,
  serveChat,
  timerDelay,
} from "../../services/mod.ts";

/**
 * `chat join --join-timeout`'s default: how long the command waits for the room's first line
 * before it says no room answers (a choice of this command, not of the client).
 */
const JOIN_TIMEOUT_MS = 5_000;
/** Longest line read from stdin; a UDP datagram cannot carry more anyway. */
const MAX_LINE = MAX_DATAGRAM_SIZE;
const decoder = new TextDecoder();

/** What the server's log says about each kind of dropped datagram. */
const DROPPED: Record<ChatDropReason, string> = {
  rate: "dropped, over the rate limit",
  unverified: "not answered, unverified and too small for a join cookie",
  "own-address": "dropped, forged source (the room's own address)",
  "room-full": "refused, room full",
  "host-full": "refused, too many members from one address",
};

/** Text from the network as the terminal may show it: controls as visible escapes. */
const printable = (text: string): string => escapeUnsafeText(text, { newlines: true });

const serve = defineCommand({
  name: "serve",
  summary: "Run a UDP chat room",
  usage:
    "[--host H] [--port P] [--idle SECONDS] [--max-peers N] [--max-peers-per-ip N] [--rate N] [--receive-buffer BYTES] [--verify | --no-verify]",
  details: [
    "Any datagram joins the room (the newcomer gets '* you joined as HOST:PORT'); a peer is",
    "named HOST:PORT until '/nick NAME'. Text goes to everyone as 'NAME: TEXT'. Commands:",
    "/nick NAME, /who, /quit. Lines typed on this server's stdin go to everyone as",
    "'server: TEXT'. Every line sent to the room is printed on stdout.",
    "Peers silent for --idle seconds are dropped: they get '* you left (idle)', the others",
    "'* NAME left (idle)'; their next datagram joins them again.",
    "",
    "Names: letters, digits, '_', '-', '.' (NFKC), unique and not 'server' or 'you' up to case",
    "and lookalike letters (Latin, Greek, Cyrillic). Lines holding terminal controls (ESC, a",
    "lone CR, BEL, C1, bidi controls) are refused with '* error: …'. Each address may send",
    "--rate lines a second (twice that at once); more are dropped, with '* error: slow down'",
    "at most once a second.",
    "With --verify (the default unless --host is loopback), a new address joins only by",
    "sending back the line '/join COOKIE' that the room answers its first datagram with;",
    "until then the room answers it with at most 3x the bytes it sent, and relays nothing to",
    "it: forged source addresses cannot turn the room on a victim. 'chat join' does this by",
    "itself. Dropped datagrams are logged on stderr, a few lines a second per reason at most.",
    "",
    "Prints 'listening on udp://HOST:PORT' once ready; SIGINT or SIGTERM stops it (exit 0).",
    "",
    "Example: unstuck chat serve --port 8081 --idle 600",
  ].join("\n"),
  flags: {
    ...common.addressFlags("server", CHAT_DEFAULTS),
    idle: common.secondsFlag(
      "Drop peers silent this many seconds",
      CHAT_DEFAULTS.idleMs,
      1,
      2_000_000,
    ),
    "max-peers": {
      type: "integer",
      help: "Most peers in the room at once",
      placeholder: "N",
      defaultText: String(CHAT_DEFAULTS.maxPeers),
      min: 1,
      max: 1_000_000,
    },
    "max-peers-per-ip": {
      type: "integer",
      help: "Most peers from one IP address at once",
      placeholder: "N",
      defaultText: String(CHAT_DEFAULTS.maxPeersPerHost),
      min: 1,
      max: 1_000_000,
    },
    rate: {
      type: "integer",
      help: "Lines (datagrams) per second each address may send; twice that at once",
      placeholder: "N",
      defaultText: String(CHAT_DEFAULTS.rate),
      min: 1,
      max: 1_000_000,
    },
    "receive-buffer": common.receiveBufferFlag(CHAT_DEFAULTS.receiveBufferSize),
    verify: {
      type: "boolean",
      help: "Enrol only addresses that send back the room's join cookie (default off loopback)",
    },
    "no-verify": { type: "boolean", help: "Enrol any address that sends a datagram" },
    adapter: common.ADAPTER_FLAG,
  },
  async run({ flags, positionals }): Promise<number> {
    common.noPositionals(positionals);
    if (flags.verify && flags["no-verify"]) {
      throw new UsageError("--verify and --no-verify exclude each other");
    }
    const log = new LogLimiter({ write: (line) => void writeStderr(printable(line) + "\n") });
    const server = await serveChat({
      ...common.addressOf(flags),
      idleMs: common.millis(flags.idle),
      maxPeers: flags["max-peers"],
      maxPeersPerHost: flags["max-peers-per-ip"],
      rate: flags.rate,
      receiveBufferSize: flags["receive-buffer"],
      verify: flags.verify ? true : flags["no-verify"] ? false : undefined,
      adapter: common.adapterName(flags.adapter),
      onLine: (line) => void writeStdout(printable(line) + "\n"),
      onError: (error, peer) =>
        log.log(
          `chat serve: send failed (${error.name})`,
          `chat serve: ${formatAddress(peer)}: ${error.name}: ${error.message}`,
        ),
      onDrop: (reason, peer) =>
        log.log(
          `chat serve: ${DROPPED[reason]}`,
          `chat serve: ${DROPPED[reason]}: ${formatAddress(peer)}`,
        ),
    });
    const note = common.receiveBufferNote(
      "chat serve",
      flags["receive-buffer"] ?? CHAT_DEFAULTS.receiveBufferSize,
      server.receiveBufferSize,
    );
    if (note !== undefined) await writeStderr(note + "\n");
    const announcing = (async () => {
      for await (const line of stdinLines(MAX_LINE)) {
        const text = decoder.decode(line);
        if (text.trim() === "") continue;
        // A line the room refuses (a control character, too long) is said so; the rest go on.
        await server.announce(text).catch((error) =>
          writeStderr(`chat serve: stdin: not sent: ${error.message}\n`)
        );
      }
    })().catch((error) => writeStderr(`chat serve: stdin: ${error.message}\n`));
    void announcing;
    try {
      return await serveUntilSignal(server, "udp");
    } finally {
      log.close();
    }
  },
});

const join = defineCommand({
  name: "join",
  summary: "Join a chat room: send stdin lines, print what arrives",
  usage: "[--host H] [--port P] [--name N] [--keepalive SECONDS] [--join-timeout SECONDS]",
  details: [
    "Sends each line of stdin to the room and prints every line the room sends as it arrives.",
    "Starts with '/who' (and '/nick N' with --name). A '/quit' line or EOF leaves the room",
    "(/quit) once the replies to the lines before it are printed; SIGINT leaves at once. Exit 0.",
    "",
    "UDP says nothing when no room listens: if the room has not answered within --join-timeout",
    "seconds (0: wait forever), or the port is unreachable, it says so on stderr and exits 1.",
    "",
    "After --keepalive seconds without a line it sends '/join' (a keepalive), so that the room does",
    "not drop a member who only listens: keep it below the room's --idle (0: never). If the room",
    "drops it anyway, it prints '* you left (idle)', joins again (at most once a second) and takes",
    "its name back; so it does when the room greets it as a newcomer (the room restarted; the",
    "line or keepalive that joined it went out under HOST:PORT).",
    "Datagrams that do not come from the room are ignored. A room that verifies addresses",
    "answers the first datagram with a join cookie, which this sends back by itself. Lines are",
    "printed with terminal controls (ESC, CR, BEL, C1, bidi controls) as visible escapes.",
    "",
    "Example: unstuck chat join --port 8081 --name alice",
  ].join("\n"),
  flags: {
    ...common.addressFlags("client", CHAT_DEFAULTS),
    name: { type: "string", help: "Take this name on joining", placeholder: "N" },
    keepalive: common.secondsFlag(
      "Ping the room after this many silent seconds (0: never)",
      CHAT_DEFAULTS.keepaliveMs,
      0,
      2_000_000,
    ),
    "join-timeout": common.secondsFlag(
      "Exit 1 if the room has not answered within this many seconds (0: never)",
      JOIN_TIMEOUT_MS,
      0,
      2_000_000,
    ),
    adapter: common.ADAPTER_FLAG,
  },
  async run({ flags, positionals }): Promise<number> {
    common.noPositionals(positionals);
    const client = await joinChat({
      ...common.addressOf(flags),
      name: flags.name,
      keepaliveMs: common.millis(flags.keepalive),
      adapter: common.adapterName(flags.adapter),
    });
    // The room's first line: proof that it is there.
    let heard = false;
    let hear!: () => void;
    const firstLine = new Promise<"eof">((resolve) => (hear = () => resolve("eof")));
    const printing = (async () => {
      for await (const line of client) {
        heard = true;
        hear();
        await writeStdout(printable(line) + "\n");
      }
    })();
    let stop!: () => void;
    const signalled = new Promise<"signal">((resolve) => {
      stop = onShutdownSignal(() => resolve("signal"));
    });
    // UDP says nothing when nobody listens: give up once the room has been silent too long.
    const joinTimeoutMs = common.millis(flags["join-timeout"]) ?? JOIN_TIMEOUT_MS;
    let joinTimer: ReturnType<typeof setTimeout> | undefined;
    const silent = new Promise<"silent">((resolve) => {
      if (joinTimeoutMs > 0) joinTimer = setTimeout(resolve, timerDelay(joinTimeoutMs), "silent");
    });
    void firstLine.then(() => clearTimeout(joinTimer));
    const sending = (async () => {
      await client.send("/who");
      for await (const line of stdinLines(MAX_LINE)) {
        const text = decoder.decode(line);
        // Leaves as at EOF (client.leave() below), without waiting for EOF.
        if (isQuitCommand(text)) break;
        await client.send(text);
      }
    })();
    sending.catch(() => {}); // a failure after a signal has nobody left to tell
    // Some runtimes report the ICMP "port unreachable" of an earlier datagram on a later send.
    const ended = sending.then(
      () => "eof" as const,
      (error) => {
        if (!heard && error instanceof NetworkError && error.code === "ECONNREFUSED") {
          return "refused" as const;
        }
        throw error;
      },
    );
    const url = `udp://${formatAddress(client.remoteAddr)}`;
    try {
      let outcome = await Promise.race([ended, signalled, silent]);
      // At EOF before any answer, the room still has until the join timeout to show up.
      if (outcome === "eof" && !heard) outcome = await Promise.race([firstLine, signalled, silent]);
      if (outcome === "silent" || outcome === "refused") {
        const why = outcome === "silent"
          ? `no answer within ${joinTimeoutMs / 1000} s`
          : "port unreachable";
        await writeStderr(`chat join: no chat room answers at ${url} (${why})\n`);
        return 1;
      }
      // EOF or /quit: leave once the replies to our lines are printed (a signal leaves at once).
      if (outcome === "eof") await Promise.race([client.leave(), signalled]);
    } finally {
      clearTimeout(joinTimer);
      stop();
      await client.close();
      await printing;
    }
    return 0;
  },
});

/** The chat room: one group, two commands. */
export const chatCommand: GroupCommand = {
  name: "chat",
  summary: "UDP chat room: server and client",
  subcommands: [serve, join],
};

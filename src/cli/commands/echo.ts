/**
 * `unstuck echo serve` and `unstuck echo send`.
 *
 * @module
 */
import { defineCommand, type GroupCommand } from "../command.ts";
import { UsageError } from "../args.ts";
import { StructError } from "../../struct/mod.ts";
import * as common from "../common_flags.ts";
import { serveUntilSignal } from "../serve.ts";
import { countFlag, peerLimitFlags, peerLimits } from "../limit_flags.ts";
import { stdinLines } from "../stdin_lines.ts";
import { formatAddress, type NetworkError, writeStderr, writeStdout } from "../../runtime/mod.ts";
import {
  clientTlsOf,
  serverTlsOf,
  tcpScheme,
  TLS_CLIENT_FLAGS,
  TLS_SERVER_FLAGS,
} from "../tls_flags.ts";
import {
  connectEcho,
  connectEchoUdp,
  ECHO_DEFAULTS,
  type EchoFraming,
  echoFraming,
  escapeUnsafeText,
  LogLimiter,
  serveEcho,
  serveEchoUdp,
  TextOnFramedConnectionError,
  withTimeout,
} from "../../services/mod.ts";

const FRAMING_FLAGS = {
  lines: {
    type: "boolean",
    help: "Newline-delimited frames (text lines, for nc or telnet) instead of length headers",
  },
  header: {
    type: "string",
    help: "Length header: a struct integer format (!I, <H, i, q, …) or varint",
    placeholder: "FMT",
    defaultText: ECHO_DEFAULTS.header,
  },
  "max-frame": {
    type: "integer",
    help: "Largest frame (or line) accepted, in bytes",
    placeholder: "N",
    defaultText: String(ECHO_DEFAULTS.maxFrameLength),
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  },
} as const;

/** Refuses the TLS flags with `--udp` (TLS is for TCP). */
function noTlsOverUdp(flags: Record<string, unknown>, names: readonly string[]): void {
  const given = names.find((name) => flags[name] !== undefined && flags[name] !== false);
  if (given !== undefined) throw new UsageError(`--${given} is for TCP, not --udp`);
}

/** Checks `--lines`/`--header`/`--max-frame` (TCP only) and returns them as framing options. */
function framingFlags(
  flags: {
    udp: boolean;
    lines: boolean;
    header: string | undefined;
    "max-frame": number | undefined;
  },
): EchoFraming {
  const framing = { lines: flags.lines, header: flags.header, maxFrameLength: flags["max-frame"] };
  if (flags.udp) {
    const tcpOnly = flags.lines
      ? "--lines"
      : flags.header !== undefined
      ? "--header"
      : flags["max-frame"] !== undefined
      ? "--max-frame"
      : undefined;
    if (tcpOnly) throw new UsageError(`${tcpOnly} is for TCP, not --udp`);
    return framing;
  }
  if (framing.lines && framing.header !== undefined) {
    throw new UsageError("--header is for length-prefixed frames, not --lines");
  }
  try {
    echoFraming(framing);
  } catch (error) {
    if (
      error instanceof StructError || error instanceof TypeError || error instanceof RangeError
    ) {
      throw new UsageError(`--header: ${error.message}`);
    }
    throw error;
  }
  return framing;
}

/** Writes one line of the server's log, its controls escaped. */
function writeLogLine(line: string): void {
  void writeStderr(escapeUnsafeText(line, { newlines: true }) + "\n");
}

/** The server's line about a connection that ended in error. */
function errorLine(error: Error, peer: { hostname: string; port: number }): string {
  const where = `echo serve: ${formatAddress(peer)}`;
  if (error instanceof TextOnFramedConnectionError) {
    const text = JSON.stringify(error.text);
    return `${where}: this looks like text (${text}), not a length header: is the client ` +
      `framing? try --lines (frame length ${error.length} refused)\n`;
  }
  return `${where}: ${error.name}: ${error.message}\n`;
}

/** The server's line about a connection that failed before it was served (a TLS handshake). */
function acceptErrorLine(error: NetworkError): string {
  return `echo serve: ${error.name}: ${error.message}\n`;
}

const serve = defineCommand({
  name: "serve",
  summary: "Run an echo server (framed or line TCP, or UDP)",
  usage:
    "[--udp] [--host H] [--port P] [--tls-cert F --tls-key F] [--upper] [--lines | --header FMT] [--max-frame N] [--max-connections N] [--max-connections-per-ip N] [--idle-timeout SECONDS] [--frame-timeout SECONDS] [--rate N] [--receive-buffer BYTES]",
  details: [
    "TCP (the default): each frame received (a length header, then that many bytes) goes back",
    "as one frame. A frame over --max-frame, or a negative length, closes that connection only,",
    "with one line on stderr (which says so when the refused header reads as text: a client",
    "that sends lines); so does a connection beyond --max-connections. Memory held for frames",
    "stays within about 2 × max-connections × max-frame (3× with --upper). One address may hold",
    "--max-connections-per-ip of them. A connection on which no frame completes for",
    "--idle-timeout, or whose peer does not read its replies for that long, is closed; so is one",
    "whose frame, once begun, is not complete within --frame-timeout (0 turns either off).",
    "Under attack stderr gets a few lines per second per cause, and a count of the rest.",
    "TCP with --lines: each line (ending in LF or CRLF, at most --max-frame bytes) goes back",
    "as a line ending in LF, for nc, ncat or telnet; a longer line closes that connection only.",
    "UDP: each datagram goes back to its sender, at most --rate a second per source IP address",
    "(twice that at once; more are dropped, and logged a few lines a second at most), and",
    "never to the server's own address: forged sources cannot make two servers loop at full",
    "speed, nor aim this one at a victim beyond that rate. Datagrams arriving while it is busy",
    "wait in the socket's kernel buffer (--receive-buffer); once it is full the kernel drops",
    "them. When the buffer is smaller than asked (the system's cap; Deno cannot set it),",
    "stderr says so.",
    "With --tls-cert and --tls-key, TCP is served over TLS (listening on tls://…); a client that",
    "fails its TLS handshake (plaintext, or refusing the certificate) costs one line on stderr",
    "(a few a second under attack, and a count of the rest).",
    "",
    "Prints 'listening on tcp://HOST:PORT' (or udp://) once ready. SIGINT or SIGTERM stops it",
    "once the frames in flight are answered, waiting at most " +
    `${ECHO_DEFAULTS.graceMs / 1000} s for a frame that is still`,
    "arriving (exit 0); a second signal stops it at once (exit 1).",
    "",
    "Examples: unstuck echo serve --port 0 --upper --header '<H'",
    "          unstuck echo serve --lines --upper   # then: nc " +
    `${ECHO_DEFAULTS.hostname} ${ECHO_DEFAULTS.port}`,
  ].join("\n"),
  flags: {
    udp: { type: "boolean", help: "Serve UDP datagrams instead of TCP frames" },
    ...common.addressFlags("server", ECHO_DEFAULTS),
    ...TLS_SERVER_FLAGS,
    upper: { type: "boolean", help: "Send replies ASCII-uppercased" },
    ...FRAMING_FLAGS,
    "max-connections": countFlag(
      "TCP connections served at once; more are closed as they arrive",
      ECHO_DEFAULTS.maxConnections,
    ),
    ...peerLimitFlags(
      ECHO_DEFAULTS,
      "Close a TCP connection that completes no frame, or reads no reply, for this long (0: never)",
    ),
    rate: {
      type: "integer",
      help: "UDP: datagrams answered per second per source IP address (0: no limit)",
      placeholder: "N",
      defaultText: String(ECHO_DEFAULTS.udpRate),
      min: 0,
      max: 1_000_000_000,
    },
    "receive-buffer": common.receiveBufferFlag(ECHO_DEFAULTS.udpReceiveBufferSize),
    adapter: common.ADAPTER_FLAG,
  },
  async run({ flags, positionals }): Promise<number> {
    common.noPositionals(positionals);
    const framing = framingFlags(flags);
    for (const udpOnly of ["rate", "receive-buffer"] as const) {
      if (!flags.udp && flags[udpOnly] !== undefined) {
        throw new UsageError(`--${udpOnly} is for --udp`);
      }
    }
    const maxConnections = flags["max-connections"];
    const tcpOnly =
      (["max-connections", "max-connections-per-ip", "idle-timeout", "frame-timeout"] as const)
        .find((name) => flags[name] !== undefined);
    if (flags.udp && tcpOnly !== undefined) {
      throw new UsageError(`--${tcpOnly} is for TCP, not --udp`);
    }
    if (flags.udp) noTlsOverUdp(flags, ["tls-cert", "tls-key"]);
    const tls = await serverTlsOf(flags);
    const onError = (error: Error, peer: { hostname: string; port: number }): void => {
      void writeStderr(errorLine(error, peer));
    };
    const options = {
      ...common.addressOf(flags),
      upper: flags.upper,
      adapter: common.adapterName(flags.adapter),
      onError,
    };
    if (flags.udp) return await serveUdp(options, flags.rate, flags["receive-buffer"]);
    // Under attack each kind of error gets a few lines a second, and a count of the rest.
    const log = new LogLimiter({ write: writeLogLine });
    const server = await serveEcho({
      ...options,
      ...framing,
      maxConnections,
      ...peerLimits(flags),
      tls,
      onError: (error, peer) =>
        log.log(`echo serve: ${error.name}`, errorLine(error, peer).trimEnd()),
      onAcceptError: (error: NetworkError) =>
        log.log(`echo serve: accept ${error.name}`, acceptErrorLine(error).trimEnd()),
    });
    try {
      return await serveUntilSignal(server, tcpScheme(tls));
    } finally {
      log.close();
    }
  },
});

/** `echo serve --udp`: the server, its rate limit, and its log of what it drops. */
async function serveUdp(
  options: Parameters<typeof serveEchoUdp>[0] & object,
  rate: number | undefined,
  receiveBufferSize: number | undefined,
): Promise<number> {
  const log = new LogLimiter({ write: writeLogLine });
  const reason = { rate: "dropped, over the rate limit", "own-address": "dropped, forged source" };
  const server = await serveEchoUdp({
    ...options,
    rate: rate === 0 ? Infinity : rate,
    burst: rate === 0 ? undefined : rate === undefined ? undefined : 2 * rate,
    receiveBufferSize,
    onError: (error, peer) => log.log("echo serve: send failed", errorLine(error, peer).trimEnd()),
    onDrop: (why, peer) =>
      log.log(`echo serve: ${reason[why]}`, `echo serve: ${reason[why]}: ${formatAddress(peer)}`),
  });
  const note = common.receiveBufferNote(
    "echo serve",
    receiveBufferSize ?? ECHO_DEFAULTS.udpReceiveBufferSize,
    server.receiveBufferSize,
  );
  if (note !== undefined) await writeStderr(note + "\n");
  try {
    return await serveUntilSignal(server, "udp");
  } finally {
    log.close();
  }
}

const send = defineCommand({
  name: "send",
  summary: "Send messages to an echo server and print the replies",
  usage:
    "[--udp] [--host H] [--port P] [--tls [--tls-ca F] [--tls-server-name N]] [--lines | --header FMT] [MESSAGE...]",
  details: [
    "Sends each MESSAGE (as a frame over TCP, a line with --lines, or a datagram with --udp)",
    "and prints each reply on its own line. With no MESSAGE, sends one message per line of",
    "stdin until EOF. With --tls (or --tls-ca FILE, which trusts only the certificates in FILE:",
    "a CA bundle, or the server's self-signed certificate) it speaks TLS.",
    "",
    "Example: unstuck echo send --port 8080 hello world",
  ].join("\n"),
  flags: {
    udp: { type: "boolean", help: "Send UDP datagrams instead of TCP frames" },
    ...common.addressFlags("client", ECHO_DEFAULTS),
    ...TLS_CLIENT_FLAGS,
    ...FRAMING_FLAGS,
    timeout: common.secondsFlag(
      "Seconds to wait for each reply",
      ECHO_DEFAULTS.timeoutMs,
      1,
      86_400,
    ),
    adapter: common.ADAPTER_FLAG,
  },
  async run({ flags, positionals }): Promise<number> {
    const framing = framingFlags(flags);
    if (flags.udp) noTlsOverUdp(flags, ["tls", "tls-ca", "tls-server-name"]);
    const tls = await clientTlsOf(flags);
    const target = {
      ...common.addressOf(flags),
      adapter: common.adapterName(flags.adapter),
    };
    // Every reply, TCP or UDP, is waited for this long (the TCP client has no timeout of its own).
    const timeoutMs = common.millis(flags.timeout) ?? ECHO_DEFAULTS.timeoutMs;
    const encoder = new TextEncoder();
    const messages = positionals.length > 0
      ? positionals.map((m) => encoder.encode(m))
      : stdinLines(framing.maxFrameLength ?? ECHO_DEFAULTS.maxFrameLength);
    await using client = flags.udp
      ? await connectEchoUdp({ ...target, timeoutMs })
      : await connectEcho({ ...target, ...framing, tls });
    for await (const message of messages) {
      const reply = await withTimeout(client.request(message), timeoutMs);
      await writeStdout(concat(reply, NEWLINE));
    }
    return 0;
  },
});

const NEWLINE = Uint8Array.of(0x0a);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The echo service: one group, two commands. */
export const echoCommand: GroupCommand = {
  name: "echo",
  summary: "Echo service: framed or line TCP, or UDP server, and a client",
  subcommands: [serve, send],
};

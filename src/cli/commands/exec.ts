/**
 * `unstuck exec serve` and `unstuck exec run`: the authenticated remote-exec service.
 *
 * @module
 */
import { UsageError } from "../args.ts";
import { defineCommand, type GroupCommand } from "../command.ts";
import * as common from "../common_flags.ts";
import { serveUntilSignal } from "../serve.ts";
import { loggedValue } from "../log_values.ts";
import {
  countFlag,
  MAX_TIMER_SECONDS,
  peerLimitFlags,
  peerLimits,
  timeoutFlag,
} from "../limit_flags.ts";
import {
  containmentSupport,
  environment,
  formatAddress,
  isLoopback,
  type NetworkError,
  readStdin,
  writeStderr,
  writeStdout,
} from "../../runtime/mod.ts";
import {
  escapeUnsafeText,
  EXEC_DEFAULTS,
  ExecClient,
  ExecCommandError,
  type ExecResult,
  type ExecServerEvent,
  ExecTokenError,
  ExecTokenFileError,
  type LoadedToken,
  loadToken,
  LogLimiter,
  refusesPlaintext,
  serveExec,
  TOKEN_ENV,
} from "../../services/mod.ts";
import {
  clientTlsOf,
  serverTlsOf,
  tcpScheme,
  TLS_CLIENT_FLAGS,
  TLS_SERVER_FLAGS,
} from "../tls_flags.ts";
import {
  EXIT_CONNECTION_FAILED,
  EXIT_NOT_STARTED,
  EXIT_SIGPIPE,
  exitCodeOf,
} from "../exit_code.ts";

const TOKEN_FILE_FLAG = {
  type: "string",
  help: `Read the shared token from this file (else from ${TOKEN_ENV})`,
  placeholder: "FILE",
} as const;

async function token(file: string | undefined): Promise<LoadedToken> {
  const envToken = environment()[TOKEN_ENV];
  // The service names no flag of ours: this says which one gives a token.
  if (file === undefined && envToken === undefined) {
    throw new UsageError(`no token: pass --token-file FILE or set ${TOKEN_ENV}`);
  }
  try {
    return await loadToken({ tokenFile: file, envToken });
  } catch (err) {
    // A token file others may change is refused as an error (exit 1), not as bad usage.
    if (err instanceof ExecTokenError && !(err instanceof ExecTokenFileError)) {
      throw new UsageError(err.message);
    }
    throw err;
  }
}

/**
 * One log line for a server event (JSON-quoted values, so no client text can forge a line, each
 * cut to 200 characters).
 */
function logLine(event: ExecServerEvent): string {
  const peer = `peer=${formatAddress(event.peer)}`;
  if (event.kind === "rejected") return `${peer} rejected=${loggedValue(event.reason)}`;
  const what = event.request.argv !== undefined
    ? `argv=${loggedValue(event.request.argv)}`
    : `shell=${loggedValue(event.request.shell)}`;
  const time = `duration=${event.durationMs}ms`;
  const bound = `binding=${event.binding}`;
  const o = event.outcome;
  if (o === undefined) {
    return `${peer} ${what} refused=${loggedValue(event.refused)} ${time} ${bound}`;
  }
  const end = o.signal !== null ? `signal=${o.signal}` : `exit=${o.code}`;
  const flags = (o.timedOut ? " timed-out" : "") + (o.truncated ? " truncated" : "");
  return `${peer} ${what} ${end}${flags} ${time} output=${o.outputBytes}B ${bound}`;
}

/** One log line for a connection that failed before the protocol (a TLS handshake, mostly). */
function acceptErrorLine(error: NetworkError): string {
  return `${error.name === "TlsError" ? "tls" : "accept"}-failed=${loggedValue(error.message)}`;
}

const INSECURE_PLAINTEXT_FLAG = {
  type: "boolean",
  help: "Allow plaintext beyond loopback: anyone on the path reads commands and output, and " +
    "can relay a handshake to run commands of its own",
} as const;

/** How each command asks for TLS, for its usage errors. */
const TLS_WAYS = {
  "listen on": { flag: "--tls-cert", give: "--tls-cert and --tls-key", doing: "serving" },
  "connect to": {
    flag: "--tls",
    give: "--tls (and --tls-ca to pin its certificate)",
    doing: "connecting",
  },
} as const;

/**
 * The host and `--insecure-plaintext` as given, once checked: not with TLS, and needed for
 * plaintext beyond loopback (a usage error otherwise).
 */
function plaintextChoice(
  what: keyof typeof TLS_WAYS,
  flags: { host?: string; "insecure-plaintext"?: boolean },
  tls: object | undefined,
): { hostname: string; insecurePlaintext: boolean | undefined } {
  const hostname = flags.host ?? EXEC_DEFAULTS.hostname;
  const insecurePlaintext = flags["insecure-plaintext"];
  const way = TLS_WAYS[what];
  if (tls !== undefined && insecurePlaintext) {
    throw new UsageError(
      `--insecure-plaintext is for ${way.doing} without TLS, not with ${way.flag}`,
    );
  }
  if (refusesPlaintext(hostname, { tls, insecurePlaintext })) {
    throw new UsageError(
      `refusing to ${what} ${hostname} without TLS: give ${way.give}, or --insecure-plaintext ` +
        "(anyone on the path would read commands and output, and could run commands of its own)",
    );
  }
  return { hostname, insecurePlaintext };
}

/** Command lines logged per second at most (their audit trail); the rest are counted. */
const COMMAND_LINES_PER_SECOND = 20;

const serve = defineCommand({
  name: "serve",
  summary: "Run commands for clients that prove they hold the token",
  usage:
    "[--host H] [--port P] [--token-file F] [--tls-cert F --tls-key F | --insecure-plaintext] [--allow CMD]... [--shell] [--timeout SECONDS] [--max-output BYTES] [--cgroup MODE] [--idle-timeout SECONDS] [--frame-timeout SECONDS] [--max-connections-per-ip N] [--max-pending N] [--max-pending-per-ip N] [--penalty SECONDS] [--penalty-max SECONDS]",
  details: [
    `The token comes from --token-file (trailing line breaks removed) or ${TOKEN_ENV}; without one`,
    "the server does not start. Commands run without a shell unless --shell is given; --allow",
    "limits argv[0] to the names given and refuses shell commands. The first line on stdout is",
    "'listening on tcp://HOST:PORT' (tls:// with --tls-cert); stderr gets one line per command",
    "and per refused connection. SIGINT or SIGTERM stops the server and kills running commands",
    "(exit 0). Commands die with the server, even when it is killed (SIGKILL), and so does",
    "whatever they left running when they end.",
    "With --tls-cert and --tls-key it speaks TLS, and the handshake's proofs are bound to each",
    "connection. Beyond loopback (--host) it refuses to start without TLS (exit 2) unless",
    "--insecure-plaintext is given.",
    "",
    "Against hostile peers: a connection must authenticate within " +
    `${EXEC_DEFAULTS.handshakeTimeoutMs / 1000} s; --max-pending connections`,
    "may be authenticating at once, --max-pending-per-ip of them from one address, and one",
    "address may hold --max-connections-per-ip in all. An address whose handshakes fail " +
    `${EXEC_DEFAULTS.penaltyFailures} times`,
    `within ${EXEC_DEFAULTS.penaltyWindowMs / 1000} s (a wrong token, a timeout, garbage, ` +
    "a close before auth) waits",
    "--penalty, then twice as long each time up to --penalty-max: its connections are closed",
    "as they arrive; other addresses are not affected. stderr gets a few lines per second per",
    "cause, and a count of the rest.",
    "A connection that completes no frame for --idle-timeout while no command runs is closed",
    "(never while one runs, however silent), and so is one whose frame is not complete within",
    "--frame-timeout of its start. Protocol: docs/PROTOCOL.md; limits, containment and the",
    "threat model: docs/SECURITY.md.",
    "",
    "Example: unstuck exec serve --host 0.0.0.0 --tls-cert server.pem --tls-key server.key \\",
    "           --token-file token --allow uptime --allow df",
  ].join("\n"),
  flags: {
    ...common.addressFlags("server", EXEC_DEFAULTS),
    "token-file": TOKEN_FILE_FLAG,
    ...TLS_SERVER_FLAGS,
    "insecure-plaintext": INSECURE_PLAINTEXT_FLAG,
    allow: {
      type: "list",
      help: "Run only this program (argv[0], compared exactly); refuses shell commands",
      placeholder: "CMD",
    },
    shell: { type: "boolean", help: "Allow shell command lines (/bin/sh -c)" },
    timeout: common.secondsFlag(
      "Kill a command (and its process group) after this long",
      EXEC_DEFAULTS.timeoutMs,
      1,
      MAX_TIMER_SECONDS,
    ),
    "max-output": {
      type: "integer",
      help: "Cut a command's stdout + stderr at this many bytes, and kill it",
      placeholder: "BYTES",
      defaultText: String(EXEC_DEFAULTS.maxOutputBytes),
      min: 1,
    },
    cgroup: {
      type: "string",
      help: "Run each command in a cgroup v2 leaf, which catches what leaves its process " +
        "group (setsid): auto (when writable), required (else do not start) or off",
      placeholder: "MODE",
      defaultText: EXEC_DEFAULTS.cgroup,
    },
    ...peerLimitFlags(
      EXEC_DEFAULTS,
      "Close a connection that completes no frame for this long while no command runs (0: never)",
    ),
    "max-pending": countFlag(
      "Connections authenticating at once; a newcomer displaces the oldest after " +
        `${EXEC_DEFAULTS.handshakeDisplaceAfterMs / 1000} s, else is refused`,
      EXEC_DEFAULTS.maxPendingHandshakes,
    ),
    "max-pending-per-ip": countFlag(
      "Connections authenticating at once from one address; more are refused",
      EXEC_DEFAULTS.maxPendingHandshakesPerIp,
    ),
    penalty: timeoutFlag(
      "First wait of an address whose handshakes keep failing; each further one doubles " +
        "(0: no penalties)",
      EXEC_DEFAULTS.penaltyMs,
    ),
    "penalty-max": timeoutFlag("Longest wait of such an address", EXEC_DEFAULTS.penaltyMaxMs),
    adapter: common.ADAPTER_FLAG,
  },
  async run({ flags, positionals }): Promise<number> {
    common.noPositionals(positionals);
    const cgroup = flags.cgroup ?? EXEC_DEFAULTS.cgroup;
    if (cgroup !== "auto" && cgroup !== "required" && cgroup !== "off") {
      throw new UsageError(`--cgroup must be auto, required or off, got '${cgroup}'`);
    }
    if (flags.shell && flags.allow.length > 0) {
      throw new UsageError("--shell cannot be combined with --allow (an allow-list refuses shell)");
    }
    if (flags.allow.some((name) => name === "")) {
      throw new UsageError("--allow needs a program name, got ''");
    }
    const adapter = common.adapterName(flags.adapter);
    const tls = await serverTlsOf(flags);
    const { hostname, insecurePlaintext } = plaintextChoice("listen on", flags, tls);
    const loaded = await token(flags["token-file"]);
    if (loaded.warning) await writeStderr(`unstuck exec serve: warning: ${loaded.warning}\n`);
    if (!tls && !isLoopback(hostname)) {
      await writeStderr(
        `unstuck exec serve: warning: listening on ${hostname} beyond this machine without ` +
          "TLS (--insecure-plaintext): anyone on the path reads commands and output, and can " +
          "run commands of its own (see docs/PROTOCOL.md, Security notes)\n",
      );
    }
    if (cgroup === "auto" && containmentSupport().cgroupParent === null) {
      await writeStderr(
        "unstuck exec serve: warning: no writable cgroup v2 hierarchy: a command's processes " +
          "that leave its process group (setsid) survive its --timeout, its client and the " +
          "server (see docs/SECURITY.md)\n",
      );
    }
    // Under attack each cause of rejection gets a few lines a second, and a count of the rest;
    // commands get more (they are the audit trail), but not without bound either. A closed log
    // (stderr) must not stop the server.
    const write = (line: string): void => {
      writeStderr(escapeUnsafeText(line, { newlines: true }) + "\n").catch(() => {});
    };
    const rejections = new LogLimiter({ write });
    const commands = new LogLimiter({ write, perWindow: COMMAND_LINES_PER_SECOND });
    // Commands get the server's environment but not the token: what they print or start must
    // not be able to hand it on.
    const { [TOKEN_ENV]: _token, ...env } = environment();
    const server = await serveExec({
      token: loaded.token,
      env,
      ...common.addressOf(flags),
      allow: flags.allow.length > 0 ? flags.allow : undefined,
      shell: flags.shell,
      timeoutMs: common.millis(flags.timeout),
      maxOutputBytes: flags["max-output"],
      ...peerLimits(flags),
      maxPendingHandshakes: flags["max-pending"],
      maxPendingHandshakesPerIp: flags["max-pending-per-ip"],
      penaltyMs: common.millis(flags.penalty),
      penaltyMaxMs: common.millis(flags["penalty-max"]),
      cgroup,
      adapter,
      tls,
      insecurePlaintext,
      onEvent: (event) => {
        const line = `${new Date().toISOString()} ${logLine(event)}`;
        if (event.kind === "command") commands.log("exec serve: commands", line);
        else rejections.log(`exec serve: rejected (${event.code})`, line);
      },
      onAcceptError: (error) => {
        const line = `${new Date().toISOString()} ${acceptErrorLine(error)}`;
        rejections.log(`exec serve: ${error.name}`, line);
      },
    });
    try {
      return await serveUntilSignal(server, tcpScheme(tls));
    } finally {
      rejections.close();
      commands.close();
    }
  },
});

function transcoder(
  label: string | undefined,
): ((bytes: Uint8Array) => string | Uint8Array) | undefined {
  if (label === undefined) return undefined;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    throw new UsageError(`unknown --encoding '${label}'`);
  }
  return (bytes) => decoder.decode(bytes, { stream: bytes.length > 0 });
}

const run = defineCommand({
  name: "run",
  summary: "Run a command on an exec server",
  usage:
    "[--host H] [--port P] [--token-file F] [--tls [--tls-ca F] [--tls-server-name N] | --insecure-plaintext] [--connect-timeout SECONDS] [--shell] [--stdin] [--encoding LABEL] -- CMD [ARG...]",
  details: [
    "Remote stdout and stderr go to ours as they arrive. With --shell the words are joined with",
    "spaces and run by the server's /bin/sh -c (the server must allow it). With --stdin our stdin",
    "is streamed to the command. --encoding (e.g. gbk) decodes the remote output from that",
    "encoding and writes it as UTF-8. A handshake the server refuses (busy, or our address must",
    "wait after failed handshakes) is tried again, the pauses doubling, until --connect-timeout.",
    "With --tls (or --tls-ca, --tls-server-name) it speaks TLS; --tls-ca FILE trusts only the",
    "certificates in FILE (a CA bundle, or the server's self-signed certificate: pinning). The",
    "server must prove it holds the token, on this connection, before anything is sent. A host",
    "beyond loopback without TLS is refused (exit 2) unless --insecure-plaintext is given.",
    "",
    "Exit status: the remote command's; 128+N when signal N ended it; 124 when it timed out; 127",
    "when the server refused or could not start it; 255 when the connection, TLS or",
    "authentication (either side's) failed; 141 when our own stdout closed (| head); 2 for bad",
    "usage. A command that the server's --timeout or --max-output ended gets one line on stderr",
    "saying so.",
    "",
    "Example: unstuck exec run --host myhost --tls-ca server.pem --token-file token -- df -h /",
  ].join("\n"),
  flags: {
    ...common.addressFlags("client", EXEC_DEFAULTS),
    "token-file": TOKEN_FILE_FLAG,
    ...TLS_CLIENT_FLAGS,
    "insecure-plaintext": INSECURE_PLAINTEXT_FLAG,
    shell: { type: "boolean", help: "Run the words as one shell command line" },
    stdin: { type: "boolean", help: "Stream our stdin to the command" },
    encoding: {
      type: "string",
      help: "Transcode remote output from this encoding to UTF-8",
      placeholder: "LABEL",
    },
    "connect-timeout": common.secondsFlag(
      "Give up connecting and authenticating after this long, retries included",
      EXEC_DEFAULTS.connectTimeoutMs,
      1,
      MAX_TIMER_SECONDS,
    ),
    adapter: common.ADAPTER_FLAG,
  },
  async run({ flags, positionals }): Promise<number> {
    if (positionals.length === 0) throw new UsageError("no command given");
    // Refused here rather than by the server, after a connection and a handshake.
    if (flags.shell ? positionals.join(" ").trim() === "" : positionals[0] === "") {
      throw new UsageError(
        flags.shell ? "the shell command is empty" : "the program name is empty",
      );
    }
    const outText = transcoder(flags.encoding);
    const errText = transcoder(flags.encoding);
    const adapter = common.adapterName(flags.adapter);
    const tls = await clientTlsOf(flags);
    const { hostname, insecurePlaintext } = plaintextChoice("connect to", flags, tls);
    const { token: secret, warning } = await token(flags["token-file"]);
    if (warning) await writeStderr(`unstuck exec run: warning: ${warning}\n`);
    const url = `${tcpScheme(tls)}://${
      formatAddress({ hostname, port: flags.port ?? EXEC_DEFAULTS.port })
    }`;
    const fail = async (what: string, err: unknown): Promise<number> => {
      // One line, whatever the runtime put in its message (Node's TLS errors end in a newline).
      const why = (err instanceof Error ? err.message : String(err)).trim().replace(
        /\s*\n\s*/g,
        " ",
      );
      await writeStderr(`unstuck exec run: ${what}: ${why}\n`);
      return EXIT_CONNECTION_FAILED;
    };
    let client: ExecClient;
    try {
      client = await ExecClient.connect({
        token: secret,
        ...common.addressOf(flags),
        timeoutMs: common.millis(flags["connect-timeout"]),
        adapter,
        tls,
        insecurePlaintext,
      });
    } catch (err) {
      return await fail(`cannot connect to ${url}`, err);
    }
    let result: ExecResult;
    let localOutputClosed = false;
    const local = (write: typeof writeStdout) => async (data: string | Uint8Array) => {
      await write(data).catch((err) => {
        localOutputClosed = true;
        throw err;
      });
    };
    const [toStdout, toStderr] = [local(writeStdout), local(writeStderr)];
    try {
      result = await client.run({
        ...(flags.shell ? { shell: positionals.join(" ") } : { argv: positionals }),
        stdin: flags.stdin ? readStdin() : undefined,
        onStdout: (bytes) => toStdout(outText ? outText(bytes) : bytes),
        onStderr: (bytes) => toStderr(errText ? errText(bytes) : bytes),
      });
    } catch (err) {
      // Our reader went away (`| head`): stop quietly, as a process killed by SIGPIPE would.
      if (localOutputClosed) return EXIT_SIGPIPE;
      if (!(err instanceof ExecCommandError)) return await fail(url, err);
      await writeStderr(`unstuck exec run: ${err.message}\n`);
      return EXIT_NOT_STARTED;
    } finally {
      client.close();
    }
    if (outText) await writeStdout(outText(new Uint8Array(0)));
    if (errText) await writeStderr(errText(new Uint8Array(0)));
    if (result.timedOut) {
      await writeStderr(
        "unstuck exec run: timed out: the server's --timeout was reached and the command killed\n",
      );
    }
    if (result.truncated) {
      await writeStderr(
        "unstuck exec run: output truncated: the server's --max-output was reached\n",
      );
    }
    return exitCodeOf(result);
  },
});

/** The `exec` command group. */
export const execCommand: GroupCommand = {
  name: "exec",
  summary: "Authenticated remote exec: server and client",
  subcommands: [serve, run],
};

/**
 * `unstuck exec serve` and `unstuck exec run`: the authenticated remote-exec service.
 *
 * @module
 */
import { UsageError } from "../args.ts";
import { defineCommand, type GroupCommand } from "../command.ts";
import * as common from "../common_flags.ts";
import { serveUntilSignal } from "../serve.ts";
import {
  containmentSupport,
  environment,
  formatAddress,
  isLoopback,
  readStdin,
  writeStderr,
  writeStdout,
} from "../../runtime/mod.ts";
import {
  EXEC_DEFAULTS,
  ExecClient,
  ExecCommandError,
  type ExecResult,
  type ExecServerEvent,
  ExecTokenError,
  ExecTokenFileError,
  type LoadedToken,
  loadToken,
  MAX_TIMER_MS,
  serveExec,
  TOKEN_ENV,
} from "../../services/mod.ts";
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

/** One log line for a server event (JSON-quoted values, so no client text can forge a line). */
function logLine(event: ExecServerEvent): string {
  const peer = `peer=${formatAddress(event.peer)}`;
  if (event.kind === "rejected") return `${peer} rejected=${JSON.stringify(event.reason)}`;
  const what = event.request.argv !== undefined
    ? `argv=${JSON.stringify(event.request.argv)}`
    : `shell=${JSON.stringify(event.request.shell)}`;
  const time = `duration=${event.durationMs}ms`;
  const o = event.outcome;
  if (o === undefined) return `${peer} ${what} refused=${JSON.stringify(event.refused)} ${time}`;
  const end = o.signal !== null ? `signal=${o.signal}` : `exit=${o.code}`;
  const flags = (o.timedOut ? " timed-out" : "") + (o.truncated ? " truncated" : "");
  return `${peer} ${what} ${end}${flags} ${time} output=${o.outputBytes}B`;
}

const serve = defineCommand({
  name: "serve",
  summary: "Run commands for clients that prove they hold the token",
  usage:
    "[--host H] [--port P] [--token-file F] [--allow CMD]... [--shell] [--timeout SECONDS] [--max-output BYTES] [--cgroup MODE]",
  details: [
    `The token comes from --token-file (trailing line breaks removed) or ${TOKEN_ENV}; without one`,
    "the server does not start. Commands run without a shell unless --shell is given; --allow",
    "limits argv[0] to the names given and refuses shell commands. The first line on stdout is",
    "'listening on tcp://HOST:PORT'; stderr gets one line per command. SIGINT or SIGTERM stops",
    "the server and kills running commands (exit 0). Commands die with the server, even when it",
    "is killed (SIGKILL), and so does whatever they left running when they end. Protocol:",
    "docs/PROTOCOL.md; containment and its limits: docs/SECURITY.md.",
    "",
    "Example: unstuck exec serve --token-file token --allow uptime --allow df",
  ].join("\n"),
  flags: {
    ...common.addressFlags("server", EXEC_DEFAULTS),
    "token-file": TOKEN_FILE_FLAG,
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
      Math.floor(MAX_TIMER_MS / 1000),
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
    const loaded = await token(flags["token-file"]);
    if (loaded.warning) await writeStderr(`unstuck exec serve: warning: ${loaded.warning}\n`);
    const hostname = flags.host ?? EXEC_DEFAULTS.hostname;
    if (!isLoopback(hostname)) {
      await writeStderr(
        `unstuck exec serve: warning: listening on ${hostname}, beyond this machine; the ` +
          "protocol does not encrypt (see docs/PROTOCOL.md, Security notes)\n",
      );
    }
    if (cgroup === "auto" && containmentSupport().cgroupParent === null) {
      await writeStderr(
        "unstuck exec serve: warning: no writable cgroup v2 hierarchy: a command's processes " +
          "that leave its process group (setsid) survive its --timeout, its client and the " +
          "server (see docs/SECURITY.md)\n",
      );
    }
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
      cgroup,
      adapter,
      // A closed log (stderr) must not stop the server.
      onEvent: (event) => {
        writeStderr(`${new Date().toISOString()} ${logLine(event)}\n`).catch(() => {});
      },
    });
    return await serveUntilSignal(server, "tcp");
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
    "[--host H] [--port P] [--token-file F] [--shell] [--stdin] [--encoding LABEL] -- CMD [ARG...]",
  details: [
    "Remote stdout and stderr go to ours as they arrive. With --shell the words are joined with",
    "spaces and run by the server's /bin/sh -c (the server must allow it). With --stdin our stdin",
    "is streamed to the command. --encoding (e.g. gbk) decodes the remote output from that",
    "encoding and writes it as UTF-8.",
    "",
    "Exit status: the remote command's; 128+N when signal N ended it; 124 when it timed out; 127",
    "when the server refused or could not start it; 255 when the connection or authentication",
    "failed; 141 when our own stdout closed (| head); 2 for bad usage. A command that the",
    "server's --timeout or --max-output ended gets one line on stderr saying so.",
    "",
    "Example: unstuck exec run --token-file token -- df -h /",
  ].join("\n"),
  flags: {
    ...common.addressFlags("client", EXEC_DEFAULTS),
    "token-file": TOKEN_FILE_FLAG,
    shell: { type: "boolean", help: "Run the words as one shell command line" },
    stdin: { type: "boolean", help: "Stream our stdin to the command" },
    encoding: {
      type: "string",
      help: "Transcode remote output from this encoding to UTF-8",
      placeholder: "LABEL",
    },
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
    const { token: secret, warning } = await token(flags["token-file"]);
    if (warning) await writeStderr(`unstuck exec run: warning: ${warning}\n`);
    const url = `tcp://${
      formatAddress({
        hostname: flags.host ?? EXEC_DEFAULTS.hostname,
        port: flags.port ?? EXEC_DEFAULTS.port,
      })
    }`;
    const fail = async (what: string, err: unknown): Promise<number> => {
      const why = err instanceof Error ? err.message : String(err);
      await writeStderr(`unstuck exec run: ${what}: ${why}\n`);
      return EXIT_CONNECTION_FAILED;
    };
    let client: ExecClient;
    try {
      client = await ExecClient.connect({
        token: secret,
        ...common.addressOf(flags),
        adapter,
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

/**
 * The CLI's entry function: dispatches to a command, prints help and usage errors, and maps
 * failures to exit codes (0 ok, 1 runtime error, 2 usage error).
 *
 * @module
 */
import { formatFlags, parseArgs, UsageError } from "./args.ts";
import type { Command, GroupCommand, LeafCommand } from "./command.ts";
import { COMMANDS } from "./commands.ts";
import { VERSION } from "../version.ts";
import { DEFAULT_HOST, writeStderr, writeStdout } from "../runtime/mod.ts";

const PROGRAM = "unstuck";

const ROOT: GroupCommand = {
  name: PROGRAM,
  summary: "message-oriented networking that is correct by default",
  subcommands: COMMANDS,
};

const ROOT_FOOTER = [
  "Examples:",
  "  unstuck demo                           sticky packets, and framing fixing them",
  `  unstuck echo serve --port 0 --upper    prints 'listening on tcp://${DEFAULT_HOST}:PORT'`,
  "  unstuck echo send --port PORT hi       prints HI",
  "  unstuck chat serve   /   unstuck chat join --name alice",
  "  unstuck exec serve --token-file F      runs commands for clients that hold the token",
  "  unstuck exec run --token-file F -- ls  runs ls there; exits with its exit status",
  "  unstuck struct pack '!I' 5             prints 00000005",
  "",
  "Exit status: 0 ok, 1 runtime error, 2 usage error. Servers stop on SIGINT or SIGTERM",
  "after the messages in flight and exit 0.",
];

function isGroup(c: Command): c is GroupCommand {
  return "subcommands" in c;
}

function groupHelp(path: string[], group: GroupCommand): string {
  const width = Math.max(0, ...group.subcommands.map((c) => c.name.length));
  const list = group.subcommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  const top = path.length === 1;
  return [
    top ? `${PROGRAM} ${VERSION}: ${group.summary}` : `${path.join(" ")}: ${group.summary}`,
    "",
    `Usage: ${path.join(" ")} <command> [options]`,
    "",
    "Commands:",
    list,
    "",
    "Options:",
    "  -h, --help     Show this help",
    ...(top ? ["  -V, --version  Print the version"] : []),
    "",
    `Run '${path.join(" ")} <command> --help' for a command's options.`,
    ...(top ? ["", ...ROOT_FOOTER] : []),
    "",
  ].join("\n");
}

function leafHelp(path: string[], leaf: LeafCommand): string {
  return [
    `${path.join(" ")}: ${leaf.summary}`,
    "",
    `Usage: ${path.join(" ")} ${leaf.usage}`.trimEnd(),
    "",
    "Options:",
    formatFlags(leaf.flags),
    ...(leaf.details ? ["", leaf.details.trimEnd()] : []),
    "",
  ].join("\n");
}

/**
 * Runs the CLI with these arguments (without program and script names).
 *
 * @returns the exit code
 */
export async function run(argv: readonly string[]): Promise<number> {
  const path = [PROGRAM];
  let node: Command = ROOT;
  let rest = [...argv];
  try {
    while (isGroup(node)) {
      const [word, ...tail] = rest;
      if (word === undefined) {
        const names = node.subcommands.map((c) => c.name).join(", ");
        throw new UsageError(`missing command, one of: ${names}`);
      }
      if (word === "-h" || word === "--help" || word === "help") {
        await writeStdout(groupHelp(path, node));
        return 0;
      }
      if (node === ROOT && (word === "-V" || word === "--version")) {
        await writeStdout(`${PROGRAM} ${VERSION}\n`);
        return 0;
      }
      const next: Command | undefined = node.subcommands.find((c) => c.name === word);
      if (!next) {
        throw new UsageError(
          word.startsWith("-") ? `unknown flag ${word}` : `unknown command '${word}'`,
        );
      }
      path.push(word);
      node = next;
      rest = tail;
    }
    const args = parseArgs(rest, node.flags);
    if (args.help) {
      await writeStdout(leafHelp(path, node));
      return 0;
    }
    return await node.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      await writeStderr(`${path.join(" ")}: ${err.message} (see '${path.join(" ")} --help')\n`);
      return 2;
    }
    // A reader that went away (`unstuck demo | head`) is not an error of ours.
    if ((err as { code?: unknown } | null)?.code === "EPIPE") return 0;
    // One line, whatever the runtime put in its message (Node's TLS errors end in a newline).
    const message = (err instanceof Error ? err.message : String(err)).trim()
      .replace(/\s*\n\s*/g, " ");
    await writeStderr(`${path.join(" ")}: error: ${message}\n`);
    return 1;
  }
}

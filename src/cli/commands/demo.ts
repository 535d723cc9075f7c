/**
 * `unstuck demo`.
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import { ADAPTER_FLAG, adapterName, noPositionals } from "../common_flags.ts";
import { DEFAULT_HOST, writeStdout } from "../../runtime/mod.ts";
import { runDemo } from "../../services/mod.ts";

/** Shows sticky packets and their fix on loopback. */
export const demoCommand = defineCommand({
  name: "demo",
  summary: "Show sticky packets on raw TCP, and framing fixing them (loopback only)",
  usage: "[--adapter NAME]",
  details: [
    `Starts a server and a client on ${DEFAULT_HOST} in this process and shows: two small writes`,
    "arriving stuck together in one read; the same messages, framed, decoded as two; and one",
    "large framed message arriving over many reads and reassembled whole.",
  ].join("\n"),
  flags: { adapter: ADAPTER_FLAG },
  async run({ flags, positionals }): Promise<number> {
    noPositionals(positionals);
    const result = await runDemo({
      adapter: adapterName(flags.adapter),
      print: (line) => writeStdout(line + "\n"),
    });
    return result.largeIntact && result.framedMessages.length === 2 ? 0 : 1;
  },
});

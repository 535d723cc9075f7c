/**
 * Flags shared by the network commands, and their checks.
 *
 * @module
 */
import { type FlagDef, UsageError } from "./args.ts";
import type { AdapterName } from "../runtime/types.ts";
import { DEFAULT_HOST } from "../runtime/shared/address.ts";

/** `--host H` for a server (the address to bind) or a client (the server's host). */
export function hostFlag(role: "server" | "client"): FlagDef & { type: "string" } {
  return {
    type: "string",
    help: role === "server" ? "Address to bind" : "Server's host",
    placeholder: "HOST",
    defaultText: DEFAULT_HOST,
  };
}

/** `--port P` for a server (0: any free port) or a client, with the given default. */
export function portFlag(
  role: "server" | "client",
  defaultPort: number,
): FlagDef & { type: "integer" } {
  return {
    type: "integer",
    short: "p",
    help: role === "server" ? "Port to bind (0: any free port)" : "Server's port",
    placeholder: "PORT",
    defaultText: String(defaultPort),
    min: role === "server" ? 0 : 1,
    max: 65_535,
  };
}

/** `--adapter NAME`. */
export const ADAPTER_FLAG: FlagDef & { type: "string" } = {
  type: "string",
  help: "Runtime adapter: node, deno or bun",
  placeholder: "NAME",
  defaultText: "the running runtime's",
};

/**
 * Checks `--adapter`.
 *
 * @throws {UsageError} for a name other than node, deno or bun
 */
export function adapterName(value: string | undefined): AdapterName | undefined {
  if (value === undefined || value === "node" || value === "deno" || value === "bun") return value;
  throw new UsageError(`--adapter must be node, deno or bun, got '${value}'`);
}

/**
 * Refuses positional arguments for a command that takes none.
 *
 * @throws {UsageError} when there are some
 */
export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
}

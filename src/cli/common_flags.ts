/**
 * Flags shared by the network commands, and their checks.
 *
 * @module
 */
import { type FlagDef, UsageError } from "./args.ts";
import type { AdapterName } from "../runtime/mod.ts";

/** The defaults every service has, as its defaults object holds them. */
export interface AddressDefaults {
  /** The host its servers bind and its clients reach. */
  readonly hostname: string;
  /** The port its servers bind and its clients reach. */
  readonly port: number;
}

/** `--host H` for a server (the address to bind) or a client (the server's host). */
export function hostFlag(
  role: "server" | "client",
  defaults: AddressDefaults,
): FlagDef & { type: "string" } {
  return {
    type: "string",
    help: role === "server" ? "Address to bind" : "Server's host",
    placeholder: "HOST",
    defaultText: defaults.hostname,
  };
}

/** `--port P` for a server (0: any free port) or a client, with the service's default. */
export function portFlag(
  role: "server" | "client",
  defaults: AddressDefaults,
): FlagDef & { type: "integer" } {
  return {
    type: "integer",
    short: "p",
    help: role === "server" ? "Port to bind (0: any free port)" : "Server's port",
    placeholder: "PORT",
    defaultText: String(defaults.port),
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

/** Milliseconds for a flag given in seconds; undefined (the service's default) when absent. */
export function secondsFlag(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}

/** A default in milliseconds, as a flag in seconds shows it. */
export function inSeconds(ms: number): string {
  return String(ms / 1000);
}

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

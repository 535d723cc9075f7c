/**
 * Flags shared by the network commands, and their checks. Defaults shown in help come from the
 * service's defaults object.
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

/** The flags of {@linkcode addressFlags}. */
export interface AddressFlags {
  /** `--host H`. */
  host: FlagDef & { type: "string" };
  /** `--port P`, `-p P`. */
  port: FlagDef & { type: "integer" };
}

/**
 * `--host H` and `--port P` for a server (the address to bind; port 0: any free port) or a client
 * (the server's address), with the service's defaults.
 */
export function addressFlags(role: "server" | "client", defaults: AddressDefaults): AddressFlags {
  const server = role === "server";
  return {
    host: {
      type: "string",
      help: server ? "Address to bind" : "Server's host",
      placeholder: "HOST",
      defaultText: defaults.hostname,
    },
    port: {
      type: "integer",
      short: "p",
      help: server ? "Port to bind (0: any free port)" : "Server's port",
      placeholder: "PORT",
      defaultText: String(defaults.port),
      min: server ? 0 : 1,
      max: 65_535,
    },
  };
}

/**
 * The address `--host` and `--port` give, as a service's options take it: undefined where a flag
 * is absent, so that the service's default applies.
 */
export function addressOf(
  flags: { host: string | undefined; port: number | undefined },
): { hostname: string | undefined; port: number | undefined } {
  return { hostname: flags.host, port: flags.port };
}

/** A flag given in seconds for an option in milliseconds, its default shown in seconds. */
export function secondsFlag(
  help: string,
  defaultMs: number,
  min: number,
  max: number,
): FlagDef & { type: "integer" } {
  return {
    type: "integer",
    help,
    placeholder: "SECONDS",
    defaultText: String(defaultMs / 1000),
    min,
    max,
  };
}

/** Milliseconds for a flag given in seconds; undefined (the service's default) when absent. */
export function millis(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
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

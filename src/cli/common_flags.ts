/**
 * Flags shared by the network commands, and their checks.
 *
 * @module
 */
import { type FlagDef, UsageError } from "./args.ts";
import type { AdapterName } from "../runtime/types.ts";
import { DEFAULT_HOST } from "../services/defaults.ts";

/** `--host H`. */
export const HOST_FLAG: FlagDef & { type: "string" } = {
  type: "string",
  help: "Host to bind or reach",
  placeholder: "HOST",
  defaultText: DEFAULT_HOST,
};

/** `--port P` with the given default. */
export function portFlag(defaultPort: number): FlagDef & { type: "integer" } {
  return {
    type: "integer",
    short: "p",
    help: "Port (0: let the OS pick)",
    placeholder: "PORT",
    defaultText: String(defaultPort),
    min: 0,
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

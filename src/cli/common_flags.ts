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

/** The largest `--receive-buffer` (the kernel takes an `int`). */
const MAX_RECEIVE_BUFFER = 2 ** 31 - 1;

/** `--receive-buffer BYTES` of a UDP server, with the service's default. */
export function receiveBufferFlag(defaultBytes: number): FlagDef & { type: "integer" } {
  return {
    type: "integer",
    help: "UDP: kernel receive buffer (SO_RCVBUF) to ask for; a burst beyond it is dropped " +
      "(capped by net.core.rmem_max; Deno cannot set it)",
    placeholder: "BYTES",
    defaultText: String(defaultBytes),
    min: 1,
    max: MAX_RECEIVE_BUFFER,
  };
}

/**
 * The stderr line of a UDP server command whose receive buffer is not what it asked for: the
 * runtime cannot set it (`reported` undefined: Deno), or the system granted less. Undefined when
 * the buffer holds at least `asked` bytes (Linux reports twice what it granted).
 *
 * @example
 * ```ts
 * import { receiveBufferNote } from "./common_flags.ts";
 * console.log(receiveBufferNote("chat serve", 4194304, undefined)?.startsWith("chat serve:"));
 * // true
 * console.log(receiveBufferNote("chat serve", 4194304, 8388608)); // undefined
 * ```
 */
export function receiveBufferNote(
  command: string,
  asked: number,
  reported: number | undefined,
): string | undefined {
  if (reported === undefined) {
    return `${command}: receive buffer of ${asked} bytes not set: this runtime cannot set ` +
      "SO_RCVBUF; the system's default holds, and a burst beyond it is dropped by the kernel";
  }
  if (reported >= asked) return undefined;
  return `${command}: receive buffer: asked for ${asked} bytes, the kernel holds ${reported} ` +
    "(on Linux, raise net.core.rmem_max with sysctl)";
}

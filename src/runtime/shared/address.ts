/**
 * The addresses the adapters bind and reach, checked the same way in every runtime before any
 * runtime call: the runtimes disagree on a bad port, and some do not refuse it (`node:dgram` binds
 * port 70000 as 4464 and 1.5 as 1; Deno's datagram `send` to port 70000 resolves).
 *
 * @module
 */
import type { NetAddress } from "../types.ts";

/** The host the adapters bind and connect to unless told otherwise. */
export const DEFAULT_HOSTNAME = "127.0.0.1";

/**
 * The address to bind: `hostname` (default 127.0.0.1) and `port` (default 0, the OS picks).
 * Throws `RangeError` unless the port is an integer from 0 to 65535.
 *
 * @example
 * ```ts
 * import { bindAddress } from "./address.ts";
 * console.log(bindAddress({})); // { hostname: "127.0.0.1", port: 0 }
 * ```
 */
export function bindAddress(options: { hostname?: string; port?: number }): NetAddress {
  const port = options.port ?? 0;
  checkPort(port, 0);
  return { hostname: options.hostname ?? DEFAULT_HOSTNAME, port };
}

/**
 * The address of a peer to reach: `hostname` (default 127.0.0.1) and `port`. Throws `RangeError`
 * unless the port is an integer from 1 to 65535.
 *
 * @example
 * ```ts
 * import { peerAddress } from "./address.ts";
 * console.log(peerAddress({ port: 8080 })); // { hostname: "127.0.0.1", port: 8080 }
 * ```
 */
export function peerAddress(options: { hostname?: string; port: number }): NetAddress {
  checkPort(options.port, 1);
  return { hostname: options.hostname ?? DEFAULT_HOSTNAME, port: options.port };
}

function checkPort(port: number, min: number): void {
  if (!Number.isInteger(port) || port < min || port > 65_535) {
    throw new RangeError(`port must be an integer from ${min} to 65535, got ${port}`);
  }
}

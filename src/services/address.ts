/**
 * How the services and the CLI write an address: `host:port`.
 *
 * @module
 */
import type { NetAddress } from "../runtime/types.ts";

/**
 * `host:port`, with brackets around an IPv6 host: what `listening on` lines and logs print, and
 * the chat room's default name for a peer.
 *
 * @example
 * ```ts
 * import { formatAddress } from "@unstuck/unstuck";
 * console.log(formatAddress({ hostname: "::1", port: 8080 })); // "[::1]:8080"
 * ```
 */
export function formatAddress(address: NetAddress): string {
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return `${host}:${address.port}`;
}

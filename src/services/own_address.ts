/**
 * Whether a datagram claims to come from the server's own address: a reply would go to the
 * server itself and loop. Only a forged source does that.
 *
 * @module
 */
import { isLoopback, type NetAddress, sameHost } from "../runtime/mod.ts";

/**
 * Whether `remote` is `local` (the address a server bound): the same port, and the same host,
 * or any loopback host when `local` is a wildcard address (`0.0.0.0`, `::`). A wildcard server's
 * other interface addresses are not known here; its per-source rate limit still bounds a loop
 * through them.
 *
 * @example
 * ```ts
 * import { isOwnAddress } from "./own_address.ts";
 * const local = { hostname: "0.0.0.0", port: 8080 };
 * console.log(isOwnAddress({ hostname: "127.0.0.1", port: 8080 }, local)); // true
 * ```
 */
export function isOwnAddress(remote: NetAddress, local: NetAddress): boolean {
  if (remote.port !== local.port) return false;
  if (sameHost(remote.hostname, local.hostname)) return true;
  const wildcard = sameHost(local.hostname, "0.0.0.0") || sameHost(local.hostname, "::");
  return wildcard && isLoopback(remote.hostname);
}

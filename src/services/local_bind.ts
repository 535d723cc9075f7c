/**
 * Which local address a UDP client binds to reach a given host.
 *
 * @module
 */

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1"]);

/**
 * Loopback for a loopback target (so nothing listens beyond this machine), else the wildcard
 * address of the target's family.
 *
 * @example
 * ```ts
 * import { localBindFor } from "./local_bind.ts";
 * console.log(localBindFor("127.0.0.1")); // "127.0.0.1"
 * ```
 */
export function localBindFor(hostname: string): string {
  const v6 = hostname.includes(":");
  if (LOOPBACK.has(hostname) || hostname.startsWith("127.")) return v6 ? "::1" : "127.0.0.1";
  return v6 ? "::" : "0.0.0.0";
}

/**
 * Addresses, in one place: the default host, which hosts are loopback, how an address is written,
 * and the addresses the adapters bind and reach, checked the same way in every runtime before any
 * runtime call (the runtimes disagree on a bad port, and some do not refuse it: `node:dgram` binds
 * port 70000 as 4464 and 1.5 as 1; Deno's datagram `send` to port 70000 resolves).
 *
 * The loopback rule: `localhost` (any case), IPv4 127.0.0.0/8, IPv6 `::1`, and IPv4 127.0.0.0/8
 * mapped into IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`), in any spelling of IPv6. IP literals
 * are taken only as runtimes print them: an IPv4 part with a leading zero (`127.0.0.01`, which
 * some resolvers read as octal) is no literal, so no loopback address.
 *
 * @module
 */
import type { NetAddress } from "../types.ts";

/**
 * The host every server binds, and every client reaches, unless told otherwise: IPv4 loopback,
 * so that nothing is exposed beyond this machine by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_HOST } from "@unstuck/unstuck";
 * console.log(DEFAULT_HOST); // "127.0.0.1"
 * ```
 */
export const DEFAULT_HOST = "127.0.0.1";

/**
 * The address to bind: `hostname` (default {@linkcode DEFAULT_HOST}) and `port` (default 0, the
 * OS picks). Throws `RangeError` unless the port is an integer from 0 to 65535.
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
  return { hostname: options.hostname ?? DEFAULT_HOST, port };
}

/**
 * The address of a peer to reach: `hostname` (default {@linkcode DEFAULT_HOST}) and `port`.
 * Throws `RangeError` unless the port is an integer from 1 to 65535.
 *
 * @example
 * ```ts
 * import { peerAddress } from "./address.ts";
 * console.log(peerAddress({ port: 8080 })); // { hostname: "127.0.0.1", port: 8080 }
 * ```
 */
export function peerAddress(options: { hostname?: string; port: number }): NetAddress {
  checkPort(options.port, 1);
  return { hostname: options.hostname ?? DEFAULT_HOST, port: options.port };
}

function checkPort(port: number, min: number): void {
  if (!Number.isInteger(port) || port < min || port > 65_535) {
    throw new RangeError(`port must be an integer from ${min} to 65535, got ${port}`);
  }
}

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

/** The four bytes of a dotted-quad IPv4 literal, or undefined. */
function parseIpv4(host: string): number[] | undefined {
  const parts = host.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : 256));
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** The eight 16-bit groups of an IPv6 literal (`::` and a dotted IPv4 tail allowed), or undefined. */
function parseIpv6(host: string): number[] | undefined {
  if (!host.includes(":")) return undefined;
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === "") return [];
    const out: number[] = [];
    const words = text.split(":");
    for (const [i, word] of words.entries()) {
      const v4 = i === words.length - 1 && word.includes(".") ? parseIpv4(word) : undefined;
      if (v4) out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      else if (/^[0-9a-f]{1,4}$/i.test(word)) out.push(parseInt(word, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  // A dotted tail may only end the address.
  if (halves.length === 2 && halves[0].includes(".")) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** The IPv4 bytes an IPv6 address maps (`::ffff:a.b.c.d`), or undefined. */
function mappedIpv4(groups: readonly number[]): number[] | undefined {
  if (!groups.slice(0, 5).every((g) => g === 0) || groups[5] !== 0xffff) return undefined;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff];
}

/**
 * One spelling per IP address, IPv4-mapped IPv6 written as IPv4; undefined for a name.
 *
 * @example
 * ```ts
 * import { canonicalIp } from "./address.ts";
 * console.log(canonicalIp("::FFFF:7f00:1"), canonicalIp("0::1")); // "127.0.0.1" "::1"
 * ```
 */
export function canonicalIp(host: string): string | undefined {
  const v4 = parseIpv4(host);
  if (v4) return v4.join(".");
  const v6 = parseIpv6(host);
  if (v6 === undefined) return undefined;
  const mapped = mappedIpv4(v6);
  if (mapped) return mapped.join(".");
  // RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as `::`.
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && v6[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = v6.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

/**
 * Whether `host` is an IP address (IPv4 dotted quad, or IPv6) rather than a name to resolve.
 *
 * @example
 * ```ts
 * import { isIpLiteral } from "@unstuck/unstuck";
 * console.log(isIpLiteral("::1"), isIpLiteral("10.0.0.1"), isIpLiteral("localhost")); // true true false
 * ```
 */
export function isIpLiteral(host: string): boolean {
  return canonicalIp(host) !== undefined;
}

/**
 * Whether `host` is reachable from this machine only: `localhost`, 127.0.0.0/8, `::1`, or
 * 127.0.0.0/8 mapped into IPv6 (`::ffff:127.0.0.1`).
 *
 * @example
 * ```ts
 * import { isLoopback } from "@unstuck/unstuck";
 * console.log(isLoopback("127.1.2.3"), isLoopback("::ffff:127.0.0.1"), isLoopback("0.0.0.0")); // true true false
 * ```
 */
export function isLoopback(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const ip = canonicalIp(host);
  return ip === "::1" || (ip !== undefined && /^127\./.test(ip));
}

/**
 * Whether two hosts are the same IP address, however written (`::ffff:127.0.0.1` and
 * `127.0.0.1` are); names are compared without regard to case.
 *
 * @example
 * ```ts
 * import { sameHost } from "@unstuck/unstuck";
 * console.log(sameHost("::ffff:127.0.0.1", "127.0.0.1"), sameHost("::1", "127.0.0.1")); // true false
 * ```
 */
export function sameHost(a: string, b: string): boolean {
  return hostKey(a) === hostKey(b);
}

/**
 * One key per host, for tables per address: an IP address in one spelling ({@linkcode canonicalIp},
 * IPv4-mapped IPv6 as IPv4), a name lower-cased.
 *
 * @example
 * ```ts
 * import { hostKey } from "@unstuck/unstuck";
 * console.log(hostKey("::FFFF:127.0.0.2"), hostKey("0:0::1"), hostKey("LocalHost")); // "127.0.0.2" "::1" "localhost"
 * ```
 */
export function hostKey(host: string): string {
  return canonicalIp(host) ?? host.toLowerCase();
}

/**
 * The local address a UDP client binds to reach `hostname`: loopback of the target's family for
 * a loopback target (so that nothing listens beyond this machine), else the wildcard address of
 * the target's family.
 *
 * @example
 * ```ts
 * import { localBindFor } from "@unstuck/unstuck";
 * console.log(localBindFor("127.0.0.2"), localBindFor("::1"), localBindFor("10.0.0.1")); // "127.0.0.1" "::1" "0.0.0.0"
 * ```
 */
export function localBindFor(hostname: string): string {
  const v6 = hostname.includes(":");
  if (!isLoopback(hostname)) return v6 ? "::" : "0.0.0.0";
  if (!v6) return DEFAULT_HOST;
  // An IPv4 loopback address written as IPv6 is reached from IPv4 loopback mapped into IPv6.
  return canonicalIp(hostname) === "::1" ? "::1" : `::ffff:${DEFAULT_HOST}`;
}

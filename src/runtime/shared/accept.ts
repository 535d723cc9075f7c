/**
 * What a server does when accepting a connection fails: the one rule every adapter follows.
 * A failure that concerns one connection (its peer reset before we took it, a firewall refused
 * it) or our resources (out of file descriptors) is reported and accepting goes on; anything
 * else means the listening socket itself failed, and the server closes visibly.
 *
 * @module
 */
import type { NetAddress } from "../types.ts";
import { errorCode, type NetworkError } from "../errors.ts";

/**
 * Codes of accept failures that concern one connection: accept the next one at once. Linux's
 * accept(2) also passes on a pending network error of the new connection (the ENET*, EHOST*
 * codes), and EPERM is a firewall's refusal.
 */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  "ECONNABORTED",
  "ECONNRESET",
  "ENOTCONN",
  "EPROTO",
  "EPERM",
  "ETIMEDOUT",
  "EINTR",
  "EAGAIN",
  "ENETDOWN",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EHOSTUNREACH",
  "ENONET",
  "ENOPROTOOPT",
  "EOPNOTSUPP",
]);

/**
 * Codes of accept failures for want of resources (descriptors, memory): the connection waits in
 * the backlog, and accepting again at once would only spin until something is freed.
 */
const RESOURCE_CODES: ReadonlySet<string> = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);

/** How long a server waits before accepting again when it ran out of descriptors or memory. */
export const ACCEPT_BACKOFF_MS = 100;

/** The default reporter writes at most one line per server this often. */
export const ACCEPT_REPORT_INTERVAL_MS = 10_000;

/**
 * How long to wait before accepting again after `error`: 0 for one connection's failure,
 * {@linkcode ACCEPT_BACKOFF_MS} when out of descriptors or memory, undefined when the listening
 * socket itself failed (any other code, or none).
 *
 * @example
 * ```ts
 * import { acceptRetryDelay } from "./accept.ts";
 * console.log(acceptRetryDelay(Object.assign(new Error("x"), { code: "ENOTCONN" }))); // 0
 * console.log(acceptRetryDelay(Object.assign(new Error("x"), { code: "EBADF" }))); // undefined
 * ```
 */
export function acceptRetryDelay(error: unknown): number | undefined {
  const code = errorCode(error);
  if (code === undefined) return undefined;
  if (CONNECTION_CODES.has(code)) return 0;
  if (RESOURCE_CODES.has(code)) return ACCEPT_BACKOFF_MS;
  return undefined;
}

/**
 * The reporter a server uses when `ListenOptions.onAcceptError` is not given: one line on
 * stderr, at most once per {@linkcode ACCEPT_REPORT_INTERVAL_MS} for each server, counting the
 * failures it did not print since its last line, so that a flood of resets cannot flood the log.
 *
 * @example
 * ```ts
 * import { defaultAcceptErrorReporter } from "./accept.ts";
 * import { NetworkError } from "../errors.ts";
 * const report = defaultAcceptErrorReporter({ hostname: "127.0.0.1", port: 8080 });
 * report(new NetworkError("accept failed: ENOTCONN", { code: "ENOTCONN" })); // printed
 * report(new NetworkError("accept failed: ENOTCONN", { code: "ENOTCONN" })); // counted
 * ```
 */
export function defaultAcceptErrorReporter(addr: NetAddress): (error: NetworkError) => void {
  let last = -Infinity;
  let unreported = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < ACCEPT_REPORT_INTERVAL_MS) {
      unreported++;
      return;
    }
    last = now;
    const more = unreported === 0 ? "" : ` (${unreported} more since the last report)`;
    unreported = 0;
    console.error(
      `unstuck: server ${addr.hostname}:${addr.port}: ${error.message}${more}; still accepting`,
    );
  };
}

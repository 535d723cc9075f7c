/**
 * The handle every service returns: its address, an idempotent `close()`, a `closed` promise, and
 * `await using` support.
 *
 * @module
 */
import type { NetAddress, TcpServer } from "../runtime/mod.ts";

/** A running server, as the services return it. */
export interface ServerHandle extends AsyncDisposable {
  /** The bound address; for port 0 this holds the real port. */
  readonly addr: NetAddress;
  /**
   * Stops accepting, lets work in flight finish, then closes everything. Idempotent; resolves
   * once everything is closed.
   */
  close(): Promise<void>;
  /**
   * Resolves once the server is closed, by `close()` or by its abort signal. Rejects with
   * `ListenerError` when its listening socket failed: the server then closes everything else,
   * as `close()` does, and stops. A rejection nobody handles ends the process (an unhandled
   * rejection in Node, Deno and Bun), so a server never stops serving silently.
   */
  readonly closed: Promise<void>;
}

/**
 * Builds a {@linkcode ServerHandle} around a shutdown procedure, which runs once, on the first
 * `close()`, when `signal` aborts, or when `listener`'s `closed` rejects (its listening socket
 * failed); in that last case the handle's `closed` rejects with the same error.
 *
 * @example
 * ```ts
 * import { serverHandle } from "./handle.ts";
 * const handle = serverHandle({ hostname: "127.0.0.1", port: 1 }, async () => {});
 * await handle.close();
 * ```
 */
export function serverHandle(
  addr: NetAddress,
  shutdown: () => Promise<void>,
  signal?: AbortSignal,
  listener?: Pick<TcpServer, "closed">,
): ServerHandle {
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= shutdown());
  let markClosed!: () => void;
  let markFailed!: (error: unknown) => void;
  const closed = new Promise<void>((resolve, reject) => {
    markClosed = resolve;
    markFailed = reject;
  });
  const closeAndMark = (): Promise<void> => close().finally(markClosed);
  if (signal?.aborted) void closeAndMark();
  else signal?.addEventListener("abort", () => void closeAndMark(), { once: true });
  void listener?.closed.catch((error) => {
    const failed = (): void => markFailed(error);
    return close().then(failed, failed);
  });
  return {
    addr: { ...addr },
    close: closeAndMark,
    closed,
    [Symbol.asyncDispose]: closeAndMark,
  };
}

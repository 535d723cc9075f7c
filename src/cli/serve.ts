/**
 * What every server command does around its service: print the `listening on` line, wait for
 * SIGINT or SIGTERM, shut down gracefully, exit 0; or, when the server's listening socket
 * failed, let its `ListenerError` through, which the CLI prints as one line before exiting 1.
 *
 * @module
 */
import type { ServerHandle } from "../services/mod.ts";
import { formatAddress, onShutdownSignal, writeStdout } from "../runtime/mod.ts";

/**
 * Announces `server` as `listening on <scheme>://<host>:<port>` and resolves with exit code 0
 * once a signal has closed it gracefully; 1 if it closed by itself, or if a second signal cut
 * the graceful shutdown short. Rejects with the server's `ListenerError` when its listening
 * socket failed (the server has closed everything by then): `run()` prints it as one
 * `error:` line and exits 1, so a server that stopped serving never sits there silently.
 *
 * @example
 * ```ts
 * import { serveEcho } from "../services/mod.ts";
 * import { serveUntilSignal } from "./serve.ts";
 * const code = await serveUntilSignal(await serveEcho({ port: 0 }), "tcp");
 * ```
 */
export async function serveUntilSignal(
  server: ServerHandle,
  scheme: "tcp" | "tls" | "udp",
): Promise<number> {
  let signals = 0;
  let forced!: () => void;
  const impatient = new Promise<void>((resolve) => (forced = resolve));
  const stop = onShutdownSignal(() => {
    // The first signal shuts down gracefully; a second one stops waiting for it.
    if (++signals === 1) void server.close();
    else forced();
  });
  try {
    await writeStdout(`listening on ${scheme}://${formatAddress(server.addr)}\n`);
    await Promise.race([server.closed, impatient]);
  } finally {
    stop();
  }
  return signals === 1 ? 0 : 1;
}

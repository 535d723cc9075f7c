/**
 * What every server command does around its service: print the `listening on` line, wait for
 * SIGINT or SIGTERM, shut down gracefully, exit 0.
 *
 * @module
 */
import type { ServerHandle } from "../services/handle.ts";
import { formatAddress } from "../services/chat/room.ts";
import { onShutdownSignal, writeStdout } from "../runtime/system.ts";

/**
 * Announces `server` as `listening on <scheme>://<host>:<port>` and resolves with exit code 0
 * once a signal has closed it (or 1 if it closed by itself first).
 *
 * @example
 * ```ts
 * import { serveEcho } from "../services/echo/server.ts";
 * import { serveUntilSignal } from "./serve.ts";
 * const code = await serveUntilSignal(await serveEcho({ port: 0 }), "tcp");
 * ```
 */
export async function serveUntilSignal(
  server: ServerHandle,
  scheme: "tcp" | "udp",
): Promise<number> {
  let signalled = false;
  const stop = onShutdownSignal(() => {
    signalled = true;
    void server.close();
  });
  try {
    await writeStdout(`listening on ${scheme}://${formatAddress(server.addr)}\n`);
    await server.closed;
  } finally {
    stop();
  }
  return signalled ? 0 : 1;
}

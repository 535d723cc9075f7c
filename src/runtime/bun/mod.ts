/**
 * The `bun` adapter: `Bun.listen`/`Bun.connect` with short-write handling, `Bun.udpSocket` and
 * `Bun.spawn`. Every entry point throws `UnsupportedRuntimeError` outside Bun.
 *
 * @module
 */
import type { Adapter } from "../types.ts";
import { connectBun, listenBun } from "./tcp.ts";
import { bindDatagramBun } from "./udp.ts";
import { spawnBun } from "./process.ts";

/**
 * The `bun` adapter.
 *
 * @example
 * ```ts
 * import { bunAdapter } from "./mod.ts";
 * const server = await bunAdapter.listen({ port: 0 }, (conn) => conn.close());
 * await server.close();
 * ```
 */
export const bunAdapter: Adapter = {
  name: "bun",
  listen: listenBun,
  connect: connectBun,
  bindDatagram: bindDatagramBun,
  spawn: spawnBun,
};

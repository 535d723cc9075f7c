/**
 * The `node` adapter: `node:net`, `node:dgram` and `node:child_process`. It is the native adapter
 * in Node, and runs in Deno and Bun through their Node compatibility too.
 *
 * @module
 */
import type { Adapter } from "../types.ts";
import { connectNode, listenNode } from "./tcp.ts";
import { bindDatagramNode } from "./udp.ts";
import { spawnNode } from "./process.ts";

/**
 * The `node` adapter.
 *
 * @example
 * ```ts
 * import { nodeAdapter } from "./mod.ts";
 * const server = await nodeAdapter.listen({ port: 0 }, (conn) => conn.close());
 * await server.close();
 * ```
 */
export const nodeAdapter: Adapter = {
  name: "node",
  listen: listenNode,
  connect: connectNode,
  bindDatagram: bindDatagramNode,
  spawn: spawnNode,
};

/**
 * The `deno` adapter: `Deno.listen`/`Deno.connect` with a `read()` loop, `Deno.listenDatagram`
 * (with `--unstable-net`; `node:dgram` otherwise) and `Deno.Command`. Every entry point throws
 * `UnsupportedRuntimeError` outside Deno.
 *
 * @module
 */
import type { Adapter } from "../types.ts";
import { connectDeno, listenDeno } from "./tcp.ts";
import { bindDatagramDeno } from "./udp.ts";
import { spawnDeno } from "./process.ts";

/**
 * The `deno` adapter.
 *
 * @example
 * ```ts
 * import { denoAdapter } from "./mod.ts";
 * const server = await denoAdapter.listen({ port: 0 }, (conn) => conn.close());
 * await server.close();
 * ```
 */
export const denoAdapter: Adapter = {
  name: "deno",
  listen: listenDeno,
  connect: connectDeno,
  bindDatagram: bindDatagramDeno,
  spawn: spawnDeno,
};

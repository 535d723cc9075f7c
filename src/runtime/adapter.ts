/**
 * Choosing a runtime adapter: detection of the running runtime, {@linkcode getAdapter}, and the
 * module-level `listen`, `connect`, `bindDatagram` and `spawn` that use the native adapter unless
 * `adapter` names another. Each adapter is loaded on first use, so Node never loads Deno or Bun
 * code.
 *
 * @module
 */
import type {
  Adapter,
  AdapterChoice,
  AdapterName,
  ConnectionHandler,
  ConnectOptions,
  DatagramOptions,
  DatagramSocket,
  ListenOptions,
  SpawnOptions,
  Subprocess,
  TcpConnection,
  TcpServer,
} from "./types.ts";
import { UnsupportedRuntimeError } from "./errors.ts";

/**
 * The runtime this code runs in: `"deno"`, then `"bun"`, else `"node"` (Deno and Bun both
 * pretend to be Node in `process.release.name`, so they are detected by their own globals).
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@unstuck/unstuck";
 * console.log(detectRuntime()); // "deno", "bun" or "node"
 * ```
 */
export function detectRuntime(): AdapterName {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (typeof g.Deno === "object" && g.Deno !== null) return "deno";
  if (typeof g.Bun === "object" && g.Bun !== null) return "bun";
  return "node";
}

/**
 * The adapters that can run here: the native one first, then `node` (Deno and Bun run it too).
 *
 * @example
 * ```ts
 * import { availableAdapters } from "@unstuck/unstuck";
 * console.log(availableAdapters()); // e.g. ["deno", "node"]
 * ```
 */
export function availableAdapters(): AdapterName[] {
  const native = detectRuntime();
  return native === "node" ? ["node"] : [native, "node"];
}

const loaders: Record<AdapterName, () => Promise<Adapter>> = {
  node: async () => (await import("./node/mod.ts")).nodeAdapter,
  deno: async () => (await import("./deno/mod.ts")).denoAdapter,
  bun: async () => (await import("./bun/mod.ts")).bunAdapter,
};

const loaded = new Map<AdapterName, Promise<Adapter>>();

/**
 * The adapter called `name`, or the native one of this runtime. Rejects with
 * `UnsupportedRuntimeError` for `deno` outside Deno and `bun` outside Bun.
 *
 * @example
 * ```ts
 * import { getAdapter } from "@unstuck/unstuck";
 * const adapter = await getAdapter();
 * console.log(adapter.name);
 * const node = await getAdapter("node"); // works in Deno and Bun as well
 * console.log(node.name);
 * ```
 */
export function getAdapter(name?: AdapterName): Promise<Adapter> {
  const chosen = name ?? detectRuntime();
  if (!(chosen in loaders)) {
    return Promise.reject(
      new TypeError(`unknown adapter ${JSON.stringify(chosen)}: use "node", "deno" or "bun"`),
    );
  }
  const runtime = detectRuntime();
  if (chosen !== "node" && chosen !== runtime) {
    return Promise.reject(
      new UnsupportedRuntimeError(
        `the ${chosen} adapter runs only in ${chosen === "deno" ? "Deno" : "Bun"}; ` +
          `this is ${runtime}: use ${
            runtime === "node" ? 'the "node" adapter' : `the "${runtime}" or "node" adapter`
          }`,
      ),
    );
  }
  let adapter = loaded.get(chosen);
  if (adapter === undefined) {
    adapter = loaders[chosen]();
    loaded.set(chosen, adapter);
  }
  return adapter;
}

/**
 * Starts a TCP server; `onConnection` runs for each accepted connection (a rejection closes that
 * connection only). Binds 127.0.0.1 and an OS-chosen port unless told otherwise.
 *
 * @example Echo server
 * ```ts
 * import { listen } from "@unstuck/unstuck";
 * const server = await listen({ port: 0 }, async (conn) => {
 *   for await (const chunk of conn) await conn.write(chunk);
 *   conn.close();
 * });
 * console.log(`listening on ${server.addr.hostname}:${server.addr.port}`);
 * await server.close();
 * ```
 */
export async function listen(
  options: ListenOptions & AdapterChoice,
  onConnection: ConnectionHandler,
): Promise<TcpServer> {
  return (await getAdapter(options.adapter)).listen(options, onConnection);
}

/**
 * Opens a TCP connection.
 *
 * @example
 * ```ts
 * import { connect } from "@unstuck/unstuck";
 * const conn = await connect({ hostname: "127.0.0.1", port: 8080, adapter: "node" });
 * await conn.write(new TextEncoder().encode("hello"));
 * await conn.closeWrite();
 * for await (const chunk of conn) console.log(chunk);
 * ```
 */
export async function connect(options: ConnectOptions & AdapterChoice): Promise<TcpConnection> {
  return (await getAdapter(options.adapter)).connect(options);
}

/**
 * Binds a UDP socket.
 *
 * @example
 * ```ts
 * import { bindDatagram } from "@unstuck/unstuck";
 * const sock = await bindDatagram({ port: 0 });
 * await sock.send(new TextEncoder().encode("ping"), sock.addr);
 * for await (const { data, remote } of sock) {
 *   console.log(new TextDecoder().decode(data), remote);
 *   break;
 * }
 * sock.close();
 * ```
 */
export async function bindDatagram(
  options: DatagramOptions & AdapterChoice,
): Promise<DatagramSocket> {
  return (await getAdapter(options.adapter)).bindDatagram(options);
}

/**
 * Starts a subprocess in its own process group (the adapter is loaded first, hence the promise;
 * `Adapter.spawn` itself is synchronous). Throws `SpawnError` when it cannot start.
 *
 * @example
 * ```ts
 * import { spawn } from "@unstuck/unstuck";
 * const proc = await spawn({ argv: ["echo", "hi"], timeoutMs: 5_000 });
 * console.log(await new Response(proc.stdout).text()); // "hi\n"
 * console.log(await proc.status); // { code: 0, signal: null, timedOut: false }
 * ```
 */
export async function spawn(options: SpawnOptions & AdapterChoice): Promise<Subprocess> {
  return (await getAdapter(options.adapter)).spawn(options);
}

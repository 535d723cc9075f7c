/**
 * The exec server: accepts TCP connections and serves each as an {@linkcode ExecSession}.
 *
 * @module
 */
import type { AdapterChoice, NetAddress, TcpConnection } from "../../runtime/types.ts";
import { getAdapter } from "../../runtime/adapter.ts";
import { importTokenKey } from "./auth.ts";
import { type ExecServerEvent, ExecSession, LINGER_MS, type SessionContext } from "./session.ts";
import type { ExecPolicy } from "./policy.ts";
import { closeGracefully, FrameReader, FrameWriter } from "./wire.ts";
import { EXEC_DEFAULT_PORT } from "./protocol.ts";

/** Options of {@linkcode serveExec}. */
export interface ExecServerOptions extends ExecPolicy, AdapterChoice {
  /** The shared secret clients must prove they hold. */
  token: string;
  /** Address to bind. @default {"127.0.0.1"} */
  hostname?: string;
  /** Port to bind; 0 lets the OS pick (read it from `server.addr`). @default {8082} */
  port?: number;
  /** Time limit per command, in milliseconds; a `run` may ask for less. @default {30000} */
  timeoutMs?: number;
  /** Most stdout + stderr bytes sent per command; past it the command is killed. @default {67108864} */
  maxOutputBytes?: number;
  /** How long a new connection may take to authenticate, in milliseconds. @default {10000} */
  handshakeTimeoutMs?: number;
  /** Delay before answering a wrong MAC, in milliseconds. @default {250} */
  authFailureDelayMs?: number;
  /** Connections allowed to be authenticating at once; more are refused. @default {16} */
  maxPendingHandshakes?: number;
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal;
  /** Receives one event per command and per rejected connection (for a log). */
  onEvent?: (event: ExecServerEvent) => void;
}

const LIMITS = [
  "timeoutMs",
  "maxOutputBytes",
  "handshakeTimeoutMs",
  "authFailureDelayMs",
  "maxPendingHandshakes",
] as const;

/** A running exec server. */
export interface ExecServer extends AsyncDisposable {
  /** The bound address; for port 0 this holds the real port. */
  readonly addr: NetAddress;
  /**
   * Stops accepting, closes every connection and kills every running command; resolves once all
   * sessions have ended. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts an exec server.
 *
 * @example
 * ```ts
 * import { serveExec } from "@unstuck/unstuck";
 * const server = await serveExec({ token: "s3cret", port: 0 });
 * console.log(`listening on tcp://${server.addr.hostname}:${server.addr.port}`);
 * await server.close();
 * ```
 */
export async function serveExec(options: ExecServerOptions): Promise<ExecServer> {
  for (const name of LIMITS) {
    const value = options[name];
    const min = name === "authFailureDelayMs" ? 0 : 1;
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
      throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
    }
  }
  const adapter = await getAdapter(options.adapter);
  const maxPending = options.maxPendingHandshakes ?? 16;
  const sessions = new Set<ExecSession>();
  const ended = new Set<Promise<void>>();
  let pending = 0;
  const base: Omit<SessionContext, "onHandshakeEnd"> = {
    key: await importTokenKey(options.token),
    policy: { allow: options.allow, shell: options.shell },
    timeoutMs: options.timeoutMs ?? 30_000,
    maxOutputBytes: options.maxOutputBytes ?? 64 * 1024 * 1024,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    authFailureDelayMs: options.authFailureDelayMs ?? 250,
    spawn: (o) => adapter.spawn(o),
    onEvent: options.onEvent ?? (() => {}),
  };

  let closing: Promise<void> | undefined;
  const onConnection = async (conn: TcpConnection): Promise<void> => {
    if (closing !== undefined) return conn.close();
    if (pending >= maxPending) {
      await refuseBusy(conn);
      return;
    }
    pending++;
    let counted = true;
    const session = new ExecSession(conn, {
      ...base,
      onHandshakeEnd: () => {
        if (counted) pending--;
        counted = false;
      },
    });
    sessions.add(session);
    const done = session.serve();
    ended.add(done);
    await done;
    sessions.delete(session);
    ended.delete(done);
  };

  const server = await adapter.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? EXEC_DEFAULT_PORT,
  }, onConnection);

  const close = (): Promise<void> => {
    closing ??= (async () => {
      await server.close();
      for (const s of sessions) s.close();
      await Promise.all(ended);
    })();
    return closing;
  };
  options.signal?.addEventListener("abort", () => void close(), { once: true });
  if (options.signal?.aborted) await close();

  return { addr: server.addr, close, [Symbol.asyncDispose]: close };
}

async function refuseBusy(conn: TcpConnection): Promise<void> {
  const message = "too many connections awaiting authentication";
  const writer = new FrameWriter(conn);
  await writer.control({ type: "error", message }).catch(() => {});
  await closeGracefully(conn, writer, new FrameReader(conn, 0), LINGER_MS);
}

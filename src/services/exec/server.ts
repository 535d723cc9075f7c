/**
 * The exec server: accepts TCP connections and serves each as an {@linkcode ExecSession}.
 *
 * @module
 */
import {
  type AdapterChoice,
  checkContainment,
  getAdapter,
  type NetAddress,
  type TcpConnection,
} from "../../runtime/mod.ts";
import { importTokenKey } from "./protocol/mod.ts";
import { type ExecServerEvent, ExecSession, LINGER_MS, type SessionContext } from "./session.ts";
import type { ExecPolicy } from "./policy.ts";
import { closeGracefully, FrameReader, FrameWriter } from "./wire.ts";
import { EXEC_DEFAULTS } from "./defaults.ts";
import { MAX_TIMER_MS } from "../timeout.ts";
import { integerOption } from "../../framing/mod.ts";
import { type ServerHandle, serverHandle } from "../handle.ts";

/** Options of {@linkcode serveExec}. */
export interface ExecServerOptions extends ExecPolicy, AdapterChoice {
  /** The shared secret clients must prove they hold. */
  token: string;
  /** Address to bind. @default {EXEC_DEFAULTS.hostname} */
  hostname?: string;
  /** Port to bind; 0 lets the OS pick (read it from `server.addr`). @default {EXEC_DEFAULTS.port} */
  port?: number;
  /**
   * Time limit per command, in milliseconds; a `run` may ask for less.
   * @default {EXEC_DEFAULTS.timeoutMs}
   */
  timeoutMs?: number;
  /**
   * Most stdout + stderr bytes sent per command; past it the command is killed.
   * @default {EXEC_DEFAULTS.maxOutputBytes}
   */
  maxOutputBytes?: number;
  /**
   * How long a new connection may take to authenticate, in milliseconds.
   * @default {EXEC_DEFAULTS.handshakeTimeoutMs}
   */
  handshakeTimeoutMs?: number;
  /**
   * The least time from a client's `auth` to the server's `ready`, in milliseconds. The client
   * must send nothing in between (it waits for `ready`); whatever it sends then is a protocol
   * error. A client that sends `run` right behind its `auth` does so within microseconds, but the
   * two may reach the server in separate reads; this span makes such a client fail every time,
   * not only when both came in one read (as an SMTP server that delays its greeting catches
   * clients that talk first). Each connection's handshake takes this long at least.
   * @default {EXEC_DEFAULTS.readySettleMs}
   */
  readySettleMs?: number;
  /**
   * Delay before answering a wrong MAC, in milliseconds.
   * @default {EXEC_DEFAULTS.authFailureDelayMs}
   */
  authFailureDelayMs?: number;
  /**
   * Connections allowed to be authenticating at once. When they are all taken, a new connection
   * displaces the oldest of them if that one has been authenticating for
   * `handshakeDisplaceAfterMs` (an honest client takes a round trip), else it is refused.
   * @default {EXEC_DEFAULTS.maxPendingHandshakes}
   */
  maxPendingHandshakes?: number;
  /**
   * How long a connection must have been authenticating before a newcomer may displace it when
   * `maxPendingHandshakes` are taken, so that a few idle connections cannot lock clients out for
   * the whole `handshakeTimeoutMs` (a peer opening `maxPendingHandshakes` connections every this
   * many ms still can; a client slower than this to authenticate may be displaced under load).
   * @default {EXEC_DEFAULTS.handshakeDisplaceAfterMs}
   */
  handshakeDisplaceAfterMs?: number;
  /**
   * The commands' environment, in place of the server's own (which they inherit when this is
   * unset). `unstuck exec serve` passes its own without `UNSTUCK_TOKEN`.
   */
  env?: Record<string, string>;
  /**
   * Whether each command runs in a cgroup v2 leaf of its own, which catches the processes that
   * leave its process group (`setsid`, double forks) at the time limit, at the client's
   * disconnect, at the command's end and when the server dies. `"auto"`: when this machine
   * offers a writable hierarchy (see `containmentSupport()`), else process groups only;
   * `"required"`: the server refuses to start without one; `"off"`: process groups only. Either
   * way every command dies with the server, even by SIGKILL (`dieWithParent`). See
   * docs/SECURITY.md.
   * @default {"auto"}
   */
  cgroup?: "auto" | "required" | "off";
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal;
  /** Receives one event per command and per rejected connection (for a log). */
  onEvent?: (event: ExecServerEvent) => void;
}

/** Each numeric option, with its smallest and largest value (delays must fit `setTimeout`). */
const LIMITS = {
  timeoutMs: [1, MAX_TIMER_MS],
  maxOutputBytes: [1, Number.MAX_SAFE_INTEGER],
  handshakeTimeoutMs: [1, MAX_TIMER_MS],
  authFailureDelayMs: [0, MAX_TIMER_MS],
  readySettleMs: [0, MAX_TIMER_MS],
  maxPendingHandshakes: [1, Number.MAX_SAFE_INTEGER],
  handshakeDisplaceAfterMs: [0, MAX_TIMER_MS],
} as const;

/**
 * A running exec server. Its `close()` stops accepting, closes every connection and kills every
 * running command; it resolves once all sessions have ended.
 */
export type ExecServer = ServerHandle;

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
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    integerOption(name, options[name as keyof typeof LIMITS], min, min, max);
  }
  // Commands never outlive the server; with a cgroup, nor what they start in a session of its own.
  const contain = { dieWithParent: true, cgroup: options.cgroup ?? EXEC_DEFAULTS.cgroup } as const;
  checkContainment(contain);
  const adapter = await getAdapter(options.adapter);
  const maxPending = options.maxPendingHandshakes ?? EXEC_DEFAULTS.maxPendingHandshakes;
  const displaceAfterMs = options.handshakeDisplaceAfterMs ??
    EXEC_DEFAULTS.handshakeDisplaceAfterMs;
  // Taken once, as it is at start: a caller changing its object later changes nothing.
  const env = options.env && { ...options.env };
  /** Each session, with the promise of its end. */
  const sessions = new Map<ExecSession, Promise<void>>();
  /** The sessions still authenticating, oldest first: when they started, and their peer. */
  const pending = new Map<ExecSession, { since: number; peer: NetAddress }>();
  const base: Omit<SessionContext, "onHandshakeEnd"> = {
    key: await importTokenKey(options.token),
    policy: { allow: options.allow, shell: options.shell },
    timeoutMs: options.timeoutMs ?? EXEC_DEFAULTS.timeoutMs,
    maxOutputBytes: options.maxOutputBytes ?? EXEC_DEFAULTS.maxOutputBytes,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? EXEC_DEFAULTS.handshakeTimeoutMs,
    authFailureDelayMs: options.authFailureDelayMs ?? EXEC_DEFAULTS.authFailureDelayMs,
    readySettleMs: options.readySettleMs ?? EXEC_DEFAULTS.readySettleMs,
    spawn: (o) => adapter.spawn({ ...o, ...contain, ...(env && { env }) }),
    onEvent: options.onEvent ?? (() => {}),
  };

  let closing = false;
  const onConnection = async (conn: TcpConnection): Promise<void> => {
    if (closing) return conn.close();
    if (pending.size >= maxPending) {
      const [oldest, { since, peer }] = pending.entries().next().value!;
      if (performance.now() - since < displaceAfterMs) {
        await refuseBusy(conn);
        return;
      }
      pending.delete(oldest);
      base.onEvent({
        kind: "rejected",
        peer,
        reason: "displaced while authenticating",
      });
      oldest.close();
    }
    const session: ExecSession = new ExecSession(conn, {
      ...base,
      onHandshakeEnd: () => pending.delete(session),
    });
    pending.set(session, { since: performance.now(), peer: conn.remoteAddr });
    const done = session.serve();
    sessions.set(session, done);
    await done;
    sessions.delete(session);
  };

  const server = await adapter.listen({
    hostname: options.hostname ?? EXEC_DEFAULTS.hostname,
    port: options.port ?? EXEC_DEFAULTS.port,
  }, onConnection);

  return serverHandle(
    server.addr,
    async () => {
      closing = true;
      await server.close();
      for (const session of sessions.keys()) session.close();
      await Promise.all(sessions.values());
    },
    options.signal,
    server,
  );
}

async function refuseBusy(conn: TcpConnection): Promise<void> {
  const message = "too many connections awaiting authentication";
  const writer = new FrameWriter(conn);
  await writer.control({ type: "error", message }).catch(() => {});
  await closeGracefully(conn, writer, new FrameReader(conn, 0), LINGER_MS);
}

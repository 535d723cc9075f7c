/**
 * The exec server: accepts TCP or TLS connections and serves each as an {@linkcode ExecSession}.
 *
 * @module
 */
import {
  type AdapterChoice,
  checkContainment,
  getAdapter,
  type NetAddress,
  type NetworkError,
  type TcpConnection,
  type TlsServerOptions,
} from "../../runtime/mod.ts";
import { plaintextRefusal, refusesPlaintext } from "./exposure.ts";
import { importTokenKey } from "./protocol/mod.ts";
import { type ExecServerEvent, ExecSession, LINGER_MS, type SessionContext } from "./session.ts";
import type { ExecPolicy } from "./policy.ts";
import { FrameWriter, openFrames } from "./wire.ts";
import { EXEC_DEFAULTS } from "./defaults.ts";
import { HandshakePenalties } from "./penalties.ts";
import { PerAddress } from "../per_address.ts";
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
   * Connections one address may have authenticating at once (sshd's `PerSourceMaxStartups`);
   * one more is refused (with an `error` message) and counts as a failed handshake.
   * @default {EXEC_DEFAULTS.maxPendingHandshakesPerIp}
   */
  maxPendingHandshakesPerIp?: number;
  /**
   * Connections served at once from one address, authenticated or not; one more is closed as it
   * arrives.
   * @default {EXEC_DEFAULTS.maxConnectionsPerIp}
   */
  maxConnectionsPerIp?: number;
  /**
   * Failed handshakes (a wrong MAC, a handshake timeout, garbage or a frame too large before
   * `auth`, a connection closed or displaced before it, one over `maxPendingHandshakesPerIp`)
   * from one address within `penaltyWindowMs` after which that address waits `penaltyMs`: its
   * connections are closed as they arrive (sshd's `PerSourcePenalties`). Each further wait
   * doubles, up to `penaltyMaxMs`. Other addresses are not affected.
   * @default {EXEC_DEFAULTS.penaltyFailures}
   */
  penaltyFailures?: number;
  /** The window in which failed handshakes are counted, in ms. @default {EXEC_DEFAULTS.penaltyWindowMs} */
  penaltyWindowMs?: number;
  /** The first wait of an address, in ms (0: no penalties). @default {EXEC_DEFAULTS.penaltyMs} */
  penaltyMs?: number;
  /** The longest wait, in ms; an address quiet this long starts afresh. @default {EXEC_DEFAULTS.penaltyMaxMs} */
  penaltyMaxMs?: number;
  /**
   * Closes a connection on which no frame completes for this many ms while no command runs
   * (the client is told why). Never while a command runs, however long it stays silent. 0: never.
   * @default {EXEC_DEFAULTS.idleTimeoutMs}
   */
  idleTimeoutMs?: number;
  /**
   * Closes a connection whose frame, once its first bytes arrived, is not complete this many ms
   * later (a client sending a byte at a time). 0: no limit.
   * @default {EXEC_DEFAULTS.frameTimeoutMs}
   */
  frameTimeoutMs?: number;
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
  /**
   * Serve TLS: `cert` and `key` (PEM), and the TLS handshake's own limits (`handshakeTimeoutMs`,
   * `maxPendingHandshakes`: see `listen`). The handshake's proofs are then bound to each TLS
   * connection (docs/PROTOCOL.md, "Channel binding").
   * @default {undefined} plaintext
   */
  tls?: TlsServerOptions;
  /**
   * Allow plaintext on an address beyond loopback. Without it `serveExec` refuses to listen there
   * without `tls` (a `TypeError`): anyone on the path would read the commands and output, and
   * could relay a client's handshake to run commands of its own.
   * @default {false}
   */
  insecurePlaintext?: boolean;
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal;
  /** Receives one event per command and per rejected connection (for a log). */
  onEvent?: (event: ExecServerEvent) => void;
  /**
   * Told of each connection that failed before the exec protocol started: a TLS handshake that
   * failed (a plaintext client on a TLS port, a client that refused the certificate), timed out,
   * or was dropped for room, as a `TlsError`; a connection reset while being accepted. The
   * connection is closed; nothing else happens. See `listen`'s option of the same name.
   * @default {one line on stderr at most every 10 s}
   */
  onAcceptError?: (error: NetworkError) => void;
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
  maxPendingHandshakesPerIp: [1, Number.MAX_SAFE_INTEGER],
  maxConnectionsPerIp: [1, Number.MAX_SAFE_INTEGER],
  penaltyFailures: [1, Number.MAX_SAFE_INTEGER],
  penaltyWindowMs: [0, MAX_TIMER_MS],
  penaltyMs: [0, MAX_TIMER_MS],
  penaltyMaxMs: [0, MAX_TIMER_MS],
  idleTimeoutMs: [0, MAX_TIMER_MS],
  frameTimeoutMs: [0, MAX_TIMER_MS],
} as const;

/** Addresses whose failed handshakes are remembered, at most. */
const PENALTY_ADDRESSES = 65_536;

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
  const limits = {} as Record<keyof typeof LIMITS, number>;
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const key = name as keyof typeof LIMITS;
    limits[key] = integerOption(name, options[key], EXEC_DEFAULTS[key], min, max);
  }
  const hostname = options.hostname ?? EXEC_DEFAULTS.hostname;
  if (refusesPlaintext(hostname, options)) throw plaintextRefusal("listen on", hostname);
  // Commands never outlive the server; with a cgroup, nor what they start in a session of its own.
  const contain = { dieWithParent: true, cgroup: options.cgroup ?? EXEC_DEFAULTS.cgroup } as const;
  checkContainment(contain);
  const adapter = await getAdapter(options.adapter);
  // Taken once, as it is at start: a caller changing its object later changes nothing.
  const env = options.env && { ...options.env };
  /** Each session, with the promise of its end. */
  const sessions = new Map<ExecSession, Promise<void>>();
  /** The sessions still authenticating, oldest first: when they started, and their peer. */
  const pending = new Map<ExecSession, { since: number; peer: NetAddress }>();
  const connectionsPerIp = new PerAddress(limits.maxConnectionsPerIp);
  const pendingPerIp = new PerAddress(limits.maxPendingHandshakesPerIp);
  const penalties = new HandshakePenalties({
    failures: limits.penaltyFailures,
    windowMs: limits.penaltyWindowMs,
    firstMs: limits.penaltyMs,
    maxMs: Math.max(limits.penaltyMs, limits.penaltyMaxMs),
    maxAddresses: PENALTY_ADDRESSES,
  });
  const onEvent = options.onEvent ?? (() => {});
  const base: Omit<SessionContext, "onHandshakeEnd"> = {
    key: await importTokenKey(options.token),
    policy: { allow: options.allow, shell: options.shell },
    timeoutMs: limits.timeoutMs,
    maxOutputBytes: limits.maxOutputBytes,
    handshakeTimeoutMs: limits.handshakeTimeoutMs,
    authFailureDelayMs: limits.authFailureDelayMs,
    readySettleMs: limits.readySettleMs,
    idleTimeoutMs: limits.idleTimeoutMs,
    frameTimeoutMs: limits.frameTimeoutMs,
    spawn: (o) => adapter.spawn({ ...o, ...contain, ...(env && { env }) }),
    onEvent,
  };

  let closing = false;
  /** A failed handshake of `peer`: it may earn the address a wait. */
  const failed = (peer: NetAddress): void => {
    if (closing || limits.penaltyMs === 0) return;
    const waitMs = penalties.failed(peer.hostname, performance.now());
    if (waitMs > 0) {
      const reason = `${limits.penaltyFailures} failed handshakes: ${peer.hostname} waits ` +
        `${waitMs} ms`;
      onEvent({ kind: "rejected", peer, code: "penalized", reason });
    }
  };

  /**
   * The pending handshake a newcomer from `peer` may take the place of, when every place is
   * taken: the oldest, once it has been authenticating for `handshakeDisplaceAfterMs`; else the
   * oldest of an address that holds more places than the newcomer's (whose count includes the
   * newcomer), so that the many handshakes of a few addresses cannot keep out another's first.
   */
  const displaceable = (peer: NetAddress): ExecSession | undefined => {
    const [oldest, { since }] = pending.entries().next().value!;
    if (performance.now() - since >= limits.handshakeDisplaceAfterMs) return oldest;
    let victim: ExecSession | undefined;
    let most = pendingPerIp.held(peer.hostname);
    for (const [session, entry] of pending) {
      const held = pendingPerIp.held(entry.peer.hostname);
      if (held > most) [victim, most] = [session, held];
    }
    return victim;
  };

  /** Serves `conn` once it has a place among the pending handshakes. */
  const serve = async (conn: TcpConnection, peer: NetAddress): Promise<void> => {
    if (!pendingPerIp.take(peer.hostname)) {
      onEvent({ kind: "rejected", peer, code: "busy-address", reason: BUSY_FROM_ADDRESS });
      failed(peer);
      return await refuseBusy(conn, BUSY_FROM_ADDRESS);
    }
    let handshaking = true;
    const handshakeEnded = (authenticated: boolean): void => {
      if (!handshaking) return;
      handshaking = false;
      pending.delete(session);
      pendingPerIp.release(peer.hostname);
      if (!authenticated) failed(peer);
    };
    if (pending.size >= limits.maxPendingHandshakes) {
      const victim = displaceable(peer);
      if (victim === undefined) {
        handshaking = false;
        pendingPerIp.release(peer.hostname);
        onEvent({ kind: "rejected", peer, code: "busy", reason: BUSY });
        return await refuseBusy(conn, BUSY);
      }
      const victimPeer = pending.get(victim)!.peer;
      pending.delete(victim);
      const reason = "displaced while authenticating";
      onEvent({ kind: "rejected", peer: victimPeer, code: "displaced", reason });
      victim.close();
    }
    const session: ExecSession = new ExecSession(conn, { ...base, onHandshakeEnd: handshakeEnded });
    pending.set(session, { since: performance.now(), peer });
    const done = session.serve();
    sessions.set(session, done);
    await done;
    sessions.delete(session);
  };

  const onConnection = async (conn: TcpConnection): Promise<void> => {
    if (closing) return conn.close();
    const peer = conn.remoteAddr;
    const waitMs = penalties.waitFor(peer.hostname, performance.now());
    if (waitMs > 0) {
      // Closed at once, unanswered: a flood from a waiting address costs an accept and a close.
      const reason = `waiting ${Math.ceil(waitMs)} ms after failed handshakes`;
      onEvent({ kind: "rejected", peer, code: "waiting", reason });
      return conn.close();
    }
    if (!connectionsPerIp.take(peer.hostname)) {
      onEvent({ kind: "rejected", peer, code: "too-many-address", reason: TOO_MANY_FROM_ADDRESS });
      return conn.close();
    }
    try {
      await serve(conn, peer);
    } finally {
      connectionsPerIp.release(peer.hostname);
    }
  };

  const server = await adapter.listen({
    hostname,
    port: options.port ?? EXEC_DEFAULTS.port,
    tls: options.tls,
    onAcceptError: options.onAcceptError,
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

const BUSY = "too many connections awaiting authentication";
const BUSY_FROM_ADDRESS = "too many connections awaiting authentication from this address";
const TOO_MANY_FROM_ADDRESS = "too many connections from this address";

/** Tells a connection the server is busy, and closes it. */
async function refuseBusy(conn: TcpConnection, message: string): Promise<void> {
  const frames = openFrames(conn, { maxFrameLength: 0, closeOnError: false });
  await new FrameWriter(frames).control({ type: "error", message }).catch(() => {});
  await frames.closeGracefully(LINGER_MS);
}

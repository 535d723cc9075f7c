/**
 * One client connection on the server, as a state machine: awaiting-auth → ready → running (one
 * command) → ready …. Anything out of place is an `error` message, then the connection closes.
 * Nothing is spawned before a valid proof, bound to this connection (docs/PROTOCOL.md).
 *
 * @module
 */
import {
  type NetAddress,
  NetworkError,
  SpawnError,
  type TcpConnection,
} from "../../runtime/mod.ts";
import { acceptAuth, type ChannelBinding, createGreeting, type TokenKey } from "./protocol/mod.ts";
import { type ConnectionBinding, connectionBinding } from "./channel.ts";
import { type CommandOutcome, RunningCommand, type SpawnFunction } from "./command.ts";
import { ExecProtocolError } from "./errors.ts";
import { parseClientFrame } from "./protocol/mod.ts";
import { type ExecPolicy, refusalOf } from "./policy.ts";
import { EXEC_MAX_FRAME_LENGTH, type RunMessage } from "./protocol/mod.ts";
import { FrameWriter, keptQuiet, openFrames } from "./wire.ts";
import { timerDelay } from "../timeout.ts";
import {
  type Framed,
  FramedClosedError,
  FrameTimeoutError,
  IdleTimeoutError,
} from "../../framing/mod.ts";

/** A `run` request that was answered: run to its end, or refused. */
export interface ExecCommandEvent {
  /** Event kind. */
  kind: "command";
  /** The client's address. */
  peer: NetAddress;
  /** What it asked to run. */
  request: Pick<RunMessage, "argv" | "shell">;
  /** How it ended; absent when it did not start. */
  outcome?: CommandOutcome;
  /** Why it did not start; absent when it ran. */
  refused?: string;
  /** Milliseconds from the request to the end. */
  durationMs: number;
  /** What the client's authentication was bound to (docs/PROTOCOL.md, "Channel binding"). */
  binding: ChannelBinding;
}

/**
 * Why a connection was rejected, as a stable code a log can group by (`reason` is for humans):
 * a wrong MAC, no `auth` within the handshake deadline, a broken protocol (a bad frame or
 * message, data before `ready`), no frame for the idle timeout, a frame not complete within
 * the frame timeout, a client that took no output, every pending place taken, its address's
 * pending places taken, its address's connections taken, its address made to wait after failed
 * handshakes (once per wait), a connection closed because its address waits, a pending
 * handshake displaced by a newcomer.
 */
export type ExecRejection =
  | "auth-failed"
  | "handshake-timeout"
  | "protocol"
  | "idle-timeout"
  | "frame-timeout"
  | "not-reading"
  | "busy"
  | "busy-address"
  | "too-many-address"
  | "penalized"
  | "waiting"
  | "displaced";

/** A connection that was refused, failed to authenticate or broke the protocol, and was closed. */
export interface ExecRejectedEvent {
  /** Event kind. */
  kind: "rejected";
  /** The client's address. */
  peer: NetAddress;
  /** Why, for a log. */
  code: ExecRejection;
  /** Why, in words (from our messages; client text in it is quoted as JSON). */
  reason: string;
}

/** Something a server did, for its log. */
export type ExecServerEvent = ExecCommandEvent | ExecRejectedEvent;

/** What every session of one server shares. */
export interface SessionContext {
  /** The token as an HMAC key. */
  key: TokenKey;
  /** Which commands are allowed. */
  policy: ExecPolicy;
  /** The server's time limit per command, in milliseconds. */
  timeoutMs: number;
  /** The server's output limit per command, in bytes. */
  maxOutputBytes: number;
  /** How long a client may take to authenticate, in milliseconds. */
  handshakeTimeoutMs: number;
  /** The least time from an `auth` to `ready`, in milliseconds (the client must keep silent). */
  readySettleMs: number;
  /** How long to wait before answering a wrong MAC, in milliseconds. */
  authFailureDelayMs: number;
  /**
   * A connection on which no frame completes for this long while no command runs is closed, in
   * milliseconds (0: never); a client that does not take a command's output holds the connection
   * at most this long after the command's time limit.
   */
  idleTimeoutMs: number;
  /** A frame begun must be complete this long after, in milliseconds (0: no limit). */
  frameTimeoutMs: number;
  /** Starts commands. */
  spawn: SpawnFunction;
  /** Called once when the handshake has ended: whether the client authenticated. */
  onHandshakeEnd(authenticated: boolean): void;
  /** Log sink. */
  onEvent(event: ExecServerEvent): void;
}

/** Before authentication a frame can only be an `auth` message: nothing large is buffered. */
const HANDSHAKE_MAX_FRAME_LENGTH = 1024;

/** How long a closing connection waits for its last bytes to be taken and for the peer's EOF. */
export const LINGER_MS = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Ends the session with this message, without logging it as a protocol error. */
class SessionEnd extends Error {
  override name = "SessionEnd";
}

/** No `auth` within the handshake deadline. */
class HandshakeTimeout extends ExecProtocolError {}

/** The code of a session's end in error. */
function codeOf(err: unknown): ExecRejection {
  if (err instanceof HandshakeTimeout) return "handshake-timeout";
  if (err instanceof IdleTimeoutError) return "idle-timeout";
  if (err instanceof FrameTimeoutError) return "frame-timeout";
  return "protocol";
}

/** Serves one connection until it closes. */
export class ExecSession {
  readonly #peer: NetAddress;
  readonly #ctx: SessionContext;
  readonly #frames: Framed<Uint8Array>;
  readonly #writer: FrameWriter;
  /** Taken at the start, while the connection is open (a closed one has no exporter). */
  readonly #channel: ConnectionBinding;
  #binding: ChannelBinding = "none";
  #command: RunningCommand | undefined;
  #commandEnded: Promise<void> = Promise.resolve();
  /** A `run` with `stdin: true` was accepted and its stdin-end has not arrived yet. */
  #awaitingStdinEnd = false;
  #closing = false;

  /** Takes over `conn`. */
  constructor(conn: TcpConnection, ctx: SessionContext) {
    this.#peer = conn.remoteAddr;
    this.#ctx = ctx;
    this.#channel = connectionBinding(conn, "server");
    // A bad frame ends receiving only: the client is told why before the connection closes.
    this.#frames = openFrames(conn, {
      maxFrameLength: HANDSHAKE_MAX_FRAME_LENGTH,
      closeOnError: false,
      idleTimeoutMs: ctx.idleTimeoutMs,
      frameTimeoutMs: ctx.frameTimeoutMs,
    });
    this.#writer = new FrameWriter(this.#frames);
  }

  /** Runs the session to its end; closes the connection and kills any command. Never rejects. */
  async serve(): Promise<void> {
    try {
      if (await this.#authenticate()) await this.#commandLoop();
    } catch (err) {
      // The client is gone, or we closed the connection: nobody to tell.
      if (err instanceof NetworkError || err instanceof FramedClosedError) return;
      const reason = err instanceof Error ? err.message : String(err);
      if (!(err instanceof SessionEnd)) {
        this.#ctx.onEvent({ kind: "rejected", peer: this.#peer, code: codeOf(err), reason });
      }
      this.#closing = true;
      this.#command?.kill();
      await this.#writer.control({ type: "error", message: reason }).catch(() => {});
    } finally {
      this.#closing = true;
      this.#command?.kill();
      await this.#commandEnded;
      await this.#frames.closeGracefully(LINGER_MS);
    }
  }

  /** Kills the running command, if any, and closes the connection. Idempotent. */
  close(): void {
    this.#closing = true;
    this.#command?.kill();
    this.#frames.close();
  }

  async #authenticate(): Promise<boolean> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#ctx.handshakeTimeoutMs);
    const stopWaiting = new AbortController();
    let quiet: Promise<boolean> | undefined;
    let authenticated = false;
    try {
      const greeting = createGreeting(this.#channel.ability);
      await this.#writer.control(greeting.hello);
      await this.#writer.control(greeting.bindings);
      const next = await this.#frames.receive({ signal: deadline.signal }).catch((err) => {
        throw deadline.signal.aborted ? new HandshakeTimeout("handshake timeout") : err;
      });
      if (next === undefined) return false;
      clearTimeout(timer);
      const frame = parseClientFrame(next);
      if (frame.kind !== "control" || frame.message.type !== "auth") {
        throw new ExecProtocolError("expected an auth message");
      }
      // From here until `ready` goes out the client must be silent: whatever it sends meanwhile
      // is an error, however TCP cut it from the auth.
      quiet = keptQuiet(this.#frames, this.#ctx.readySettleMs, stopWaiting.signal);
      const ready = await acceptAuth(
        this.#ctx.key,
        greeting,
        frame.message,
        this.#channel.material,
      );
      if (ready === undefined) {
        const reason = "authentication failed";
        this.#ctx.onEvent({ kind: "rejected", peer: this.#peer, code: "auth-failed", reason });
        await sleep(this.#ctx.authFailureDelayMs);
        throw new SessionEnd(reason);
      }
      if (!(await quiet)) {
        throw new ExecProtocolError("data sent before the server's ready message");
      }
      this.#frames.maxFrameLength = EXEC_MAX_FRAME_LENGTH;
      this.#binding = frame.message.binding as ChannelBinding;
      await this.#writer.control(ready);
      authenticated = true;
      return true;
    } finally {
      clearTimeout(timer);
      stopWaiting.abort();
      await quiet; // its receive must be over before the next one
      this.#ctx.onHandshakeEnd(authenticated);
    }
  }

  async #commandLoop(): Promise<void> {
    for (;;) {
      const next = await this.#frames.receive();
      if (next === undefined) return; // the client went away; serve() kills what still runs
      const frame = parseClientFrame(next);
      if (frame.kind === "control") {
        if (frame.message.type !== "run") {
          throw new ExecProtocolError(`unexpected "${frame.message.type}" message`);
        }
        if (this.#command) throw new ExecProtocolError('"run" while a command is running');
        if (this.#awaitingStdinEnd) {
          throw new ExecProtocolError('"run" before the previous command\'s stdin-end frame');
        }
        await this.#start(frame.message);
      } else if (!this.#awaitingStdinEnd) {
        throw new ExecProtocolError(`${frame.kind} frame while no command takes stdin`);
      } else if (frame.kind === "stdin") {
        // Awaited: a command that reads slowly slows the client down, not our memory.
        await this.#command?.writeStdin(frame.data);
      } else {
        this.#awaitingStdinEnd = false;
        await this.#command?.closeStdin();
      }
    }
  }

  /**
   * A client that takes none of a command's output blocks its sends: the command is killed at
   * its time limit, but the session would wait for the client forever. Past the time limit and
   * the idle timeout, the connection is closed.
   */
  #watchOutput(timeoutMs: number): ReturnType<typeof setTimeout> | undefined {
    const idleMs = this.#ctx.idleTimeoutMs;
    if (idleMs === 0) return undefined;
    return setTimeout(() => {
      const reason = `the client did not take the command's output within ${idleMs} ms of its ` +
        "time limit";
      this.#ctx.onEvent({ kind: "rejected", peer: this.#peer, code: "not-reading", reason });
      this.close();
    }, timerDelay(timeoutMs + idleMs));
  }

  async #start(run: RunMessage): Promise<void> {
    const started = Date.now();
    const peer = this.#peer;
    const request = run.argv !== undefined ? { argv: run.argv } : { shell: run.shell };
    this.#awaitingStdinEnd = run.stdin === true;
    const refuse = async (refused: string): Promise<void> => {
      this.#ctx.onEvent({
        kind: "command",
        peer,
        request,
        refused,
        durationMs: Date.now() - started,
        binding: this.#binding,
      });
      await this.#writer.control({ type: "error", message: refused });
    };
    const refused = refusalOf(run, this.#ctx.policy);
    if (refused !== undefined) return await refuse(refused);
    const timeoutMs = Math.min(run.timeoutMs ?? this.#ctx.timeoutMs, this.#ctx.timeoutMs);
    const limits = { timeoutMs, maxOutputBytes: this.#ctx.maxOutputBytes };
    let command: RunningCommand;
    try {
      command = new RunningCommand(this.#ctx.spawn, run, limits, this.#writer);
    } catch (err) {
      return await refuse(`cannot run ${describe(run)}: ${spawnFailure(err)}`);
    }
    this.#command = command;
    // The client waits for us, silent, however long the command runs: no idle timeout meanwhile.
    this.#frames.idle.pause();
    const stalled = this.#watchOutput(timeoutMs);
    this.#commandEnded = command.done.then(async (outcome) => {
      // Ready again before the exit goes out, so an immediate next `run` is in order.
      this.#command = undefined;
      this.#ctx.onEvent({
        kind: "command",
        peer,
        request,
        outcome,
        durationMs: Date.now() - started,
        binding: this.#binding,
      });
      if (this.#closing) return;
      const { code, signal, timedOut, truncated } = outcome;
      await this.#writer.control({ type: "exit", code, signal, timedOut, truncated });
    }).catch(() => {}) // a failed write means the client is gone; serve() is closing already
      .finally(() => {
        clearTimeout(stalled);
        this.#frames.idle.resume();
      });
  }
}

/** Why a command could not start, in the same words whichever adapter reported it. */
function spawnFailure(err: unknown): string {
  if (err instanceof SpawnError && err.code === "ENOENT") return "not found";
  if (err instanceof SpawnError && err.code === "EACCES") return "permission denied";
  return err instanceof Error ? err.message : String(err);
}

function describe(run: RunMessage): string {
  return run.argv !== undefined ? JSON.stringify(run.argv[0]) : "shell command";
}

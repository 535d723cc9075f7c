/**
 * The exec client: connects (plaintext or TLS), proves it holds the token, checks the server's
 * proof before it sends anything more, and runs commands one at a time over the same connection,
 * streaming their output to callbacks as it arrives.
 *
 * @module
 */
import {
  type AdapterChoice,
  ConnectionClosedError,
  getAdapter,
  type TcpConnection,
  type TlsClientOptions,
} from "../../runtime/mod.ts";
import {
  answerGreeting,
  type ChannelBinding,
  checkHello,
  checkReady,
  importTokenKey,
  type ServerControlMessage,
  type TokenKey,
} from "./protocol/mod.ts";
import { type ConnectionBinding, connectionBinding } from "./channel.ts";
import { plaintextRefusal, refusesPlaintext } from "./exposure.ts";
import { ExecAuthError, ExecCommandError, ExecProtocolError } from "./errors.ts";
import { parseClientControl, parseServerFrame } from "./protocol/mod.ts";
import {
  encodeControl,
  EXEC_MAX_CHUNK,
  type ExitMessage,
  FRAME_STDIN,
  type RunMessage,
  type ServerFrame,
} from "./protocol/mod.ts";
import { FrameWriter, openFrames } from "./wire.ts";
import type { Framed } from "../../framing/mod.ts";
import { MAX_TIMER_MS } from "../timeout.ts";
import { EXEC_DEFAULTS } from "./defaults.ts";

const HANDSHAKE = "the handshake";
/** The first pause before trying a refused handshake again, and the longest, in ms. */
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1_000;

/**
 * The server refused the handshake without judging our token: an `error` before its `hello`
 * (busy), or a close during the handshake (busy, or our address must wait). Worth another try.
 */
class HandshakeRefused extends ExecAuthError {}

/** Whether `err`, met once connected, is a refusal worth trying again after a pause. */
function isRefusal(err: unknown): boolean {
  return err instanceof HandshakeRefused || err instanceof ConnectionClosedError;
}

/** Resolves after `ms`, or at once when `signal` aborts (no timer is left behind). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
const COMMAND = "a command";

/** Options of {@linkcode ExecClient.connect}. */
export interface ExecClientOptions extends AdapterChoice {
  /** The shared secret. */
  token: string;
  /** Server host. @default {EXEC_DEFAULTS.hostname} */
  hostname?: string;
  /** Server port. @default {EXEC_DEFAULTS.port} */
  port?: number;
  /**
   * Give up when connecting and authenticating take longer, in milliseconds. A handshake the
   * server refuses (busy, or our address must wait after failed handshakes) is tried again
   * after a pause that doubles (50 ms to 1 s, with jitter) until then; a wrong token, another
   * protocol or a refused connection (nothing listens) is not.
   * @default {EXEC_DEFAULTS.connectTimeoutMs}
   */
  timeoutMs?: number;
  /**
   * Speak TLS: `ca` (a CA bundle, or the server's own self-signed certificate to pin it; else the
   * default store), `serverName` (the name the certificate must carry; else `hostname`). The
   * handshake's proofs are then bound to this TLS connection (docs/PROTOCOL.md).
   * @default {undefined} plaintext
   */
  tls?: TlsClientOptions;
  /**
   * Allow plaintext to a host beyond loopback. Without it `connect` refuses such a host (a
   * `TypeError`): anyone on the path would read the commands and output, and could relay the
   * handshake to run commands of its own.
   * @default {false}
   */
  insecurePlaintext?: boolean;
}

/** What to run, and where its input comes from and its output goes. */
export interface ExecRunOptions {
  /** Program and arguments, run without a shell. Exactly one of `argv` and `shell`. */
  argv?: readonly string[];
  /** A command line for the server's `/bin/sh -c` (the server must allow it). */
  shell?: string;
  /** Ask for a time limit shorter than the server's, in milliseconds. */
  timeoutMs?: number;
  /** Bytes for the command's stdin; without it the command's stdin is empty. */
  stdin?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Receives stdout bytes as they arrive; the next frame is read once it returns (or resolves). */
  onStdout?: (bytes: Uint8Array) => void | Promise<void>;
  /** Receives stderr bytes as they arrive; the next frame is read once it returns (or resolves). */
  onStderr?: (bytes: Uint8Array) => void | Promise<void>;
}

/** How a remote command ended. */
export type ExecResult = Omit<ExitMessage, "type">;

/**
 * A connection to an exec server.
 *
 * @example
 * ```ts
 * import { ExecClient } from "@unstuck/unstuck";
 * const client = await ExecClient.connect({ token: "s3cret", port: 8082 });
 * const result = await client.run({
 *   argv: ["echo", "hi"],
 *   onStdout: (bytes) => console.log(new TextDecoder().decode(bytes)),
 * });
 * console.log(result.code); // 0
 * client.close();
 * ```
 */
export class ExecClient implements AsyncDisposable {
  readonly #frames: Framed<Uint8Array>;
  readonly #writer: FrameWriter;
  /** Taken at the start, while the connection is open (a closed one has no exporter). */
  readonly #channel: ConnectionBinding;
  #binding: ChannelBinding = "none";
  #busy = false;
  #broken = false;

  private constructor(conn: TcpConnection) {
    this.#frames = openFrames(conn);
    this.#writer = new FrameWriter(this.#frames);
    this.#channel = connectionBinding(conn, "client");
  }

  /**
   * Connects and authenticates.
   *
   * @throws {ExecAuthError} when the server refuses the token, its own proof is wrong (it does
   * not hold the token, or the connection is relayed), the handshake fails, or the server
   * refused every handshake until `timeoutMs` (the message gives the last refusal)
   * @throws {ExecProtocolError} when the server does not speak `unstuck-exec/2`, or the two ends
   * do not see the same kind of connection (TLS or not)
   * @throws {TypeError} for plaintext to a host beyond loopback without `insecurePlaintext`
   * @throws {RangeError} for a `timeoutMs` that is not an integer a timer can hold
   * @throws the adapter's `NetworkError`s when it cannot connect (`TlsError` for a certificate
   * it does not trust, or that does not carry the name)
   */
  static async connect(options: ExecClientOptions): Promise<ExecClient> {
    const ms = options.timeoutMs ?? EXEC_DEFAULTS.connectTimeoutMs;
    if (!(Number.isSafeInteger(ms) && ms >= 1 && ms <= MAX_TIMER_MS)) {
      throw new RangeError(`timeoutMs must be an integer from 1 to ${MAX_TIMER_MS}, got ${ms}`);
    }
    const hostname = options.hostname ?? EXEC_DEFAULTS.hostname;
    if (refusesPlaintext(hostname, options)) throw plaintextRefusal("connect to", hostname);
    const key = await importTokenKey(options.token);
    const adapter = await getAdapter(options.adapter);
    const port = options.port ?? EXEC_DEFAULTS.port;
    // One deadline for every attempt and every pause between them.
    const expired = new AbortController();
    let refusal = "";
    const timer = setTimeout(() => expired.abort(), ms);
    const timeout = new Promise<never>((_, reject) => {
      expired.signal.addEventListener("abort", () => {
        const last = refusal && ` (last refusal: ${refusal})`;
        // A TLS server waits, silent, for a ClientHello that a plaintext client never sends.
        const hint = refusal === "" && options.tls === undefined
          ? " (is it a TLS server? then connect with tls)"
          : "";
        reject(new ExecAuthError(`no connection and handshake within ${ms} ms${last}${hint}`));
      });
    });
    timeout.catch(() => {});
    try {
      for (let delay = FIRST_RETRY_MS;; delay = Math.min(2 * delay, MAX_RETRY_MS)) {
        let conn: TcpConnection | undefined;
        try {
          conn = await Promise.race([
            adapter.connect({ hostname, port, signal: expired.signal, tls: options.tls }),
            timeout,
          ]);
          const client = new ExecClient(conn);
          await Promise.race([client.#handshake(key), timeout]);
          return client;
        } catch (err) {
          conn?.close();
          if (expired.signal.aborted || !(conn !== undefined && isRefusal(err))) throw err;
          refusal = (err as Error).message;
        }
        // A refused handshake (a busy server, or one that makes our address wait) is tried
        // again, after a pause that doubles, with jitter, until the deadline.
        await Promise.race([pause(delay * (0.5 + Math.random() / 2), expired.signal), timeout]);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async #handshake(key: TokenKey): Promise<void> {
    const hello = this.#serverMessage(await this.#next(HANDSHAKE), "hello");
    const serverNonce = checkHello(hello);
    const { offer } = this.#serverMessage(await this.#next(HANDSHAKE), "bindings");
    const { ability, material } = this.#channel;
    const { auth, transcript } = await answerGreeting(key, serverNonce, offer, ability, material);
    await this.#writer.control(auth);
    const ready = this.#serverMessage(await this.#next(HANDSHAKE), "ready");
    // Nothing more goes to a server that has not proved it holds the token, on this connection.
    if (!(await checkReady(key, transcript, ready))) {
      throw new ExecAuthError(
        "the server's proof is wrong: it does not hold the token, or the connection is relayed",
      );
    }
    this.#binding = auth.binding as ChannelBinding;
  }

  /** The handshake message `type` from `frame`; an `error` there is an auth error or a refusal. */
  #serverMessage<T extends "hello" | "bindings" | "ready">(
    frame: ServerFrame,
    type: T,
  ): Extract<ServerControlMessage, { type: T }> {
    if (frame.kind === "control" && frame.message.type === type) {
      return frame.message as Extract<ServerControlMessage, { type: T }>;
    }
    if (frame.kind === "control" && frame.message.type === "error") {
      // An error in place of hello is a refusal (busy, or our address waits): tried again.
      const Err = type === "hello" ? HandshakeRefused : ExecAuthError;
      throw new Err(frame.message.message);
    }
    throw new ExecProtocolError(`expected a ${type} message from the server`);
  }

  /** What this connection's authentication is bound to (docs/PROTOCOL.md, "Channel binding"). */
  get binding(): ChannelBinding {
    return this.#binding;
  }

  /** The next frame from the server; EOF there is an error (an auth error in the handshake). */
  async #next(during: typeof HANDSHAKE | typeof COMMAND): Promise<ServerFrame> {
    const next = await this.#frames.receive();
    if (next === undefined) {
      const Err = during === HANDSHAKE ? HandshakeRefused : ExecProtocolError;
      throw new Err(`the server closed the connection during ${during}`);
    }
    return parseServerFrame(next);
  }

  /**
   * Runs one command and resolves with how it ended, after all its output was delivered.
   *
   * @throws {ExecCommandError} when the server refuses it or cannot start it (the connection
   * stays usable)
   * @throws {ExecProtocolError} when the connection breaks or the server breaks the protocol
   */
  async run(options: ExecRunOptions): Promise<ExecResult> {
    if (this.#broken) throw new ExecProtocolError("the connection is closed");
    if (this.#busy) throw new Error("a command is already running on this connection");
    if ((options.argv === undefined) === (options.shell === undefined)) {
      throw new TypeError("run needs exactly one of `argv` and `shell`");
    }
    const message: RunMessage = options.argv !== undefined
      ? { type: "run", argv: [...options.argv] }
      : { type: "run", shell: options.shell };
    if (options.stdin !== undefined) message.stdin = true;
    if (options.timeoutMs !== undefined) message.timeoutMs = options.timeoutMs;
    try {
      // The server's own check, here: a bad request would cost the connection there.
      parseClientControl(encodeControl(message).subarray(1));
    } catch (err) {
      throw new TypeError(`bad run options: ${(err as Error).message}`);
    }
    this.#busy = true;
    const stdin = options.stdin === undefined ? undefined : new StdinPump(this.#writer);
    try {
      await this.#writer.control(message);
      stdin?.start(options.stdin!);
      const result = await this.#receive(options);
      await stdin?.end();
      stdin?.rethrow();
      return result;
    } catch (err) {
      if (!(err instanceof ExecCommandError)) this.close();
      await stdin?.end().catch(() => {});
      throw err;
    } finally {
      this.#busy = false;
    }
  }

  async #receive(options: ExecRunOptions): Promise<ExecResult> {
    for (;;) {
      const frame = await this.#next(COMMAND);
      if (frame.kind === "stdout") await options.onStdout?.(frame.data);
      else if (frame.kind === "stderr") await options.onStderr?.(frame.data);
      else if (frame.message.type === "exit") {
        const { code, signal, timedOut, truncated } = frame.message;
        return { code, signal, timedOut, truncated };
      } else if (frame.message.type === "error") {
        throw new ExecCommandError(frame.message.message);
      } else {
        throw new ExecProtocolError(`unexpected "${frame.message.type}" message`);
      }
    }
  }

  /** Closes the connection (a running command is killed by the server). Idempotent. */
  close(): void {
    this.#broken = true;
    this.#frames.close();
  }

  /** Closes the connection. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/**
 * Sends a command's stdin as frames of at most 64 KiB, then exactly one stdin-end, which may come
 * early: once the command has ended, the rest of the input is not sent (nor awaited).
 */
class StdinPump {
  readonly #writer: FrameWriter;
  #ended = false;
  #endSent: Promise<void> | undefined;
  #error: unknown;

  constructor(writer: FrameWriter) {
    this.#writer = writer;
  }

  start(source: Uint8Array | AsyncIterable<Uint8Array>): void {
    void this.#pump(source);
  }

  async #pump(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    try {
      const chunks = source instanceof Uint8Array ? [source] : source;
      for await (const chunk of chunks) {
        for (let offset = 0; offset < chunk.length; offset += EXEC_MAX_CHUNK) {
          // Checked right before each frame is queued: nothing may follow the stdin-end.
          if (this.#ended) return;
          await this.#writer.data(FRAME_STDIN, chunk.subarray(offset, offset + EXEC_MAX_CHUNK));
        }
        if (this.#ended) return;
      }
    } catch (err) {
      this.#error ??= err;
    }
    await this.end().catch(() => {});
  }

  /** Sends the stdin-end frame unless it was sent already. */
  end(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      this.#endSent = this.#writer.stdinEnd();
    }
    return this.#endSent!;
  }

  /** Throws what reading the stdin source threw, if anything. */
  rethrow(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}

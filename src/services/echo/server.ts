/**
 * The TCP echo server: every frame (or line) received goes back as one frame (or line).
 *
 * @module
 */
import {
  type AdapterChoice,
  listen,
  type NetAddress,
  type NetworkError,
  type TcpConnection,
  type TlsServerOptions,
} from "../../runtime/mod.ts";
import {
  type Framed,
  framed,
  FramedClosedError,
  FrameTooLargeError,
  integerOption,
} from "../../framing/mod.ts";
import { asciiUpper } from "./upper.ts";
import { ECHO_DEFAULTS } from "./defaults.ts";
import {
  TooManyConnectionsError,
  TooManyConnectionsFromAddressError,
  WriteTimeoutError,
} from "../errors.ts";
import { PerAddress } from "../per_address.ts";
import { type EchoFraming, echoFraming, writeFraming } from "./framing_options.ts";
import { explainRefusedFrame } from "./text_peer.ts";
import { type ServerHandle, serverHandle } from "../handle.ts";
import { isDisconnect } from "../disconnect.ts";
import { MAX_TIMER_MS, timerDelay, withTimeout } from "../timeout.ts";

/** Options of {@linkcode serveEcho}. */
export interface EchoServerOptions extends AdapterChoice, EchoFraming {
  /** Address to bind. @default {ECHO_DEFAULTS.hostname} */
  hostname?: string;
  /** Port to bind; 0 lets the OS pick. @default {ECHO_DEFAULTS.port} */
  port?: number;
  /** Send frames back ASCII-uppercased. @default {false} */
  upper?: boolean;
  /**
   * Connections served at once; one more is closed as it arrives (and `onError` is told). With
   * `maxFrameLength` this bounds the memory a server holds for frames, whatever peers send: about
   * 2 × maxConnections × maxFrameLength (a frame arriving, and one whose reply waits for a slow
   * reader; 3× with `upper`, which copies).
   * @default {ECHO_DEFAULTS.maxConnections}
   */
  maxConnections?: number;
  /**
   * Connections served at once from one peer address; one more from it is closed as it arrives
   * (and `onError` is told), while other addresses are served.
   * @default {ECHO_DEFAULTS.maxConnectionsPerIp}
   */
  maxConnectionsPerIp?: number;
  /**
   * Closes a connection on which no frame completes for this many ms of waiting (an
   * `IdleTimeoutError` for `onError`), or whose peer has not taken a reply after this long (a
   * `WriteTimeoutError`): a peer that holds a place and does nothing. 0: never.
   * @default {ECHO_DEFAULTS.idleTimeoutMs}
   */
  idleTimeoutMs?: number;
  /**
   * Closes a connection whose frame, once its first bytes arrived, is not complete this many ms
   * later (a `FrameTimeoutError`): a peer sending a frame a byte at a time. 0: no limit.
   * @default {ECHO_DEFAULTS.frameTimeoutMs}
   */
  frameTimeoutMs?: number;
  /**
   * How long {@linkcode EchoServer.close} waits for frames in flight, in ms.
   * @default {ECHO_DEFAULTS.graceMs}
   */
  graceMs?: number;
  /**
   * Told once per connection that ends in error (a bad frame, say); that connection is closed and
   * every other one keeps being served. A refused frame whose length header reads as text comes
   * as a `TextOnFramedConnectionError`: a text client (`nc`) on a length-prefixed server.
   * @default {nothing}
   */
  onError?: (error: Error, peer: NetAddress) => void;
  /**
   * Serve TLS: `cert` and `key` (PEM), and the handshake's limits (`handshakeTimeoutMs`,
   * `maxPendingHandshakes`: see `listen`). Frames travel inside TLS as they would over TCP.
   * @default {undefined} plaintext
   */
  tls?: TlsServerOptions;
  /**
   * Told of each connection that failed before it was served: a TLS handshake that failed (a
   * plaintext client on a TLS port, a client that refused the certificate), timed out or was
   * dropped for room, as a `TlsError`; a connection reset while being accepted. Nothing else
   * happens to the server. See `listen`'s option of the same name.
   * @default {one line on stderr at most every 10 s}
   */
  onAcceptError?: (error: NetworkError) => void;
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal;
}

/** A running echo server, from {@linkcode serveEcho} or {@linkcode serveEchoUdp}. */
export type EchoServer = ServerHandle;

/** What the server knows about one connection, to close it at the right moment. */
interface ConnectionState {
  frames: Framed<Uint8Array>;
  /** Waiting for frames, with no reply being written. */
  idle: boolean;
  /** The server is closing: end after the current frames. */
  draining: boolean;
  done: Promise<void>;
}

/**
 * Starts a TCP echo server. Each frame (a length header in the chosen format, then that many
 * bytes) is sent back as one frame with the same header format; with `lines`, each line (ending
 * in `"\n"` or `"\r\n"`) goes back as a line ending in `"\n"`, and a last line without a newline
 * is answered too. A frame or line over `maxFrameLength`, a negative length or a stream that ends
 * mid-frame closes that connection only, after telling `onError`.
 *
 * @example Echo on a port the OS picks
 * ```ts
 * import { connectEcho, serveEcho } from "@unstuck/unstuck";
 *
 * await using server = await serveEcho({ port: 0, upper: true });
 * await using client = await connectEcho({ port: server.addr.port });
 * const reply = await client.request(new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(reply)); // "HI"
 * ```
 *
 * @example Lines, for `nc 127.0.0.1 PORT` or `telnet`
 * ```ts
 * import { connectEcho, serveEcho } from "@unstuck/unstuck";
 *
 * await using server = await serveEcho({ port: 0, lines: true });
 * await using client = await connectEcho({ port: server.addr.port, lines: true });
 * console.log(new TextDecoder().decode(await client.request(new TextEncoder().encode("hi")))); // "hi"
 * ```
 */
export async function serveEcho(options: EchoServerOptions = {}): Promise<EchoServer> {
  const framing = echoFraming(options);
  // In line mode EOF ends a line too: `printf hi | nc -N` gets its "hi" back.
  const decoding = framing.codec === "delimiter"
    ? { ...framing, acceptUnterminated: true }
    : framing;
  const sendFraming = writeFraming(framing);
  const { upper = false, graceMs = ECHO_DEFAULTS.graceMs, onError } = options;
  const maxConnections = integerOption(
    "maxConnections",
    options.maxConnections,
    ECHO_DEFAULTS.maxConnections,
    1,
  );
  const perIp = new PerAddress(integerOption(
    "maxConnectionsPerIp",
    options.maxConnectionsPerIp,
    ECHO_DEFAULTS.maxConnectionsPerIp,
    1,
  ));
  const timeouts = {
    idleTimeoutMs: integerOption(
      "idleTimeoutMs",
      options.idleTimeoutMs,
      ECHO_DEFAULTS.idleTimeoutMs,
      0,
      MAX_TIMER_MS,
    ),
    frameTimeoutMs: integerOption(
      "frameTimeoutMs",
      options.frameTimeoutMs,
      ECHO_DEFAULTS.frameTimeoutMs,
      0,
      MAX_TIMER_MS,
    ),
  };
  const writeTimeoutMs = timeouts.idleTimeoutMs;
  const states = new Set<ConnectionState>();

  const handle = async (state: ConnectionState, peer: NetAddress): Promise<void> => {
    const { frames } = state;
    try {
      // Every frame one read completed goes back in one write; a bad frame behind good ones in
      // that read fails the next step, once their replies are out.
      for await (const batch of frames.batches()) {
        state.idle = false;
        const sent = frames.sendMany(upper ? batch.map(asciiUpper) : batch);
        // A peer that sends and never reads would hold its place forever, the send waiting.
        await (writeTimeoutMs > 0
          ? withTimeout(sent, writeTimeoutMs, () => new WriteTimeoutError(writeTimeoutMs))
          : sent);
        if (state.draining && frames.bufferedBytes === 0) break;
        state.idle = true;
      }
    } catch (error) {
      if (error instanceof FrameTooLargeError && framing.codec === "length") {
        onError?.(explainRefusedFrame(error, framing.header), peer);
      } else if (!isDisconnect(error) && !(state.draining && isClosed(error))) {
        onError?.(error instanceof Error ? error : new Error(String(error)), peer);
      }
    } finally {
      frames.close();
    }
  };

  const server = await listen(
    {
      hostname: options.hostname ?? ECHO_DEFAULTS.hostname,
      port: options.port ?? ECHO_DEFAULTS.port,
      adapter: options.adapter,
      tls: options.tls,
      onAcceptError: options.onAcceptError,
    },
    (conn: TcpConnection) => {
      const peer = conn.remoteAddr;
      if (states.size >= maxConnections) {
        onError?.(new TooManyConnectionsError(maxConnections), peer);
        conn.close();
        return;
      }
      if (!perIp.take(peer.hostname)) {
        onError?.(new TooManyConnectionsFromAddressError(peer.hostname, perIp.limit), peer);
        conn.close();
        return;
      }
      let settle!: () => void;
      const state: ConnectionState = {
        frames: framed(conn, { framing: decoding, sendFraming, ...timeouts }),
        idle: true,
        draining: false,
        done: new Promise((resolve) => (settle = resolve)),
      };
      states.add(state);
      return handle(state, peer).finally(() => {
        perIp.release(peer.hostname);
        states.delete(state);
        settle();
      });
    },
  );

  const shutdown = async (): Promise<void> => {
    await server.close();
    for (const state of states) {
      state.draining = true;
      // Waiting, with no part of a frame received: nothing in flight.
      if (state.idle && state.frames.bufferedBytes === 0) state.frames.close();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((
      resolve,
    ) => (timer = setTimeout(resolve, timerDelay(graceMs))));
    await Promise.race([Promise.all([...states].map((s) => s.done)), grace]);
    clearTimeout(timer);
    for (const state of states) state.frames.close();
    await Promise.all([...states].map((s) => s.done));
  };
  return serverHandle(server.addr, shutdown, options.signal, server);
}

/** A send refused because the server closed the connection while the reply waited. */
function isClosed(error: unknown): boolean {
  return error instanceof FramedClosedError;
}

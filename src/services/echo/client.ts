/**
 * The TCP echo client (plaintext or TLS): framed or line mode, with pipelining.
 *
 * @module
 */
import {
  type AdapterChoice,
  connect,
  ConnectionClosedError,
  type NetAddress,
  type TlsClientOptions,
} from "../../runtime/mod.ts";
import { framed, FramingError } from "../../framing/mod.ts";
import { ECHO_DEFAULTS } from "./defaults.ts";
import { type EchoFraming, echoFraming, writeFraming } from "./framing_options.ts";

/** Options of {@linkcode connectEcho}. */
export interface EchoClientOptions extends AdapterChoice, EchoFraming {
  /** The server's host. @default {ECHO_DEFAULTS.hostname} */
  hostname?: string;
  /** The server's port. @default {ECHO_DEFAULTS.port} */
  port?: number;
  /**
   * Speak TLS: `ca` (a CA bundle, or the server's own self-signed certificate to pin it; else the
   * default store) and `serverName` (the name the certificate must carry; else `hostname`).
   * @default {undefined} plaintext
   */
  tls?: TlsClientOptions;
}

/** A connection to a framed echo server, from {@linkcode connectEcho}. */
export interface EchoClient extends AsyncDisposable {
  /** Our end of the connection. */
  readonly localAddr: NetAddress;
  /** The server's end. */
  readonly remoteAddr: NetAddress;
  /**
   * Sends `payload` as one frame (or line) and resolves with the frame that comes back. Calls may
   * overlap (pipelining): frames go out in call order and replies are matched in that order. In
   * line mode a payload holding `"\n"` rejects with a `FramingError`, and nothing is sent.
   */
  request(payload: Uint8Array): Promise<Uint8Array>;
  /** Closes the connection; requests still waiting reject. Idempotent. */
  close(): Promise<void>;
}

/** A reply at least 1/PIN_RATIO of the read buffer it lies in is handed over as a view of it. */
const PIN_RATIO = 8;

/**
 * `reply`, or a copy of it when it is a small part of its read buffer: replies outlive the chunk
 * they came in, and a kept reply must not pin much more memory than its own size (at most
 * {@linkcode PIN_RATIO} times). Large replies go as they are: copying each 64 KiB reply took Bun
 * about a tenth of the CPU time of an echo over TLS (the adapters never reuse their chunks).
 */
function owned(reply: Uint8Array): Uint8Array {
  return reply.length * PIN_RATIO >= reply.buffer.byteLength ? reply : reply.slice();
}

interface Waiter {
  resolve(frame: Uint8Array): void;
  reject(error: unknown): void;
}

/**
 * Connects to an echo server ({@linkcode serveEcho}, or `unstuck echo serve`). Use the same
 * `header`, or `lines`, as the server.
 *
 * @example
 * ```ts
 * import { connectEcho, serveEcho } from "@unstuck/unstuck";
 *
 * await using server = await serveEcho({ port: 0, header: "<H" });
 * await using client = await connectEcho({ port: server.addr.port, header: "<H" });
 * const replies = await Promise.all(["a", "b"].map((s) => client.request(new TextEncoder().encode(s))));
 * console.log(replies.map((r) => new TextDecoder().decode(r))); // ["a", "b"]
 * ```
 */
export async function connectEcho(options: EchoClientOptions = {}): Promise<EchoClient> {
  const framing = echoFraming(options);
  const conn = await connect({
    hostname: options.hostname ?? ECHO_DEFAULTS.hostname,
    port: options.port ?? ECHO_DEFAULTS.port,
    adapter: options.adapter,
    tls: options.tls,
  });
  // Requests made while a write is under way go out together in the next one (framed() batches
  // them). Replies are views of the chunks they came in, or copies (see `owned`).
  const frames = framed(conn, { framing, sendFraming: writeFraming(framing) });
  const waiting: Waiter[] = [];
  let failure: unknown;
  const fail = (error: unknown): void => {
    failure ??= error;
    for (const waiter of waiting.splice(0)) waiter.reject(failure);
    frames.close();
  };
  const reader = (async () => {
    try {
      for await (const replies of frames.batches()) {
        for (const reply of replies) {
          const waiter = waiting.shift();
          if (waiter === undefined) throw new Error("echo server sent a frame nobody asked for");
          waiter.resolve(owned(reply));
        }
      }
      fail(new ConnectionClosedError("echo server closed the connection"));
    } catch (error) {
      fail(error);
    }
  })();

  const close = async (): Promise<void> => {
    fail(new ConnectionClosedError("echo client closed"));
    await reader;
  };
  return {
    localAddr: conn.localAddr,
    remoteAddr: conn.remoteAddr,
    request(payload: Uint8Array): Promise<Uint8Array> {
      if (failure !== undefined) return Promise.reject(failure);
      const waiter = {} as Waiter;
      const reply = new Promise<Uint8Array>((resolve, reject) => {
        waiter.resolve = resolve;
        waiter.reject = reject;
      });
      waiting.push(waiter);
      frames.send(payload).catch((error) => {
        if (!(error instanceof FramingError)) return fail(error);
        // Not framed (too large, holds a newline): nothing was sent, so no reply will come. The
        // send was refused before it returned, so this runs before any reply can arrive.
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.reject(error);
      });
      return reply;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

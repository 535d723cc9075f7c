/**
 * The TCP echo client: framed or line mode, with pipelining.
 *
 * @module
 */
import {
  type AdapterChoice,
  connect,
  ConnectionClosedError,
  type NetAddress,
} from "../../runtime/mod.ts";
import { createFrameDecoder, createFrameEncoder } from "../../framing/mod.ts";
import { ECHO_DEFAULTS } from "./defaults.ts";
import { type EchoFraming, echoFraming, writeFraming } from "./framing_options.ts";

/** Options of {@linkcode connectEcho}. */
export interface EchoClientOptions extends AdapterChoice, EchoFraming {
  /** The server's host. @default {ECHO_DEFAULTS.hostname} */
  hostname?: string;
  /** The server's port. @default {ECHO_DEFAULTS.port} */
  port?: number;
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
  const encoder = createFrameEncoder(writeFraming(framing));
  const conn = await connect({
    hostname: options.hostname ?? ECHO_DEFAULTS.hostname,
    port: options.port ?? ECHO_DEFAULTS.port,
    adapter: options.adapter,
  });
  const waiting: Waiter[] = [];
  let failure: unknown;
  const fail = (error: unknown): void => {
    failure ??= error;
    for (const waiter of waiting.splice(0)) waiter.reject(failure);
    conn.close();
  };
  const reader = (async () => {
    // Replies outlive the chunk they came in: copies, so none pins a large read buffer.
    const decoder = createFrameDecoder({ ...framing, copy: true });
    try {
      for await (const chunk of conn) {
        for (const frame of decoder.push(chunk)) {
          const waiter = waiting.shift();
          if (waiter === undefined) throw new Error("echo server sent a frame nobody asked for");
          waiter.resolve(frame);
        }
      }
      decoder.end();
      fail(new ConnectionClosedError("echo server closed the connection"));
    } catch (error) {
      fail(error);
    }
  })();

  // Frames of requests made while a write is under way wait here and go out together in the
  // next writev: one system call for a whole burst of pipelined requests.
  let queued: Uint8Array[] = [];
  let flushing = false;
  const flush = async (): Promise<void> => {
    flushing = true;
    try {
      while (queued.length > 0 && failure === undefined) {
        const batch = queued;
        queued = [];
        await conn.writev(batch);
      }
    } catch (error) {
      fail(error);
    } finally {
      flushing = false;
    }
  };
  const close = async (): Promise<void> => {
    fail(new ConnectionClosedError("echo client closed"));
    await reader;
  };
  return {
    localAddr: conn.localAddr,
    remoteAddr: conn.remoteAddr,
    request(payload: Uint8Array): Promise<Uint8Array> {
      if (failure !== undefined) return Promise.reject(failure);
      let parts: Uint8Array[];
      try {
        parts = encoder.encodeParts(payload);
      } catch (error) {
        return Promise.reject(error);
      }
      const reply = new Promise<Uint8Array>((resolve, reject) => waiting.push({ resolve, reject }));
      for (const part of parts) queued.push(part);
      if (!flushing) void flush();
      return reply;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

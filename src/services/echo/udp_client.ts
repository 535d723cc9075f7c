/**
 * A client of the UDP echo service.
 *
 * @module
 */
import {
  type AdapterChoice,
  ConnectionClosedError,
  type Datagram,
  type NetAddress,
} from "../../runtime/mod.ts";
import { openUdpClientSocket } from "../udp_client_socket.ts";
import { ECHO_DEFAULTS } from "./defaults.ts";
import { ReplyTimeoutError } from "../errors.ts";
import { timerDelay } from "../timeout.ts";

/** Options of {@linkcode connectEchoUdp}. */
export interface EchoUdpClientOptions extends AdapterChoice {
  /** The server's host. @default {ECHO_DEFAULTS.hostname} */
  hostname?: string;
  /** The server's port. @default {ECHO_DEFAULTS.port} */
  port?: number;
  /** How long a request waits for its reply, in ms. @default {ECHO_DEFAULTS.timeoutMs} */
  timeoutMs?: number;
}

/** A UDP socket talking to one echo server, from {@linkcode connectEchoUdp}. */
export interface EchoUdpClient extends AsyncDisposable {
  /** Our bound address. */
  readonly localAddr: NetAddress;
  /**
   * Sends `payload` as one datagram and resolves with the next datagram that comes back. Rejects
   * with {@linkcode ReplyTimeoutError} when none comes in time: UDP may lose either one.
   */
  request(payload: Uint8Array): Promise<Uint8Array>;
  /** Closes the socket; requests still waiting reject. Idempotent. */
  close(): Promise<void>;
}

/** Datagrams nobody waits for yet are kept up to this many; older ones are dropped. */
const MAX_UNCLAIMED = 1024;

/**
 * Opens a UDP socket for talking to an echo server ({@linkcode serveEchoUdp}, or
 * `unstuck echo serve` over UDP). Replies are matched to requests in order.
 *
 * @example
 * ```ts
 * import { connectEchoUdp, serveEchoUdp } from "@unstuck/unstuck";
 *
 * await using server = await serveEchoUdp({ port: 0 });
 * await using client = await connectEchoUdp({ port: server.addr.port, timeoutMs: 1000 });
 * console.log((await client.request(new Uint8Array([1, 2]))).length); // 2
 * ```
 */
export async function connectEchoUdp(
  options: EchoUdpClientOptions = {},
): Promise<EchoUdpClient> {
  const hostname = options.hostname ?? ECHO_DEFAULTS.hostname;
  const server: NetAddress = { hostname, port: options.port ?? ECHO_DEFAULTS.port };
  const timeoutMs = options.timeoutMs ?? ECHO_DEFAULTS.timeoutMs;
  const socket = await openUdpClientSocket(server, options.adapter);
  const unclaimed: Uint8Array[] = [];
  const waiting: ((datagram: Uint8Array | Error) => void)[] = [];
  let closed = false;
  const reader = (async () => {
    try {
      for await (const datagram of socket as AsyncIterable<Datagram>) {
        const waiter = waiting.shift();
        if (waiter) waiter(datagram.data);
        else if (unclaimed.push(datagram.data) > MAX_UNCLAIMED) unclaimed.shift();
      }
    } finally {
      closed = true;
      for (const waiter of waiting.splice(0)) waiter(new ConnectionClosedError("socket closed"));
    }
  })();

  const close = async (): Promise<void> => {
    socket.close();
    await reader;
  };
  return {
    localAddr: socket.addr,
    async request(payload: Uint8Array): Promise<Uint8Array> {
      if (closed) throw new ConnectionClosedError("socket closed");
      await socket.send(payload, server);
      const early = unclaimed.shift();
      if (early !== undefined) return early;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const reply = await new Promise<Uint8Array | Error>((resolve) => {
        const waiter = (d: Uint8Array | Error): void => {
          clearTimeout(timer);
          resolve(d);
        };
        waiting.push(waiter);
        timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          resolve(new ReplyTimeoutError(timeoutMs));
        }, timerDelay(timeoutMs));
      });
      if (reply instanceof Error) throw reply;
      return reply;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

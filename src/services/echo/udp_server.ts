/**
 * The UDP echo server: each datagram goes back to its sender, as in the tutorial.
 *
 * @module
 */
import { type AdapterChoice, bindDatagram, hostKey, type NetAddress } from "../../runtime/mod.ts";
import { asciiUpper } from "./upper.ts";
import { ECHO_DEFAULTS } from "./defaults.ts";
import { serverHandle } from "../handle.ts";
import type { EchoServer } from "./server.ts";
import { SourceLimiter } from "../rate_limit.ts";
import { isOwnAddress } from "../own_address.ts";

/**
 * Why the UDP echo server dropped a datagram: `rate` (its source host is over the rate limit)
 * or `own-address` (a forged source: the server itself, a reply would loop).
 */
export type EchoUdpDropReason = "rate" | "own-address";

/** Options of {@linkcode serveEchoUdp}. */
export interface EchoUdpServerOptions extends AdapterChoice {
  /** Address to bind. @default {ECHO_DEFAULTS.hostname} */
  hostname?: string;
  /** Port to bind; 0 lets the OS pick. @default {ECHO_DEFAULTS.port} */
  port?: number;
  /** Send datagrams back ASCII-uppercased. @default {false} */
  upper?: boolean;
  /**
   * Datagrams per second answered per source host; more are dropped. `Infinity`: no limit
   * (for benchmarks on loopback). @default {ECHO_DEFAULTS.udpRate}
   */
  rate?: number;
  /** Datagrams a quiet source host may have answered at once. @default {ECHO_DEFAULTS.udpBurst} */
  burst?: number;
  /**
   * The kernel receive buffer (`SO_RCVBUF`) to ask for, in bytes: datagrams arriving while the
   * server is busy wait there, and once it is full the kernel drops every datagram, whoever sent
   * it. Capped by the system (`net.core.rmem_max` on Linux); Deno cannot set it (see
   * {@linkcode EchoUdpServer.receiveBufferSize}). An integer from 1 to 2³¹ − 1, else `RangeError`.
   * @default {ECHO_DEFAULTS.udpReceiveBufferSize}
   */
  receiveBufferSize?: number;
  /** Called for each datagram dropped unanswered, with the reason. @default {nothing} */
  onDrop?: (reason: EchoUdpDropReason, peer: NetAddress) => void;
  /** Told when a reply cannot be sent; the server goes on. @default {nothing} */
  onError?: (error: Error, peer: NetAddress) => void;
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal;
}

/** A running UDP echo server, from {@linkcode serveEchoUdp}. */
export interface EchoUdpServer extends EchoServer {
  /**
   * The socket's receive buffer as the kernel reports it (on Linux twice the bytes granted, which
   * `net.core.rmem_max` caps); undefined where the runtime can neither set nor tell it (Deno: the
   * option is not applied, the system's default holds).
   */
  readonly receiveBufferSize: number | undefined;
}

/**
 * Starts a UDP echo server: every datagram received is sent back to where it came from
 * (ASCII-uppercased with `upper`). UDP keeps message boundaries, so no framing is needed.
 * Each source host gets at most `rate` replies a second (`burst` at once), and a datagram that
 * claims to come from the server's own address gets none: a forged source cannot make two echo
 * servers (or one, with itself) loop at full speed, nor turn the server on a victim beyond that
 * rate.
 *
 * @example
 * ```ts
 * import { connectEchoUdp, serveEchoUdp } from "@unstuck/unstuck";
 *
 * await using server = await serveEchoUdp({ port: 0, upper: true });
 * await using client = await connectEchoUdp({ port: server.addr.port });
 * const reply = await client.request(new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(reply)); // "HI"
 * ```
 */
export async function serveEchoUdp(options: EchoUdpServerOptions = {}): Promise<EchoUdpServer> {
  const { upper = false, onError, onDrop } = options;
  const rate = options.rate ?? ECHO_DEFAULTS.udpRate;
  const limiter = new SourceLimiter({ rate, burst: options.burst ?? ECHO_DEFAULTS.udpBurst });
  const socket = await bindDatagram({
    hostname: options.hostname ?? ECHO_DEFAULTS.hostname,
    port: options.port ?? ECHO_DEFAULTS.port,
    adapter: options.adapter,
    receiveBufferSize: options.receiveBufferSize ?? ECHO_DEFAULTS.udpReceiveBufferSize,
  });
  // Closing waits for a reply being sent, so no datagram already taken in is left unanswered.
  let stopping = false;
  let busy = false;
  const loop = (async () => {
    try {
      for await (const { data, remote } of socket) {
        if (isOwnAddress(remote, socket.addr)) {
          onDrop?.("own-address", remote);
          continue;
        }
        if (!limiter.take(hostKey(remote.hostname))) {
          onDrop?.("rate", remote);
          continue;
        }
        busy = true;
        try {
          await socket.send(upper ? asciiUpper(data) : data, remote);
        } catch (error) {
          onError?.(error instanceof Error ? error : new Error(String(error)), remote);
        }
        busy = false;
        if (stopping) break;
      }
    } finally {
      socket.close();
    }
  })();
  const handle = serverHandle(socket.addr, async () => {
    stopping = true;
    if (!busy) socket.close();
    await loop;
  }, options.signal);
  return Object.assign(handle, { receiveBufferSize: socket.receiveBufferSize });
}

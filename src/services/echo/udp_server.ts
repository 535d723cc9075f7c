/**
 * The UDP echo server: each datagram goes back to its sender, as in the tutorial.
 *
 * @module
 */
import { type AdapterChoice, bindDatagram, type NetAddress } from "../../runtime/mod.ts";
import { asciiUpper } from "./upper.ts";
import { ECHO_DEFAULTS } from "./defaults.ts";
import { serverHandle } from "../handle.ts";
import type { EchoServer } from "./server.ts";

/** Options of {@linkcode serveEchoUdp}. */
export interface EchoUdpServerOptions extends AdapterChoice {
  /** Address to bind. @default {ECHO_DEFAULTS.hostname} */
  hostname?: string;
  /** Port to bind; 0 lets the OS pick. @default {ECHO_DEFAULTS.port} */
  port?: number;
  /** Send datagrams back ASCII-uppercased. @default {false} */
  upper?: boolean;
  /** Told when a reply cannot be sent; the server goes on. @default {nothing} */
  onError?: (error: Error, peer: NetAddress) => void;
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal;
}

/**
 * Starts a UDP echo server: every datagram received is sent back to where it came from
 * (ASCII-uppercased with `upper`). UDP keeps message boundaries, so no framing is needed.
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
export async function serveEchoUdp(options: EchoUdpServerOptions = {}): Promise<EchoServer> {
  const { upper = false, onError } = options;
  const socket = await bindDatagram({
    hostname: options.hostname ?? ECHO_DEFAULTS.hostname,
    port: options.port ?? ECHO_DEFAULTS.port,
    adapter: options.adapter,
  });
  // Closing waits for a reply being sent, so no datagram already taken in is left unanswered.
  let stopping = false;
  let busy = false;
  const loop = (async () => {
    try {
      for await (const { data, remote } of socket) {
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
  return serverHandle(socket.addr, async () => {
    stopping = true;
    if (!busy) socket.close();
    await loop;
  }, options.signal);
}

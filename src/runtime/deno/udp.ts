/**
 * UDP over `Deno.listenDatagram`, which exists only with `--unstable-net`. Without it, the deno
 * adapter falls back to `node:dgram` (the node adapter's UDP), loaded only then.
 *
 * Deno has no way to set a socket's receive buffer (`receiveBufferSize`): `Deno.listenDatagram`
 * takes no such option and shows no descriptor, and its `node:dgram` only pretends to set it. The
 * option is checked and not applied; `receiveBufferSize` is undefined.
 *
 * @module
 */
import type { Datagram, DatagramOptions, DatagramSocket, NetAddress } from "../types.ts";
import { toNetworkError } from "../errors.ts";
import { BaseDatagramSocket, receiveBufferOption } from "../shared/datagram.ts";
import { bindAddress } from "../shared/address.ts";
import { denoApi, type DenoDatagramConn } from "./api.ts";

/** Receive buffer: one byte more than any IPv4 or IPv6 UDP payload, so nothing is truncated. */
const RECEIVE_SIZE = 65_536;

class DenoDatagramSocket extends BaseDatagramSocket {
  readonly #conn: DenoDatagramConn;
  readonly #buffer = new Uint8Array(RECEIVE_SIZE);

  constructor(conn: DenoDatagramConn, signal?: AbortSignal) {
    super({ hostname: conn.addr.hostname, port: conn.addr.port }, signal);
    this.#conn = conn;
  }

  protected async receiveResult(): Promise<IteratorResult<Datagram, undefined>> {
    if (this.isClosed) return { done: true, value: undefined };
    try {
      const [view, from] = await this.#conn.receive(this.#buffer);
      return {
        done: false,
        value: { data: view.slice(), remote: { hostname: from.hostname, port: from.port } },
      };
    } catch (e) {
      if (this.isClosed) return { done: true, value: undefined };
      throw toNetworkError(e, "receive");
    }
  }

  protected async sendBytes(bytes: Uint8Array, to: NetAddress): Promise<void> {
    try {
      await this.#conn.send(bytes, { transport: "udp", hostname: to.hostname, port: to.port });
    } catch (e) {
      throw toNetworkError(e, `send to ${to.hostname}:${to.port}`);
    }
  }

  protected closeSocket(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * True when `Deno.listenDatagram` is available (Deno runs with `--unstable-net`).
 *
 * @example
 * ```ts
 * import { hasNativeDatagrams } from "./udp.ts";
 * console.log(hasNativeDatagrams() ? "Deno.listenDatagram" : "node:dgram fallback");
 * ```
 */
export function hasNativeDatagrams(): boolean {
  return typeof denoApi().listenDatagram === "function";
}

/**
 * Binds a UDP socket with `Deno.listenDatagram`, or with `node:dgram` when Deno runs without
 * `--unstable-net`.
 *
 * @example
 * ```ts
 * import { bindDatagramDeno } from "./udp.ts";
 * const sock = await bindDatagramDeno({ port: 0 });
 * sock.close();
 * ```
 */
export async function bindDatagramDeno(options: DatagramOptions): Promise<DatagramSocket> {
  const deno = denoApi();
  if (typeof deno.listenDatagram !== "function") {
    const { bindDatagramNode } = await import("../node/udp.ts");
    return bindDatagramNode(options);
  }
  const { hostname, port } = bindAddress(options);
  receiveBufferOption(options);
  options.signal?.throwIfAborted();
  let conn: DenoDatagramConn;
  try {
    conn = deno.listenDatagram({ hostname, port, transport: "udp" });
  } catch (e) {
    throw toNetworkError(e, `bind ${hostname}:${port}`);
  }
  return new DenoDatagramSocket(conn, options.signal);
}

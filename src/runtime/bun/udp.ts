/**
 * UDP over `Bun.udpSocket`. Received datagrams are queued (bounded; when full, new ones are
 * dropped, as a full kernel buffer would). `send()` returns false when the kernel cannot take the
 * datagram now; we then wait for `drain` and try again. The kernel's receive buffer
 * (`receiveBufferSize`) is set through the socket's descriptor (./receive_buffer.ts).
 *
 * @module
 */
import type { Datagram, DatagramOptions, DatagramSocket, NetAddress } from "../types.ts";
import { NetworkError, toNetworkError } from "../errors.ts";
import { BaseDatagramSocket, DatagramQueue, receiveBufferOption } from "../shared/datagram.ts";
import { bindAddress } from "../shared/address.ts";
import { bunApi, type BunUdpSocket } from "./api.ts";
import { receiveBuffer } from "./receive_buffer.ts";

class BunDatagramSocket extends BaseDatagramSocket {
  readonly #socket: BunUdpSocket;
  readonly #queue: DatagramQueue;
  #drained: (() => void)[] = [];

  constructor(
    socket: BunUdpSocket,
    queue: DatagramQueue,
    signal?: AbortSignal,
    receiveBufferSize?: number,
  ) {
    super({ hostname: socket.hostname, port: socket.port }, signal, receiveBufferSize);
    this.#socket = socket;
    this.#queue = queue;
  }

  /** `drain` event. */
  onDrain(): void {
    const waiting = this.#drained;
    this.#drained = [];
    for (const resume of waiting) resume();
  }

  protected receiveResult(): Promise<IteratorResult<Datagram, undefined>> {
    return this.#queue.next();
  }

  protected async sendBytes(bytes: Uint8Array, to: NetAddress): Promise<void> {
    for (;;) {
      let sent: boolean;
      try {
        sent = this.#socket.send(bytes, to.port, to.hostname);
      } catch (e) {
        throw toNetworkError(e, `send to ${to.hostname}:${to.port}`);
      }
      if (sent) return;
      await new Promise<void>((resolve) => this.#drained.push(resolve));
      if (this.isClosed) throw new NetworkError("socket closed", { code: "EBADF" });
    }
  }

  protected closeSocket(): void {
    this.#socket.close();
    this.#queue.end();
    this.onDrain();
  }
}

/**
 * Binds a UDP socket with `Bun.udpSocket`.
 *
 * @example
 * ```ts
 * import { bindDatagramBun } from "./udp.ts";
 * const sock = await bindDatagramBun({ port: 0 });
 * sock.close();
 * ```
 */
export async function bindDatagramBun(options: DatagramOptions): Promise<DatagramSocket> {
  const bun = bunApi();
  const { hostname, port } = bindAddress(options);
  const wanted = receiveBufferOption(options);
  options.signal?.throwIfAborted();
  const queue = new DatagramQueue();
  const bound: { sock?: BunDatagramSocket } = {};
  let socket: BunUdpSocket;
  try {
    socket = await bun.udpSocket({
      hostname,
      port,
      binaryType: "uint8array",
      socket: {
        data: (_s, data, fromPort, address, flags) => {
          // A truncated datagram is not the one that was sent: drop it, as an overrun would.
          if (!flags?.truncated) queue.offer(data, { hostname: address, port: fromPort });
        },
        drain: () => bound.sock?.onDrain(),
        error: () => {/* send errors are reported to the sender */},
      },
    });
  } catch (e) {
    throw toNetworkError(e, `bind ${hostname}:${port}`);
  }
  let receiveBufferSize: number | undefined;
  try {
    receiveBufferSize = await receiveBuffer(socket.fd, wanted);
  } catch (e) {
    socket.close();
    throw e;
  }
  bound.sock = new BunDatagramSocket(socket, queue, options.signal, receiveBufferSize);
  return bound.sock;
}

/**
 * UDP over `node:dgram`. Runs in Node, Deno (it is the Deno adapter's fallback without
 * `--unstable-net`) and Bun.
 *
 * The receive buffer (`receiveBufferSize`) is set with `setRecvBufferSize` (`SO_RCVBUF`) in Node
 * and Bun. Deno's `node:dgram` only pretends to: it accepts the size and reports it back doubled,
 * while the kernel's buffer stays at the system default (checked with `ss -m`); so in Deno it is
 * neither set nor reported.
 *
 * @module
 */
import dgram from "node:dgram";
import { once } from "node:events";
import { isIPv6 } from "node:net";
import type { Buffer } from "node:buffer";
import type { Datagram, DatagramOptions, DatagramSocket, NetAddress } from "../types.ts";
import { toNetworkError } from "../errors.ts";
import { BaseDatagramSocket, DatagramQueue, receiveBufferOption } from "../shared/datagram.ts";
import { bindAddress } from "../shared/address.ts";
import { detectRuntime } from "../adapter.ts";

/** Whether `setRecvBufferSize` reaches the kernel (not in Deno: see the module's comment). */
const SETS_RECEIVE_BUFFER = detectRuntime() !== "deno";

class NodeDatagramSocket extends BaseDatagramSocket {
  readonly #socket: dgram.Socket;
  readonly #queue = new DatagramQueue();

  constructor(socket: dgram.Socket, signal?: AbortSignal, receiveBufferSize?: number) {
    const a = socket.address();
    super({ hostname: a.address, port: a.port }, signal, receiveBufferSize);
    this.#socket = socket;
    socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      this.#queue.offer(
        new Uint8Array(msg.buffer, msg.byteOffset, msg.length),
        { hostname: rinfo.address, port: rinfo.port },
      );
    });
    socket.on("close", () => this.#queue.end());
  }

  protected receiveResult(): Promise<IteratorResult<Datagram, undefined>> {
    return this.#queue.next();
  }

  protected sendBytes(bytes: Uint8Array, to: NetAddress): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.send(bytes, to.port, to.hostname, (e) => {
        if (e) reject(toNetworkError(e, `send to ${to.hostname}:${to.port}`));
        else resolve();
      });
    });
  }

  protected closeSocket(): void {
    this.#socket.close();
  }
}

/**
 * Binds a UDP socket with `node:dgram`.
 *
 * @example
 * ```ts
 * import { bindDatagramNode } from "./udp.ts";
 * const sock = await bindDatagramNode({ port: 0 });
 * await sock.send(new TextEncoder().encode("ping"), sock.addr);
 * sock.close();
 * ```
 */
export async function bindDatagramNode(options: DatagramOptions): Promise<DatagramSocket> {
  const { hostname, port } = bindAddress(options);
  const wanted = receiveBufferOption(options);
  options.signal?.throwIfAborted();
  const socket = dgram.createSocket({ type: isIPv6(hostname) ? "udp6" : "udp4" });
  let receiveBufferSize: number | undefined;
  try {
    socket.bind({ address: hostname, port });
    await once(socket, "listening"); // rejects with an "error" event instead
    if (SETS_RECEIVE_BUFFER) {
      if (wanted !== undefined) socket.setRecvBufferSize(wanted);
      receiveBufferSize = socket.getRecvBufferSize();
    }
  } catch (e) {
    socket.close();
    throw toNetworkError(e, `bind ${hostname}:${port}`);
  }
  socket.on("error", () => {/* send errors are reported to the sender */});
  return new NodeDatagramSocket(socket, options.signal, receiveBufferSize);
}

/**
 * What every adapter's UDP socket has in common: the size check on send, iteration, close,
 * abort and async dispose. Each adapter supplies the runtime calls.
 *
 * @module
 */
import {
  type Datagram,
  type DatagramOptions,
  type DatagramSocket,
  MAX_DATAGRAM_SIZE,
  type NetAddress,
} from "../types.ts";
import { integerOption } from "../../framing/mod.ts";
import { ConnectionRefusedError, DatagramTooLargeError, NetworkError } from "../errors.ts";
import { PushQueue } from "./push_queue.ts";
import { peerAddress } from "./address.ts";
import { whenAborted } from "./abortable.ts";

/** Bytes of received datagrams held for a consumer that is not iterating; newer ones are dropped. */
export const RECEIVE_QUEUE_BYTES = 4 * 1024 * 1024;
/** What a queued datagram counts for on top of its payload (its object, address). */
const DATAGRAM_OVERHEAD = 64;
/**
 * How often a datagram is tried while each attempt fails with a stale ICMP error (each failed
 * attempt consumes one; more than one is pending only when several arrive within microseconds).
 */
const SEND_ATTEMPTS = 8;

/** The largest `receiveBufferSize` (the kernel takes an `int`). */
const MAX_RECEIVE_BUFFER_SIZE = 2 ** 31 - 1;

/**
 * The `receiveBufferSize` option, checked: undefined (the system's default), or an integer from 1
 * to 2³¹ − 1 (else `RangeError`, before anything is bound).
 *
 * @example
 * ```ts
 * import { receiveBufferOption } from "./datagram.ts";
 * console.log(receiveBufferOption({ receiveBufferSize: 4 << 20 })); // 4194304
 * console.log(receiveBufferOption({})); // undefined
 * ```
 */
export function receiveBufferOption(options: DatagramOptions): number | undefined {
  const size = options.receiveBufferSize;
  if (size === undefined) return undefined;
  return integerOption("receiveBufferSize", size, size, 1, MAX_RECEIVE_BUFFER_SIZE);
}

/**
 * Base class of the adapters' UDP sockets.
 *
 * @example What an adapter subclass looks like
 * ```ts
 * import { BaseDatagramSocket } from "./datagram.ts";
 * class Mute extends BaseDatagramSocket {
 *   protected receiveResult() { return Promise.resolve({ done: true as const, value: undefined }); }
 *   protected sendBytes() { return Promise.resolve(); }
 *   protected closeSocket() {}
 * }
 * const sock = new Mute({ hostname: "127.0.0.1", port: 1 });
 * sock.close();
 * ```
 */
export abstract class BaseDatagramSocket implements DatagramSocket {
  /** The bound address; for port 0 this holds the real port. */
  readonly addr: NetAddress;
  /** The kernel's receive buffer of the socket, in bytes; undefined where the runtime cannot tell. */
  readonly receiveBufferSize: number | undefined;
  #closed = false;
  #receiving = false;
  readonly #stopAbort: () => void;

  /**
   * Starts the bookkeeping for a socket bound at `addr`, whose receive buffer the kernel reports
   * as `receiveBufferSize` bytes; aborting `signal` closes it.
   */
  constructor(addr: NetAddress, signal?: AbortSignal, receiveBufferSize?: number) {
    this.addr = addr;
    this.receiveBufferSize = receiveBufferSize;
    this.#stopAbort = whenAborted(signal, () => this.close());
  }

  /** The next datagram, or done once closed. */
  protected abstract receiveResult(): Promise<IteratorResult<Datagram, undefined>>;
  /** Sends one datagram of at most {@linkcode MAX_DATAGRAM_SIZE} bytes. */
  protected abstract sendBytes(bytes: Uint8Array, to: NetAddress): Promise<void>;
  /** Releases the socket; pending receives must end. */
  protected abstract closeSocket(): void;

  /** True once `close()` was called. */
  protected get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one datagram; more than 65,507 bytes is a `DatagramTooLargeError`, a port outside 1 to
   * 65535 a `RangeError`.
   */
  send(bytes: Uint8Array, to: NetAddress): Promise<void> {
    try {
      peerAddress(to);
    } catch (e) {
      return Promise.reject(e);
    }
    if (bytes.length > MAX_DATAGRAM_SIZE) {
      return Promise.reject(new DatagramTooLargeError(bytes.length, MAX_DATAGRAM_SIZE));
    }
    if (this.#closed) return Promise.reject(new NetworkError("socket closed", { code: "EBADF" }));
    return this.sendBytes(bytes, to).catch((e) => this.#retryStale(e, bytes, to, 1));
  }

  /**
   * Our sockets are never connected, so a send never fails for its own destination: an
   * ECONNREFUSED is the ICMP "port unreachable" of an EARLIER datagram, to someone else, that
   * the kernel reports on the next send (Bun asks for these reports, IP_RECVERR; any socket
   * can hold one as a pending SO_ERROR). Reporting it consumes it, and this datagram was not
   * sent: send it again, so that one vanished peer cannot fail sends to everyone after it.
   */
  async #retryStale(
    error: unknown,
    bytes: Uint8Array,
    to: NetAddress,
    attempt: number,
  ): Promise<void> {
    if (!(error instanceof ConnectionRefusedError) || attempt >= SEND_ATTEMPTS || this.#closed) {
      throw error;
    }
    try {
      await this.sendBytes(bytes, to);
    } catch (e) {
      await this.#retryStale(e, bytes, to, attempt + 1);
    }
  }

  async #next(): Promise<IteratorResult<Datagram, undefined>> {
    if (this.#receiving) throw new TypeError("another receive is already pending on this socket");
    this.#receiving = true;
    try {
      return await this.receiveResult();
    } finally {
      this.#receiving = false;
    }
  }

  /**
   * Received datagrams until the socket is closed. Leaving a loop early does not close the socket:
   * iterate again to go on receiving.
   */
  [Symbol.asyncIterator](): AsyncIterator<Datagram> {
    return { next: () => this.#next() };
  }

  /** Closes the socket and ends iteration. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopAbort();
    this.closeSocket();
  }

  /** Closes the socket. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/**
 * The queue for runtimes that push datagrams at us: bounded by {@linkcode RECEIVE_QUEUE_BYTES};
 * when full, new datagrams are dropped, as the kernel does when its buffer is full.
 *
 * @example
 * ```ts
 * import { DatagramQueue } from "./datagram.ts";
 * const q = new DatagramQueue();
 * q.offer(new Uint8Array(3), { hostname: "127.0.0.1", port: 9 });
 * console.log((await q.next()).value?.data.length); // 3
 * ```
 */
export class DatagramQueue {
  readonly #queue = new PushQueue<Datagram>({
    highWaterMark: RECEIVE_QUEUE_BYTES,
    sizeOf: (d) => d.data.length + DATAGRAM_OVERHEAD,
  });

  /** Queues a datagram unless the queue is full (then it is dropped). */
  offer(data: Uint8Array, remote: NetAddress): void {
    if (!this.#queue.full) this.#queue.push({ data, remote });
  }

  /** The next datagram, or done after `end()`. */
  next(): Promise<IteratorResult<Datagram, undefined>> {
    return this.#queue.next();
  }

  /** Ends iteration once the queued datagrams are taken. */
  end(): void {
    this.#queue.end();
  }
}

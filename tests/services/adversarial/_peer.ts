// A hostile peer from another loopback address (127.0.0.2, …, standing in for other hosts): a
// node:net socket bound to that local address (the runtime adapters' connect takes none; node:net
// does, under Node, Deno and Bun alike). It records what it reads and when the server closed.
import { connect as netConnect, type Socket } from "node:net";
import { encodeFrame } from "../../../mod.ts";
import {
  answerGreeting,
  checkHello,
  encodeControl,
  importTokenKey,
  parseServerFrame,
  type ServerControlMessage,
} from "../../../src/services/exec/protocol/mod.ts";
import { createFrameDecoder } from "../../../mod.ts";
import { within } from "../../runtime/helpers.ts";

/** A connection from `localAddress` that the test drives byte by byte. */
export class Peer {
  readonly socket: Socket;
  /** Resolves once the server has closed (or reset) the connection, whoever saw it first. */
  readonly closed: Promise<void>;
  /** Every byte read. */
  received: Uint8Array[] = [];
  /** Whether the server closed the connection (EOF or reset). */
  isClosed = false;
  #onData: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.received.push(new Uint8Array(chunk));
      this.#onData?.();
    });
    this.closed = new Promise((resolve) => {
      const done = (): void => {
        this.isClosed = true;
        resolve();
        this.#onData?.();
      };
      socket.on("end", done);
      socket.on("close", done);
      socket.on("error", done);
    });
  }

  /** Connects to 127.0.0.1:`port` from `localAddress`. */
  static open(port: number, localAddress: string): Promise<Peer> {
    return within(
      new Promise<Peer>((resolve, reject) => {
        const socket = netConnect({ host: "127.0.0.1", port, localAddress });
        socket.once("connect", () => resolve(new Peer(socket)));
        socket.once("error", reject);
      }),
      5_000,
      `connect from ${localAddress}`,
    );
  }

  /** Writes bytes (resolves once node:net took them, or at once if the socket is gone). */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(bytes, () => resolve());
    });
  }

  /** All bytes read so far, as one buffer. */
  get bytes(): Uint8Array {
    const out = new Uint8Array(this.received.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.received) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Resolves once `check()` holds on what was read (or the connection closed), within `ms`. */
  async until(check: () => boolean, ms: number, what: string): Promise<void> {
    await within(
      new Promise<void>((resolve) => {
        const test = (): void => {
          if (check() || this.isClosed) {
            this.#onData = undefined;
            resolve();
          }
        };
        this.#onData = test;
        test();
      }),
      ms,
      what,
    );
  }

  /** The frames read so far ("!I" length prefixed). */
  frames(): Uint8Array[] {
    return createFrameDecoder().push(this.bytes);
  }

  /** The exec control messages read so far, but `bindings` (the hello's companion). */
  controls(): ServerControlMessage[] {
    return this.#allControls().filter((m) => m.type !== "bindings");
  }

  #allControls(): ServerControlMessage[] {
    return this.frames().flatMap((f) => {
      const frame = parseServerFrame(f);
      return frame.kind === "control" ? [frame.message] : [];
    });
  }

  /** Waits for the exec server's hello and bindings, and answers them with the proof for `token`. */
  async authenticate(token: string): Promise<void> {
    await this.until(() => this.#allControls().length > 1, 5_000, "hello and bindings");
    const [hello, bindings] = this.#allControls();
    if (hello?.type !== "hello" || bindings?.type !== "bindings") {
      throw new Error(`expected hello and bindings, got ${JSON.stringify([hello, bindings])}`);
    }
    const key = await importTokenKey(token);
    const plaintext = { tls: false, exporter: false };
    const { auth } = await answerGreeting(key, checkHello(hello), bindings.offer, plaintext, {});
    await this.write(encodeFrame(encodeControl(auth)));
  }

  /** Closes our side and forgets the socket. */
  destroy(): void {
    this.socket.destroy();
  }

  /** Resets the connection (RST instead of FIN). */
  reset(): void {
    if (typeof this.socket.resetAndDestroy === "function") this.socket.resetAndDestroy();
    else this.socket.destroy();
  }
}

/** Opens `n` peers from `localAddress`. */
export function openPeers(port: number, localAddress: string, n: number): Promise<Peer[]> {
  return Promise.all(Array.from({ length: n }, () => Peer.open(port, localAddress)));
}

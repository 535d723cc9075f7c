// The baselines of bench/runtime_adapters.ts: minimal hand-written loops on each runtime's raw
// API (node:net, Deno.listen/connect with read()/write(), Bun.listen/connect with drain). Each
// sends prebuilt bytes and counts `!I` frames in place (no allocation per frame) — the ceiling an
// adapter plus framing can approach.
import net from "node:net";
import type { Buffer } from "node:buffer";
import { denoApi } from "../src/runtime/deno/api.ts";
import { bunApi } from "../src/runtime/bun/api.ts";
import type { BunSocket } from "../src/runtime/bun/api.ts";

/** What a receiver counted. */
export interface Tally {
  frames: number;
  bytes: number;
}

/** Sends `chunk` repeatedly while `more()` says so, then half-closes. */
export type Sender = (chunk: Uint8Array, more: () => boolean) => Promise<void>;

/** Counts `!I`-framed payload bytes in place, across chunks, without copying. */
export class FrameCounter implements Tally {
  frames = 0;
  bytes = 0;
  #remaining = 0;
  #header = 0;
  #headerBytes = 0;

  push(chunk: Uint8Array, n = chunk.length): void {
    let i = 0;
    while (i < n) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, n - i);
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.frames++;
        continue;
      }
      while (this.#headerBytes < 4 && i < n) {
        this.#header = this.#header * 256 + chunk[i++];
        this.#headerBytes++;
      }
      if (this.#headerBytes === 4) {
        this.#remaining = this.#header;
        this.bytes += this.#header;
        this.#header = 0;
        this.#headerBytes = 0;
        if (this.#remaining === 0) this.frames++;
      }
    }
  }
}

/** One raw transfer: a receiver that counts frames, and a sender. */
export interface RawPair {
  send: Sender;
  received: Promise<Tally>;
  close(): void;
}

/** node:net, with `write()`'s return value and `drain` for backpressure. */
async function nodePair(): Promise<RawPair> {
  let resolveTally!: (t: Tally) => void;
  const received = new Promise<Tally>((r) => (resolveTally = r));
  const server = net.createServer((socket) => {
    const counter = new FrameCounter();
    socket.on("data", (b: Buffer) => counter.push(b));
    socket.on("end", () => {
      socket.end();
      resolveTally(counter);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect({ host: "127.0.0.1", port });
  await new Promise<void>((r) => client.once("connect", r));
  client.setNoDelay(true);
  return {
    received,
    send: (chunk, more) =>
      new Promise<void>((resolve) => {
        const pump = (): void => {
          while (more()) {
            if (!client.write(chunk)) {
              client.once("drain", pump);
              return;
            }
          }
          client.end(resolve);
        };
        pump();
      }),
    close: () => {
      client.destroy();
      server.close();
    },
  };
}

/** Deno.listen / Deno.connect: a read() loop into one buffer, a write() loop over short writes. */
async function denoPair(): Promise<RawPair> {
  const deno = denoApi();
  const listener = deno.listen({ hostname: "127.0.0.1", port: 0, transport: "tcp" });
  const accepted = listener.accept();
  const client = await deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
    transport: "tcp",
  });
  client.setNoDelay(true);
  const conn = await accepted;
  const received = (async () => {
    const counter = new FrameCounter();
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      counter.push(buffer, n);
    }
    return counter;
  })();
  return {
    received,
    send: async (chunk, more) => {
      while (more()) {
        let offset = 0;
        while (offset < chunk.length) {
          offset += await client.write(offset === 0 ? chunk : chunk.subarray(offset));
        }
      }
      await client.closeWrite();
    },
    close: () => {
      client.close();
      conn.close();
      listener.close();
    },
  };
}

/** Bun.listen / Bun.connect: write() takes what the kernel takes; the rest goes on `drain`. */
async function bunPair(): Promise<RawPair> {
  const bun = bunApi();
  let resolveTally!: (t: Tally) => void;
  const received = new Promise<Tally>((r) => (resolveTally = r));
  const counter = new FrameCounter();
  const listener = bun.listen<undefined>({
    hostname: "127.0.0.1",
    port: 0,
    allowHalfOpen: true,
    socket: {
      binaryType: "uint8array",
      open: () => {},
      data: (_s, d) => counter.push(d),
      drain: () => {},
      end: (s) => {
        s.close();
        resolveTally(counter);
      },
      close: () => {},
      error: () => {},
    },
  });
  let onDrain: () => void = () => {};
  const client: BunSocket<undefined> = await bun.connect<undefined>({
    hostname: "127.0.0.1",
    port: listener.port,
    allowHalfOpen: true,
    socket: {
      binaryType: "uint8array",
      open: (s) => void s.setNoDelay(true),
      data: () => {},
      drain: () => onDrain(),
      end: () => {},
      close: () => {},
      error: () => {},
    },
  });
  return {
    received,
    send: (chunk, more) =>
      new Promise<void>((resolve, reject) => {
        // `offset` is undefined between chunks: write() may take 0 bytes of a new one, which
        // must then be sent on `drain` without taking another from the budget.
        let offset: number | undefined;
        const pump = (): void => {
          for (;;) {
            if (offset === undefined) {
              if (!more()) {
                client.shutdown();
                resolve();
                return;
              }
              offset = 0;
            }
            const n = client.write(chunk, offset, chunk.length - offset);
            if (n < 0) return reject(new Error("socket closed"));
            offset += n;
            if (offset < chunk.length) return; // wait for drain
            offset = undefined;
          }
        };
        onDrain = pump;
        pump();
      }),
    close: () => {
      client.close();
      listener.stop(true);
    },
  };
}

/** A raw sender/receiver pair on `runtime`'s own API. */
export function rawPair(runtime: "node" | "deno" | "bun"): Promise<RawPair> {
  return runtime === "deno" ? denoPair() : runtime === "bun" ? bunPair() : nodePair();
}

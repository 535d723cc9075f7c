// The baseline of bench/tls_services.ts's echo rows: a minimal TLS echo on each runtime's own API,
// as code without unstuck would be — a server that writes back every chunk it reads (waiting for
// the socket to take it), and a client that keeps `window` prebuilt `!I` frames in flight, counts
// echoed frames in place (no allocation per frame) and sends one more frame for each one back.
// node:tls; Deno.listenTls/connectTls with read()/write(); Bun.listen/connect with `tls`.
import tls from "node:tls";
import type net from "node:net";
import type { Buffer } from "node:buffer";
import { bunApi } from "../src/runtime/bun/api.ts";
import type { BunSocket } from "../src/runtime/bun/api.ts";
import { FrameCounter } from "./runtime_raw.ts";
import { type Credentials, type DenoTlsConn, denoTlsConnections, type RawTls } from "./tls_raw.ts";

/** A windowed echo: `frame` (one encoded frame) sent `total` times, `window` in flight. */
export interface EchoLoad {
  frame: Uint8Array;
  total: number;
  window: number;
}

/** A raw TLS echo server and a connected client. */
export interface RawTlsEcho {
  /** Runs `load`; resolves with the frames echoed once all are back. */
  run(load: EchoLoad): Promise<number>;
  close(): void;
}

/** The client's side of a windowed echo, over any socket: what to send as frames come back. */
class Window {
  readonly #counter = new FrameCounter();
  readonly #batch: Uint8Array;
  readonly #frameLength: number;
  #sent = 0;
  readonly #load: EchoLoad;
  readonly done: Promise<number>;
  #resolve!: (n: number) => void;

  constructor(load: EchoLoad) {
    this.#load = load;
    this.#frameLength = load.frame.length;
    this.#batch = new Uint8Array(load.frame.length * load.window);
    for (let i = 0; i < load.window; i++) this.#batch.set(load.frame, i * load.frame.length);
    this.done = new Promise((r) => (this.#resolve = r));
  }

  /** The first window of frames to send. */
  start(): Uint8Array {
    return this.#take(Math.min(this.#load.window, this.#load.total));
  }

  /** Counts `n` received bytes; returns the frames to send in answer (maybe none). */
  received(chunk: Uint8Array, n = chunk.length): Uint8Array | undefined {
    const before = this.#counter.frames;
    this.#counter.push(chunk, n);
    const back = this.#counter.frames - before;
    if (this.#counter.frames === this.#load.total) this.#resolve(this.#counter.frames);
    const more = Math.min(back, this.#load.total - this.#sent);
    return more > 0 ? this.#take(more) : undefined;
  }

  #take(frames: number): Uint8Array {
    this.#sent += frames;
    return this.#batch.subarray(0, frames * this.#frameLength);
  }
}

/** node:tls on both ends: the server writes back each chunk, pausing on a full buffer. */
async function nodeTlsEcho({ cert, key }: Credentials): Promise<RawTlsEcho> {
  const server = tls.createServer({ cert, key }, (socket) => {
    socket.setNoDelay(true);
    socket.on("data", (b: Buffer) => {
      if (!socket.write(b)) {
        socket.pause();
        socket.once("drain", () => socket.resume());
      }
    });
    socket.on("end", () => socket.end());
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  const client = tls.connect({ host: "127.0.0.1", port, ca: [cert] });
  await new Promise<void>((r) => client.once("secureConnect", r));
  client.setNoDelay(true);
  let window: Window | undefined;
  client.on("data", (b: Buffer) => {
    const more = window?.received(b);
    if (more) client.write(more);
  });
  return {
    run(load) {
      window = new Window(load);
      client.write(window.start());
      return window.done;
    },
    close: () => {
      client.destroy();
      server.close();
    },
  };
}

/** Writes all of `bytes` with Deno's write(), which may take part. */
async function writeAll(conn: DenoTlsConn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    offset += await conn.write(offset === 0 ? bytes : bytes.subarray(offset));
  }
}

/** Deno.listenTls / Deno.connectTls: read() loops into one buffer, write() loops. */
async function denoTlsEcho(credentials: Credentials): Promise<RawTlsEcho> {
  const { client, conn, close } = await denoTlsConnections(credentials);
  void (async () => {
    const buffer = new Uint8Array(256 * 1024);
    for (;;) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      await writeAll(conn, buffer.subarray(0, n)).catch(() => {});
    }
  })();
  let window: Window | undefined;
  // Writes one at a time, in order.
  let writing: Promise<void> = Promise.resolve();
  const send = (bytes: Uint8Array): void => {
    writing = writing.then(() => writeAll(client, bytes));
  };
  void (async () => {
    const buffer = new Uint8Array(256 * 1024);
    for (;;) {
      const n = await client.read(buffer).catch(() => null);
      if (n === null) break;
      const more = window?.received(buffer, n);
      if (more) send(more);
    }
  })();
  return {
    run(load) {
      window = new Window(load);
      send(window.start());
      return window.done;
    },
    close,
  };
}

/** Keeps what Bun's write() did not take, and sends it on drain (in order). */
class BunWriter {
  readonly #socket: BunSocket<undefined>;
  #queue: Uint8Array[] = [];

  constructor(socket: BunSocket<undefined>) {
    this.#socket = socket;
  }

  write(bytes: Uint8Array): void {
    if (this.#queue.length > 0) {
      this.#queue.push(bytes.slice());
      return;
    }
    const n = this.#socket.write(bytes);
    if (n < bytes.length) this.#queue.push(bytes.slice(Math.max(0, n)));
  }

  drain(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      const n = this.#socket.write(head);
      if (n < head.length) {
        this.#queue[0] = head.subarray(Math.max(0, n));
        return;
      }
      this.#queue.shift();
    }
  }
}

/** Bun.listen / Bun.connect with `tls`: write() takes what it can; the rest goes on drain. */
async function bunTlsEcho({ cert, key }: Credentials): Promise<RawTlsEcho> {
  const bun = bunApi();
  const ignore = (): void => {};
  const writers = new WeakMap<BunSocket<undefined>, BunWriter>();
  const writerOf = (s: BunSocket<undefined>): BunWriter => {
    let w = writers.get(s);
    if (!w) writers.set(s, w = new BunWriter(s));
    return w;
  };
  const listener = bun.listen<undefined>({
    hostname: "127.0.0.1",
    port: 0,
    allowHalfOpen: true,
    tls: { cert, key },
    socket: {
      binaryType: "uint8array",
      open: (s) => void s.setNoDelay(true),
      data: (s, d) => writerOf(s).write(d),
      drain: (s) => writerOf(s).drain(),
      end: (s) => s.close(),
      close: ignore,
      error: ignore,
    },
  });
  let window: Window | undefined;
  let secured!: () => void;
  const handshake = new Promise<void>((r) => (secured = r));
  const client: BunSocket<undefined> = await bun.connect<undefined>({
    hostname: "127.0.0.1",
    port: listener.port,
    allowHalfOpen: true,
    tls: { ca: [cert], rejectUnauthorized: true },
    socket: {
      binaryType: "uint8array",
      open: (s) => void s.setNoDelay(true),
      handshake: () => secured(),
      data: (s, d) => {
        const more = window?.received(d);
        if (more) writerOf(s).write(more);
      },
      drain: (s) => writerOf(s).drain(),
      end: ignore,
      close: ignore,
      error: ignore,
    },
  });
  await handshake;
  return {
    run(load) {
      window = new Window(load);
      writerOf(client).write(window.start());
      return window.done;
    },
    close: () => {
      client.close();
      listener.stop(true);
    },
  };
}

/** A raw TLS echo on `kind`'s API. */
export function rawTlsEcho(kind: RawTls, credentials: Credentials): Promise<RawTlsEcho> {
  if (kind === "deno") return denoTlsEcho(credentials);
  if (kind === "bun") return bunTlsEcho(credentials);
  return nodeTlsEcho(credentials);
}

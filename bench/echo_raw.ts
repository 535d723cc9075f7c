// The raw-API baseline of the echo benchmark: the same framed TCP echo (4-byte big-endian length,
// then the payload) and UDP echo, written directly on each runtime's own socket API with the
// framing done by hand, as code without unstuck would be. Node: node:net/node:dgram; Deno:
// Deno.listen/Deno.connect/Deno.listenDatagram; Bun: Bun.listen/Bun.connect/Bun.udpSocket.
import { connect as netConnect, createServer, type Socket } from "node:net";
import { createSocket } from "node:dgram";
import type { Buffer } from "node:buffer";

/** Something that answers requests: our echo clients and these raw ones alike. */
export interface Requester {
  request(payload: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A running raw server. */
export interface RawServer {
  port: number;
  close(): Promise<void>;
}

/** A close function for a synchronous close. */
function settled(close: () => void): () => Promise<void> {
  return () => {
    close();
    return Promise.resolve();
  };
}

/**
 * A requester over any transport: `send` puts the request on the wire, `reply` is what answers
 * it (registered first, so a fast reply cannot be missed).
 */
function requester(
  reply: () => Promise<Uint8Array>,
  send: (payload: Uint8Array) => void,
  close: () => void,
): Requester {
  return {
    request(payload) {
      const answer = reply();
      send(payload);
      return answer;
    },
    close: settled(close),
  };
}

// ---- shared by-hand framing ---------------------------------------------------------------

/** Bytes of complete frames at the start of `buf`. */
function completeFrames(buf: Uint8Array): number {
  let off = 0;
  while (buf.length - off >= 4) {
    const len = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>>
      0;
    if (buf.length - off - 4 < len) break;
    off += 4 + len;
  }
  return off;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

/** Client side: accumulates bytes and hands each complete reply to the oldest waiter. */
class ReplyQueue {
  #buf: Uint8Array = new Uint8Array(0);
  #waiting: ((reply: Uint8Array) => void)[] = [];

  wait(): Promise<Uint8Array> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  push(chunk: Uint8Array): void {
    let buf = concat(this.#buf, chunk);
    const end = completeFrames(buf);
    let off = 0;
    while (off < end) {
      const len = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>>
        0;
      this.#waiting.shift()!(buf.slice(off + 4, off + 4 + len));
      off += 4 + len;
    }
    buf = buf.subarray(end);
    this.#buf = buf.length === 0 ? new Uint8Array(0) : buf.slice();
  }
}

/** Server side: returns the bytes of whole frames to echo, keeping any partial one. */
class EchoCutter {
  #buf: Uint8Array = new Uint8Array(0);

  take(chunk: Uint8Array): Uint8Array {
    const buf = concat(this.#buf, chunk);
    const end = completeFrames(buf);
    this.#buf = buf.subarray(end).slice();
    return buf.subarray(0, end);
  }
}

/** Datagram client side: replies to the oldest waiter, with a timeout per request. */
class DatagramWaiters {
  #waiting: ((reply: Uint8Array | undefined) => void)[] = [];

  wait(timeoutMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(new Error("lost"));
      }, timeoutMs);
      const waiter = (reply: Uint8Array | undefined): void => {
        clearTimeout(timer);
        resolve(reply!);
      };
      this.#waiting.push(waiter);
    });
  }

  push(reply: Uint8Array): void {
    this.#waiting.shift()?.(reply);
  }
}

// ---- Node: node:net, node:dgram -------------------------------------------------------------

const node = {
  async tcpServer(): Promise<RawServer> {
    const server = createServer((sock: Socket) => {
      sock.setNoDelay(true);
      const cut = new EchoCutter();
      sock.on("data", (d: Buffer) => {
        const out = cut.take(d);
        if (out.length > 0) sock.write(out);
      });
      sock.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return {
      port: (server.address() as { port: number }).port,
      close: () => new Promise((r) => server.close(() => r())),
    };
  },
  async tcpClient(port: number): Promise<Requester> {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const c = netConnect({ host: "127.0.0.1", port, noDelay: true }, () => resolve(c));
      c.once("error", reject);
    });
    const replies = new ReplyQueue();
    sock.on("data", (d: Buffer) => replies.push(d));
    return requester(
      () => replies.wait(),
      (payload) => sock.write(frame(payload)),
      () => sock.destroy(),
    );
  },
  async udpServer(): Promise<RawServer> {
    const sock = createSocket("udp4");
    sock.on("message", (m, rinfo) => sock.send(m, rinfo.port, rinfo.address));
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    return { port: sock.address().port, close: settled(() => sock.close()) };
  },
  async udpClient(port: number, timeoutMs: number): Promise<Requester> {
    const sock = createSocket("udp4");
    const waiters = new DatagramWaiters();
    sock.on("message", (m) => waiters.push(m));
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    return requester(
      () => waiters.wait(timeoutMs),
      (payload) => sock.send(payload, port, "127.0.0.1"),
      () => sock.close(),
    );
  },
};

// ---- Deno: Deno.listen, Deno.connect, Deno.listenDatagram -------------------------------------

interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay(on?: boolean): void;
}
interface DenoDatagramConn {
  receive(p?: Uint8Array): Promise<[Uint8Array, { hostname: string; port: number }]>;
  send(p: Uint8Array, addr: { transport: "udp"; hostname: string; port: number }): Promise<number>;
  close(): void;
  readonly addr: { port: number };
}
interface DenoApi {
  listen(o: { hostname: string; port: number }): AsyncIterable<DenoConn> & {
    addr: { port: number };
    close(): void;
  };
  connect(o: { hostname: string; port: number }): Promise<DenoConn>;
  listenDatagram(o: { hostname: string; port: number; transport: "udp" }): DenoDatagramConn;
}
const D = (): DenoApi => (globalThis as unknown as { Deno: DenoApi }).Deno;

async function denoWriteAll(conn: DenoConn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

const deno = {
  tcpServer(): Promise<RawServer> {
    const listener = D().listen({ hostname: "127.0.0.1", port: 0 });
    const conns = new Set<DenoConn>();
    void (async () => {
      try {
        for await (const conn of listener) {
          conn.setNoDelay(true);
          conns.add(conn);
          void (async () => {
            const cut = new EchoCutter();
            const buf = new Uint8Array(64 * 1024);
            try {
              for (;;) {
                const n = await conn.read(buf);
                if (n === null) break;
                const out = cut.take(buf.subarray(0, n).slice());
                if (out.length > 0) await denoWriteAll(conn, out);
              }
            } catch { /* closed */ }
            conns.delete(conn);
            try {
              conn.close();
            } catch { /* closed */ }
          })();
        }
      } catch { /* listener closed */ }
    })();
    return Promise.resolve({
      port: listener.addr.port,
      close: settled(() => {
        listener.close();
        for (const c of conns) {
          try {
            c.close();
          } catch { /* closed */ }
        }
      }),
    });
  },
  async tcpClient(port: number): Promise<Requester> {
    const conn = await D().connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    const replies = new ReplyQueue();
    void (async () => {
      const buf = new Uint8Array(64 * 1024);
      try {
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          replies.push(buf.subarray(0, n));
        }
      } catch { /* closed */ }
    })();
    return requester(
      () => replies.wait(),
      (payload) => denoWriteAll(conn, frame(payload)),
      () => conn.close(),
    );
  },
  udpServer(): Promise<RawServer> {
    const sock = D().listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    const buf = new Uint8Array(65_536);
    void (async () => {
      try {
        for (;;) {
          const [data, addr] = await sock.receive(buf);
          await sock.send(data, { transport: "udp", hostname: addr.hostname, port: addr.port });
        }
      } catch { /* closed */ }
    })();
    return Promise.resolve({ port: sock.addr.port, close: settled(() => sock.close()) });
  },
  udpClient(port: number, timeoutMs: number): Promise<Requester> {
    const sock = D().listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    const waiters = new DatagramWaiters();
    void (async () => {
      try {
        const buf = new Uint8Array(65_536);
        for (;;) waiters.push((await sock.receive(buf))[0].slice());
      } catch { /* closed */ }
    })();
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    return Promise.resolve(requester(
      () => waiters.wait(timeoutMs),
      (payload) => sock.send(payload, to),
      () => sock.close(),
    ));
  },
};

// ---- Bun: Bun.listen, Bun.connect, Bun.udpSocket -------------------------------------------

/** Bun's socket write takes what it can and buffers nothing: keep the rest for `drain`. */
class BunWriter {
  #pending: Uint8Array[] = [];
  write(sock: { write(b: Uint8Array): number }, bytes: Uint8Array): void {
    if (this.#pending.length > 0) {
      this.#pending.push(bytes);
      return;
    }
    const n = sock.write(bytes);
    if (n < bytes.length) this.#pending.push(bytes.subarray(Math.max(n, 0)));
  }
  drain(sock: { write(b: Uint8Array): number }): void {
    while (this.#pending.length > 0) {
      const head = this.#pending[0];
      const n = sock.write(head);
      if (n < head.length) {
        this.#pending[0] = head.subarray(Math.max(n, 0));
        return;
      }
      this.#pending.shift();
    }
  }
}

interface BunSockData {
  cut?: EchoCutter;
  writer: BunWriter;
}
/** The few Bun APIs used here, declared locally: neither `tsc -p tsconfig.test.json` (Node
 * types) nor `deno check` knows `Bun`. */
interface BunSocket {
  data: BunSockData;
  write(b: Uint8Array): number;
  setNoDelay(on: boolean): void;
  end(): void;
}
interface BunHandlers {
  open?(s: BunSocket): void;
  data(s: BunSocket, d: Uint8Array): void;
  drain(s: BunSocket): void;
}
interface BunUdpSocket {
  port: number;
  send(b: Uint8Array, port: number, address: string): boolean;
  close(): void;
}
interface BunApi {
  listen(o: { hostname: string; port: number; socket: BunHandlers }): {
    port: number;
    stop(closeActive: boolean): void;
  };
  connect(o: { hostname: string; port: number; socket: BunHandlers }): Promise<BunSocket>;
  udpSocket(o: {
    hostname: string;
    port: number;
    socket: { data(s: BunUdpSocket, buf: Uint8Array, port: number, address: string): void };
  }): Promise<BunUdpSocket>;
}
const B = (): BunApi => (globalThis as unknown as { Bun: BunApi }).Bun;

const bun = {
  tcpServer(): Promise<RawServer> {
    const server = B().listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          s.setNoDelay(true);
          s.data = { cut: new EchoCutter(), writer: new BunWriter() };
        },
        data(s, d) {
          const out = s.data.cut!.take(d);
          if (out.length > 0) s.data.writer.write(s, out);
        },
        drain(s) {
          s.data.writer.drain(s);
        },
      },
    });
    return Promise.resolve({ port: server.port, close: settled(() => server.stop(true)) });
  },
  async tcpClient(port: number): Promise<Requester> {
    const replies = new ReplyQueue();
    const writer = new BunWriter();
    const sock = await B().connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          s.setNoDelay(true);
        },
        data(_s, d) {
          replies.push(d);
        },
        drain(s) {
          writer.drain(s);
        },
      },
    });
    return requester(
      () => replies.wait(),
      (payload) => writer.write(sock, frame(payload)),
      () => sock.end(),
    );
  },
  async udpServer(): Promise<RawServer> {
    const sock = await B().udpSocket({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(s, buf, port, address) {
          s.send(buf, port, address);
        },
      },
    });
    return { port: sock.port, close: settled(() => sock.close()) };
  },
  async udpClient(port: number, timeoutMs: number): Promise<Requester> {
    const waiters = new DatagramWaiters();
    const sock = await B().udpSocket({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(_s, buf) {
          waiters.push(buf);
        },
      },
    });
    return requester(
      () => waiters.wait(timeoutMs),
      (payload) => sock.send(payload, port, "127.0.0.1"),
      () => sock.close(),
    );
  },
};

/** The raw implementations for the runtime running this. */
export function rawApi(runtime: "node" | "deno" | "bun"): typeof node {
  return runtime === "deno" ? deno : runtime === "bun" ? bun : node;
}

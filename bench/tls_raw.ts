// The baselines of bench/tls.ts: minimal TLS loops on each runtime's own API, a sender and a
// receiver in one process that counts `!I` frames in place (no allocation per frame): node:tls
// with write()/drain; Deno.listenTls/connectTls with a read() loop into one buffer and a write()
// loop; Bun.listen/connect with their `tls` option and drain. Also node:tls in Deno and Bun
// (what their node adapter, and in Deno the deno adapter too, are built on).
import tls from "node:tls";
import type net from "node:net";
import type { Buffer } from "node:buffer";
import { denoApi } from "../src/runtime/deno/api.ts";
import { bunApi } from "../src/runtime/bun/api.ts";
import type { BunSocket } from "../src/runtime/bun/api.ts";
import { FrameCounter, type RawPair, type Tally } from "./runtime_raw.ts";

/** The server's certificate and key (PEM); the client trusts that certificate only. */
export interface Credentials {
  cert: string;
  key: string;
}

/** The raw TLS loops there are. */
export type RawTls = "node:tls" | "deno" | "bun";

/** node:tls on both ends. */
async function nodeTlsPair({ cert, key }: Credentials): Promise<RawPair> {
  let resolveTally!: (t: Tally) => void;
  const received = new Promise<Tally>((r) => (resolveTally = r));
  const server = tls.createServer({ cert, key }, (socket) => {
    const counter = new FrameCounter();
    socket.on("data", (b: Buffer) => counter.push(b));
    socket.on("end", () => {
      socket.end();
      resolveTally(counter);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  const client = tls.connect({ host: "127.0.0.1", port, ca: [cert] });
  await new Promise<void>((r) => client.once("secureConnect", r));
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

/** A connected Deno.connectTls client and the Deno.listenTls connection it reached. */
export interface DenoTlsPair {
  client: DenoTlsConn;
  conn: DenoTlsConn;
  close(): void;
}

/** Connects a Deno.connectTls client (trusting `cert` only) to a Deno.listenTls server. */
export async function denoTlsConnections({ cert, key }: Credentials): Promise<DenoTlsPair> {
  const deno = denoApi() as unknown as {
    listenTls(o: { hostname: string; port: number; cert: string; key: string }): {
      addr: { port: number };
      accept(): Promise<DenoTlsConn>;
      close(): void;
    };
    connectTls(o: { hostname: string; port: number; caCerts: string[] }): Promise<DenoTlsConn>;
  };
  const listener = deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
  const accepted = listener.accept();
  const client = await deno.connectTls({
    hostname: "127.0.0.1",
    port: listener.addr.port,
    caCerts: [cert],
  });
  await client.handshake();
  const conn = await accepted;
  return {
    client,
    conn,
    close: () => {
      client.close();
      conn.close();
      listener.close();
    },
  };
}

/** Deno.listenTls / Deno.connectTls: a read() loop into one buffer, a write() loop. */
async function denoTlsPair(credentials: Credentials): Promise<RawPair> {
  const { client, conn, close } = await denoTlsConnections(credentials);
  const received = (async () => {
    const counter = new FrameCounter();
    const buffer = new Uint8Array(256 * 1024);
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
    close,
  };
}

/** What the benchmarks use of a Deno TLS connection. */
export interface DenoTlsConn {
  handshake(): Promise<unknown>;
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
}

/** Bun.listen / Bun.connect with `tls`: write() takes what it can; the rest goes on drain. */
async function bunTlsPair({ cert, key }: Credentials): Promise<RawPair> {
  const bun = bunApi();
  let resolveTally!: (t: Tally) => void;
  const received = new Promise<Tally>((r) => (resolveTally = r));
  const counter = new FrameCounter();
  const ignore = (): void => {};
  const listener = bun.listen<undefined>({
    hostname: "127.0.0.1",
    port: 0,
    allowHalfOpen: true,
    tls: { cert, key },
    socket: {
      binaryType: "uint8array",
      open: ignore,
      data: (_s, d) => counter.push(d),
      drain: ignore,
      end: (s) => {
        s.close();
        resolveTally(counter);
      },
      close: ignore,
      error: ignore,
    },
  });
  let onDrain: () => void = ignore;
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
      data: ignore,
      drain: () => onDrain(),
      end: ignore,
      close: ignore,
      error: ignore,
    },
  });
  await handshake;
  return {
    received,
    send: (chunk, more) =>
      new Promise<void>((resolve) => {
        // `offset` is undefined between frames: write() may take 0 bytes of a new one.
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
            const n = client.write(offset === 0 ? chunk : chunk.subarray(offset));
            if (n < 0) throw new Error("socket closed");
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

/** A raw TLS sender/receiver pair on `kind`'s API. */
export function rawTlsPair(kind: RawTls, credentials: Credentials): Promise<RawPair> {
  if (kind === "deno") return denoTlsPair(credentials);
  if (kind === "bun") return bunTlsPair(credentials);
  return nodeTlsPair(credentials);
}

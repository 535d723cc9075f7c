// framed() over real TCP connections, for every adapter this runtime has (native and node): an
// echo server and clients for each framing × message codec, large and concurrent messages,
// half-close, truncation and the idle timeout; and framed() over a connection's Web streams.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  availableAdapters,
  connect,
  encodeFrame,
  framed,
  IdleTimeoutError,
  jsonCodec,
  listen,
  structCodec,
  textCodec,
  TruncatedFrameError,
} from "../../mod.ts";
import type {
  AdapterName,
  FramingOptions,
  MessageCodec,
  TcpConnection,
  TcpServer,
} from "../../mod.ts";
import { patternBytes } from "../_helpers/framing.ts";
import { within } from "../runtime/helpers.ts";
import { sameFrames } from "./_transport.ts";

/** An echo server: each connection's messages sent back in batches, then its end. */
async function echoServer(
  adapter: AdapterName,
  framing: FramingOptions,
  errors: unknown[],
): Promise<TcpServer> {
  return await listen({ port: 0, adapter }, async (conn) => {
    const f = framed(conn, { framing });
    try {
      for await (const batch of f.batches()) await f.sendMany(batch);
      await f.closeWrite();
    } catch (error) {
      errors.push(error);
      throw error;
    }
  });
}

/** Messages a codec can carry over a framing, in both sizes the test wants. */
const CASES: {
  name: string;
  framing: FramingOptions;
  codec: MessageCodec<unknown>;
  messages: unknown[];
}[] = [
  {
    name: "length !I, bytes, up to 1 MiB",
    framing: {},
    codec: { encode: (m) => m as Uint8Array, decode: (f) => f },
    messages: [0, 1, 63, 64, 4095, 4096, 65536, 1 << 20].map((n, i) => patternBytes(n, i + 1)),
  },
  {
    name: "varint, JSON",
    framing: { header: "varint" },
    codec: jsonCodec,
    messages: [null, { a: [1, 2, 3] }, "x".repeat(70_000), 3.5],
  },
  {
    name: "delimiter, text",
    framing: { codec: "delimiter", crlf: true },
    codec: textCodec as MessageCodec<unknown>,
    messages: ["", "héllo", "z".repeat(100_000), "last"],
  },
  {
    name: "fixed, struct records",
    framing: { codec: "fixed", frameLength: 10 },
    codec: structCodec("<IHi") as MessageCodec<unknown>,
    messages: Array.from({ length: 500 }, (_, i) => [i * 7919, i % 65536, 1 - i]),
  },
];

for (const adapter of availableAdapters()) {
  describe(`framed() over TCP, ${adapter} adapter`, () => {
    for (const { name, framing, codec, messages } of CASES) {
      it(`echoes ${name}, from concurrent senders`, async () => {
        const errors: unknown[] = [];
        await using server = await echoServer(adapter, framing, errors);
        const conn = await connect({ port: server.addr.port, adapter });
        const client = framed(conn, { framing, message: codec });
        const received = (async () => {
          const out: unknown[] = [];
          for await (const m of client) out.push(m);
          return out;
        })();
        // Two rounds: every message sent one by one without waiting, then all in one sendMany.
        await Promise.all(messages.map((m) => client.send(m)));
        await client.sendMany(messages);
        await client.closeWrite();
        const got = await within(received, 20_000, "echo");
        const want = [...messages, ...messages];
        if (want[0] instanceof Uint8Array) {
          assert.ok(sameFrames(got as Uint8Array[], want as Uint8Array[]), "echoed bytes differ");
        } else assert.deepEqual(got, want);
        assert.deepEqual(errors, []);
      });
    }

    it("reports a frame cut by the peer's end as TruncatedFrameError", async () => {
      const errors: unknown[] = [];
      await using server = await echoServer(adapter, {}, errors);
      const conn = await connect({ port: server.addr.port, adapter });
      await conn.write(encodeFrame(new Uint8Array(100)).subarray(0, 50));
      await conn.closeWrite();
      for await (const _ of conn) { /* the server closes without a reply */ }
      await within(waitFor(() => errors.length > 0), 5000, "server error");
      assert.ok(errors[0] instanceof TruncatedFrameError, String(errors[0]));
    });

    it("closes a silent connection after idleTimeoutMs", async () => {
      let serverError: unknown;
      await using server = await listen({ port: 0, adapter }, async (conn) => {
        const f = framed(conn, { idleTimeoutMs: 100 });
        serverError = await f.receive().catch((e) => e);
      });
      const conn = await connect({ port: server.addr.port, adapter });
      // The client says nothing: the server closes, and the client reads the end.
      await within(drain(conn), 5000, "server closing the idle connection");
      assert.ok(serverError instanceof IdleTimeoutError, String(serverError));
      conn.close();
    });

    it("runs over the connection's Web streams as well", async () => {
      const errors: unknown[] = [];
      await using server = await echoServer(adapter, { codec: "delimiter" }, errors);
      const conn = await connect({ port: server.addr.port, adapter });
      const streams = {
        readable: conn.readable,
        writable: new WritableStream<Uint8Array>({
          write: (chunk) => conn.write(chunk),
          close: () => conn.closeWrite(),
        }),
      };
      const client = framed(streams, { framing: { codec: "delimiter" }, message: textCodec });
      await client.sendMany(["one", "two"]);
      await client.send("three");
      await client.closeWrite();
      const got: string[] = [];
      for await (const batch of client.batches()) got.push(...batch);
      assert.deepEqual(got, ["one", "two", "three"]);
      conn.close();
    });
  });
}

/** Reads a connection to its end. */
async function drain(conn: TcpConnection): Promise<void> {
  for await (const _ of conn) { /* discard */ }
}

/** Resolves once `condition()` holds (polled). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

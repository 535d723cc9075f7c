/**
 * `unstuck demo`: the sticky-packet problem and its fix, shown on loopback in one process.
 *
 * @module
 */
import {
  type AdapterChoice,
  connect,
  getAdapter,
  listen,
  type TcpConnection,
} from "../runtime/mod.ts";
import { type ByteTransport, framed, type FramingOptions } from "../framing/mod.ts";
import { pyBytesRepr } from "../struct/mod.ts";

/** Options of {@linkcode runDemo}. */
export interface DemoOptions extends AdapterChoice {
  /** Receives the demo's text, one line at a time. @default {nothing} */
  print?: (line: string) => void | Promise<void>;
  /** Size of the large message of part 3, in bytes. @default {4194304} */
  largeSize?: number;
}

/** What the demo observed, for callers that check rather than read. */
export interface DemoResult {
  /** Part 1: what each raw read returned, as text. */
  rawReads: string[];
  /** Part 2: the messages the framed receiver decoded, as text. */
  framedMessages: string[];
  /** Part 3: how many reads the large message took. */
  largeReads: number;
  /** Part 3: whether it was reassembled into one frame equal to what was sent. */
  largeIntact: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Raw part: tries until the two writes arrive in one read, as they nearly always do at once. */
const RAW_ATTEMPTS = 5;

/** What the one-shot server read: every chunk, and the messages decoded from them if framed. */
interface Received {
  reads: Uint8Array[];
  messages: Uint8Array[];
}

/** The connection, with a copy of every chunk read from it kept in `reads` (to show them). */
function recording(conn: TcpConnection, reads: Uint8Array[]): ByteTransport {
  return {
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      for await (const chunk of conn) {
        reads.push(chunk.slice());
        yield chunk;
      }
    },
    write: (bytes) => conn.write(bytes),
    writev: (chunks) => conn.writev(chunks),
    closeWrite: () => conn.closeWrite(),
    close: () => conn.close(),
  };
}

/**
 * Connects to a one-shot server on loopback, lets `send` write, closes our side, and returns
 * every chunk the server read, in order, and with `framing` the messages it decoded from them
 * (through `framed()`). With `readLate`, the server starts reading only once the client has
 * written everything, as a busy server would (only for writes that fit in the socket buffers).
 */
async function exchange(
  options: AdapterChoice,
  readLate: boolean,
  send: (conn: TcpConnection) => Promise<void>,
  framing?: FramingOptions,
): Promise<Received> {
  let sent!: () => void;
  const written = new Promise<void>((resolve) => (sent = resolve));
  let received!: (outcome: Received | { error: unknown }) => void;
  const outcome = new Promise<Received | { error: unknown }>((resolve) => (received = resolve));
  await using server = await listen({ port: 0, adapter: options.adapter }, async (conn) => {
    if (readLate) await written;
    const got: Received = { reads: [], messages: [] };
    try {
      const source = recording(conn, got.reads);
      if (framing === undefined) { for await (const _ of source); }
      else for await (const message of framed(source, { framing })) got.messages.push(message);
      received(got);
    } catch (error) {
      received({ error });
    } finally {
      conn.close();
    }
  });
  const conn = await connect({ port: server.addr.port, adapter: options.adapter });
  try {
    await send(conn);
    await conn.closeWrite();
  } finally {
    sent();
  }
  const result = await outcome;
  conn.close();
  if ("error" in result) throw result.error;
  return result;
}

/** Bytes as Python prints them, as the tutorial's `print('data1:', data1)` did. */
const show = pyBytesRepr;

/**
 * Runs the demo: (1) two small writes on a raw TCP stream arrive stuck together in one read;
 * (2) the same two messages, each behind a 4-byte length header, come out of the decoder as two
 * messages; (3) one large framed message arrives over many reads and is reassembled whole.
 *
 * @example
 * ```ts
 * import { runDemo } from "./demo.ts";
 * const result = await runDemo({ print: console.log });
 * console.log(result.framedMessages); // ["hello", "world"]
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? (() => {});
  const largeSize = options.largeSize ?? 4 * 1024 * 1024;
  const adapter = await getAdapter(options.adapter);
  const messages = ["hello", "world"].map((s) => encoder.encode(s));

  await print(`unstuck demo: sticky packets and framing, on loopback (${adapter.name} adapter)`);
  await print("");
  await print('1. Raw TCP. The client calls write("hello"), then write("world").');
  let rawReads: Uint8Array[] = [];
  for (let attempt = 0; attempt < RAW_ATTEMPTS; attempt++) {
    ({ reads: rawReads } = await exchange(options, true, async (conn) => {
      await Promise.all(messages.map((m) => conn.write(m)));
    }));
    if (rawReads.length === 1) break;
  }
  for (const [i, chunk] of rawReads.entries()) {
    await print(`   server read ${i + 1}: ${show(chunk)}`);
  }
  await print(
    rawReads.length === 1
      ? "   Two writes, one read: TCP is a byte stream and kept no boundary between them."
      : `   Two writes, ${rawReads.length} reads this time: TCP promises nothing either way.`,
  );
  await print("");

  const framing = { codec: "length", header: "!I" } as const;
  await print('2. Framed. Each message goes out behind a 4-byte length header (struct "!I").');
  const framedRun = await exchange(options, true, async (conn) => {
    const sender = framed(conn, { framing });
    await Promise.all(messages.map((m) => sender.send(m)));
  }, framing);
  for (const [i, chunk] of framedRun.reads.entries()) {
    await print(`   server read ${i + 1}: ${chunk.length} bytes: ${show(chunk)}`);
  }
  const framedMessages = framedRun.messages.map((m) => decoder.decode(m));
  await print(`   decoded messages: ${framedMessages.map((m) => JSON.stringify(m)).join(", ")}`);
  await print("   Two messages out, as they were sent: the header says where each one ends.");
  await print("");

  await print(`3. One large message: ${largeSize} bytes, framed, sent in one write.`);
  const large = new Uint8Array(largeSize);
  for (let i = 0; i < large.length; i++) large[i] = (i * 31 + 7) & 0xff;
  const largeRun = await exchange(
    options,
    false,
    (conn) => framed(conn, { framing }).send(large),
    { ...framing, maxFrameLength: largeSize },
  );
  const whole = largeRun.messages;
  const largeChunks = largeRun.reads;
  const largeIntact = whole.length === 1 && whole[0].length === large.length &&
    whole[0].every((b, i) => b === large[i]);
  const sizes = largeChunks.map((c) => c.length);
  await print(
    `   It arrived in ${largeChunks.length} reads of ${Math.min(...sizes)} to ` +
      `${Math.max(...sizes)} bytes.`,
  );
  await print(
    largeIntact
      ? `   The decoder reassembled 1 message of ${
        whole[0].length
      } bytes, identical to what was sent.`
      : "   The decoder did NOT get the message back intact.",
  );
  return {
    rawReads: rawReads.map((c) => decoder.decode(c)),
    framedMessages,
    largeReads: largeChunks.length,
    largeIntact,
  };
}

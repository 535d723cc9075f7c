/**
 * Two in-memory byte duplexes connected to each other, as a socket pair: for tests, examples,
 * and a protocol's two ends in one process.
 *
 * @module
 */

import type { WebStreamPair } from "./transport.ts";

/** How many bytes each direction buffers before a write waits for the reader: a socket's worth. */
const BUFFERED_BYTES = 64 * 1024;

/**
 * Creates two connected duplexes: bytes written to one's `writable` are read from the other's
 * `readable`, in order; closing a `writable` ends the other side's `readable`. Each direction
 * buffers up to 64 KiB, then writes wait for the reader (backpressure). Chunks are passed by
 * reference, not copied: do not change a buffer once written.
 *
 * @returns The two ends.
 *
 * @example
 * ```ts
 * import { duplexPair, framed, jsonCodec } from "@unstuck/unstuck";
 * const [client, server] = duplexPair();
 * const c = framed(client, { message: jsonCodec });
 * const s = framed(server, { message: jsonCodec });
 * await c.send({ hello: "world" });
 * console.log(await s.receive()); // { hello: "world" }
 * ```
 */
export function duplexPair(): [WebStreamPair, WebStreamPair] {
  const strategy = (): QueuingStrategy<Uint8Array> =>
    new ByteLengthQueuingStrategy({ highWaterMark: BUFFERED_BYTES });
  const ab = new TransformStream<Uint8Array, Uint8Array>(undefined, strategy(), strategy());
  const ba = new TransformStream<Uint8Array, Uint8Array>(undefined, strategy(), strategy());
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ];
}

// The codecs as async iterables and Web Streams: frames in order under any chunking, errors that
// surface after the good frames, cancellation of the source, and the encoder's chunking.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeFrames,
  encodeFrame,
  FrameDecoderStream,
  FrameEncoderStream,
  FrameTooLargeError,
  TruncatedFrameError,
} from "../../mod.ts";
import { applySplit, concat, payloadArb, splitArb } from "../_helpers/framing.ts";

async function collect(frames: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of frames) out.push(f.slice());
  return out;
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller): void {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
  });
}

async function* generate(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

const te = new TextEncoder();

describe("decodeFrames", () => {
  it("yields the frames of an async iterable, a ReadableStream and an array, under any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(payloadArb(300), { maxLength: 8 }),
        splitArb,
        async (payloads, split) => {
          const chunks = applySplit(
            concat(payloads.map((p) => encodeFrame(p, { header: "varint" }))),
            split,
          );
          const options = { header: "varint" } as const;
          assert.deepEqual(await collect(decodeFrames(generate(chunks), options)), payloads);
          assert.deepEqual(await collect(decodeFrames(streamOf(chunks), options)), payloads);
          assert.deepEqual(await collect(decodeFrames(chunks, options)), payloads);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("throws TruncatedFrameError after the complete frames when the source ends inside one", async () => {
    const wire = concat([encodeFrame(te.encode("ok")), encodeFrame(te.encode("cut"))]);
    const seen: Uint8Array[] = [];
    await assert.rejects(async () => {
      for await (const f of decodeFrames(streamOf([wire.subarray(0, wire.length - 1)]))) {
        seen.push(f);
      }
    }, TruncatedFrameError);
    assert.deepEqual(seen, [te.encode("ok")]);
  });

  it("yields the good frames of a chunk before its bad one", async () => {
    const wire = concat([encodeFrame(te.encode("ok")), encodeFrame(new Uint8Array(9))]);
    const seen: Uint8Array[] = [];
    await assert.rejects(async () => {
      for await (const f of decodeFrames([wire], { maxFrameLength: 8 })) seen.push(f);
    }, FrameTooLargeError);
    assert.deepEqual(seen, [te.encode("ok")]);
  });

  it("fails at once on a bad header after good frames, without waiting for more input", async () => {
    const wire = concat([encodeFrame(te.encode("ok")), new Uint8Array([0xff, 0xff, 0xff, 0xff])]);
    // A peer that sends a bad frame and then waits: the source has nothing more until released.
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    async function* peer(): AsyncGenerator<Uint8Array> {
      yield wire;
      await held;
      throw new Error("the decoder waited for more input");
    }
    const seen: Uint8Array[] = [];
    const timeout = setTimeout(release, 2000);
    try {
      await assert.rejects(async () => {
        for await (const f of decodeFrames(peer())) {
          seen.push(f);
        }
      }, FrameTooLargeError);
      assert.deepEqual(seen, [te.encode("ok")]);
    } finally {
      clearTimeout(timeout);
      release();
    }
  });

  it("cancels a ReadableStream source when the consumer stops early", async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull(controller): void {
        controller.enqueue(encodeFrame(te.encode("again")));
      },
      cancel(): void {
        cancelled = true;
      },
    });
    let n = 0;
    for await (const _ of decodeFrames(source)) if (++n === 3) break;
    assert.equal(cancelled, true);
  });

  it("reads lines with the delimiter codec", async () => {
    const lines = await collect(
      decodeFrames(generate([te.encode("a\r\nb"), te.encode("\nc\n")]), {
        codec: "delimiter",
        crlf: true,
      }),
    );
    assert.deepEqual(lines.map((l) => new TextDecoder().decode(l)), ["a", "b", "c"]);
  });
});

describe("FrameDecoderStream and FrameEncoderStream", () => {
  it("round-trip payloads through both streams under any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(payloadArb(300), { maxLength: 8 }),
        splitArb,
        async (payloads, split) => {
          const encoded = await collect(
            streamOf(payloads).pipeThrough(new FrameEncoderStream({ header: "<H" })),
          );
          const chunks = applySplit(concat(encoded), split);
          const decoded = await collect(
            streamOf(chunks).pipeThrough(new FrameDecoderStream({ header: "<H" })),
          );
          assert.deepEqual(decoded, payloads);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("writes small payloads as one chunk and large ones as header plus the payload itself", async () => {
    const small = new Uint8Array(10);
    const large = new Uint8Array(10_000);
    const chunks: Uint8Array[] = [];
    for await (const c of streamOf([small, large]).pipeThrough(new FrameEncoderStream())) {
      chunks.push(c);
    }
    assert.equal(chunks.length, 3);
    assert.deepEqual(chunks[0], encodeFrame(small));
    assert.deepEqual(chunks[1], new Uint8Array([0, 0, 0x27, 0x10]));
    assert.equal(chunks[2], large);
  });

  it("errors at once on a bad header after a good frame a reader was waiting for", async () => {
    const wire = concat([encodeFrame(te.encode("ok")), new Uint8Array([0xff, 0xff, 0xff, 0xff])]);
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let sent = false;
    const source = new ReadableStream<Uint8Array>({
      async pull(controller): Promise<void> {
        if (!sent) {
          sent = true;
          controller.enqueue(wire);
          return;
        }
        await held; // a peer that stays silent
        controller.error(new Error("the decoder waited for more input"));
      },
    });
    const timeout = setTimeout(release, 2000);
    try {
      const reader = source.pipeThrough(new FrameDecoderStream()).getReader();
      assert.deepEqual((await reader.read()).value, te.encode("ok"));
      await assert.rejects(reader.read(), FrameTooLargeError);
    } finally {
      clearTimeout(timeout);
      release();
    }
  });

  it("errors the stream with the framing error after enqueueing the good frames", async () => {
    const wire = concat([encodeFrame(te.encode("ok")), new Uint8Array([0, 0])]);
    const reader = streamOf([wire]).pipeThrough(new FrameDecoderStream()).getReader();
    assert.deepEqual((await reader.read()).value, te.encode("ok"));
    await assert.rejects(reader.read(), TruncatedFrameError);
  });
});

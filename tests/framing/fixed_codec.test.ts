// The fixed-size codec: round trips under any chunking, views and copies, truncation.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createFrameDecoder,
  encodeFrame,
  encodeFrameParts,
  TruncatedFrameError,
} from "../../mod.ts";
import {
  applySplit,
  concat,
  decodeAll,
  decodeAllRanges,
  decodeMixed,
  splitArb,
} from "../_helpers/framing.ts";

describe("fixed-size codec", () => {
  it("round-trips any frames under any chunking", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }).chain((size) =>
          fc.tuple(
            fc.constant(size),
            fc.array(fc.uint8Array({ minLength: size, maxLength: size }), { maxLength: 10 }),
            splitArb,
          )
        ),
        ([frameLength, payloads, split]) => {
          const options = { codec: "fixed", frameLength } as const;
          const wire = concat(payloads.map((p) => encodeFrame(p, options)));
          assert.deepEqual(
            decodeAll(createFrameDecoder(options), applySplit(wire, split)),
            payloads,
          );
          assert.deepEqual(
            decodeAllRanges(createFrameDecoder(options), applySplit(wire, split)),
            payloads,
          );
          assert.deepEqual(
            decodeMixed(createFrameDecoder(options), applySplit(wire, split), (i) => i % 3 === 1),
            payloads,
          );
        },
      ),
    );
  });

  it("returns views inside a chunk, copies with copy: true, and whole buffers across chunks", () => {
    const chunk = new Uint8Array([1, 2, 3, 4, 5]);
    const decoder = createFrameDecoder({ codec: "fixed", frameLength: 2 });
    const frames = decoder.push(chunk);
    assert.deepEqual(frames, [new Uint8Array([1, 2]), new Uint8Array([3, 4])]);
    assert.equal(frames[0].buffer, chunk.buffer);
    const [spanning] = decoder.push(new Uint8Array([6]));
    assert.deepEqual(spanning, new Uint8Array([5, 6]));
    assert.equal(spanning.buffer.byteLength, 2);
    const copied = createFrameDecoder({ codec: "fixed", frameLength: 2, copy: true }).push(chunk);
    assert.notEqual(copied[0].buffer, chunk.buffer);
  });

  it("holds memory for the bytes received, not for the frame length", () => {
    const decoder = createFrameDecoder({ codec: "fixed", frameLength: 8 << 20 });
    decoder.push(new Uint8Array(10));
    assert.ok(decoder.bufferedBytes <= 16 * 1024, `${decoder.bufferedBytes} bytes held`);
    assert.throws(() => decoder.end(), TruncatedFrameError);
  });

  it("throws TruncatedFrameError when the input ends inside a frame", () => {
    const decoder = createFrameDecoder({ codec: "fixed", frameLength: 4 });
    decoder.push(new Uint8Array(6));
    assert.throws(
      () => decoder.end(),
      (e: unknown) => e instanceof TruncatedFrameError && e.received === 2 && e.missing === 2,
    );
  });

  it("checks sizes and options", () => {
    assert.throws(
      () => encodeFrame(new Uint8Array(3), { codec: "fixed", frameLength: 4 }),
      RangeError,
    );
    assert.deepEqual(
      encodeFrameParts(new Uint8Array(4), { codec: "fixed", frameLength: 4 }).length,
      1,
    );
    assert.throws(() => createFrameDecoder({ codec: "fixed", frameLength: 0 }), RangeError);
    assert.throws(() => createFrameDecoder({ codec: "fixed" } as never), RangeError);
  });
});

// The length-prefixed codec: round trips for every header kind under any chunking (fast-check),
// the Netty/tokio-style options against an independent reference of the wire format, buffer
// discipline, and every error path.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createFrameDecoder,
  createFrameEncoder,
  encodeFrame,
  encodeFrameParts,
  FrameTooLargeError,
  FramingError,
  StructError,
  TruncatedFrameError,
} from "../../mod.ts";
import type { LengthPrefixedOptions } from "../../mod.ts";
import {
  applySplit,
  bytewise,
  concat,
  cut,
  decodeAll,
  decodeAllRanges,
  decodeMixed,
  patternBytes,
  payloadArb,
  splitArb,
} from "../_helpers/framing.ts";
import { sameFrames } from "./_transport.ts";

// Reference header layouts (size, signed, little-endian), as Python's struct on x86_64 Linux.
const HEADERS: Record<string, [number, boolean, boolean]> = {
  "!I": [4, false, false],
  "!1I": [4, false, false],
  "! I": [4, false, false],
  "<H": [2, false, true],
  ">H": [2, false, false],
  "<I": [4, false, true],
  ">Q": [8, false, false],
  "<Q": [8, false, true],
  "<q": [8, true, true],
  ">i": [4, true, false],
  "i": [4, true, true],
  "I": [4, false, true],
  "b": [1, true, true],
  "B": [1, false, true],
  "h": [2, true, true],
  "@l": [8, true, true],
  "=l": [4, true, true],
  "<L": [4, false, true],
  "n": [8, true, true],
  "N": [8, false, true],
  "q": [8, true, true],
};
const HEADER_NAMES = [...Object.keys(HEADERS), "varint"];

/** The largest value a header holds. */
function headerMax(format: string): number {
  if (format === "varint") return Number.MAX_SAFE_INTEGER;
  const [size, signed] = HEADERS[format];
  return Math.min(2 ** (size * 8 - (signed ? 1 : 0)) - 1, Number.MAX_SAFE_INTEGER);
}

/** Reference encoder of a header value, with DataView and BigInt (not the library's code). */
function refHeader(format: string, value: number): Uint8Array {
  if (format === "varint") {
    const out: number[] = [];
    let v = BigInt(value);
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v > 0n ? b | 0x80 : b);
    } while (v > 0n);
    return new Uint8Array(out);
  }
  const [size, signed, le] = HEADERS[format];
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  if (size === 1) signed ? view.setInt8(0, value) : view.setUint8(0, value);
  if (size === 2) signed ? view.setInt16(0, value, le) : view.setUint16(0, value, le);
  if (size === 4) signed ? view.setInt32(0, value, le) : view.setUint32(0, value, le);
  if (size === 8) {
    signed ? view.setBigInt64(0, BigInt(value), le) : view.setBigUint64(0, BigInt(value), le);
  }
  return out;
}

const headerArb = fc.constantFrom(...HEADER_NAMES);
const payloadsArb = (maxLength: number): fc.Arbitrary<Uint8Array[]> =>
  fc.array(payloadArb(maxLength), { maxLength: 12 });

describe("length-prefixed codec", () => {
  it("round-trips any payloads (empty ones included) for every header, under any chunking", () => {
    fc.assert(
      fc.property(
        headerArb.chain((header) =>
          fc.tuple(fc.constant(header), payloadsArb(Math.min(300, headerMax(header))), splitArb)
        ),
        ([header, payloads, split]) => {
          const wire = concat(payloads.map((p) => encodeFrame(p, { header })));
          const chunks = applySplit(wire, split);
          assert.deepEqual(decodeAll(createFrameDecoder({ header }), chunks), payloads);
          assert.deepEqual(decodeAllRanges(createFrameDecoder({ header }), chunks), payloads);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps frames from push intact when push and pushRanges alternate", () => {
    fc.assert(
      fc.property(
        fc.array(payloadArb(300), { maxLength: 10 }),
        splitArb,
        fc.func(fc.boolean()),
        (payloads, split, useRanges) => {
          const wire = concat(payloads.map((p) => encodeFrame(p, { header: "<H" })));
          const decoder = createFrameDecoder({ header: "<H" });
          assert.deepEqual(decodeMixed(decoder, applySplit(wire, split), useRanges), payloads);
        },
      ),
    );
  });

  it("assembles large spanning frames from views, copies and scratch, under any chunking", () => {
    // Frames of up to 40 KiB cut anywhere: large parts are kept as views until the frame is
    // complete (push), small ones copied; pushRanges copies into its scratch buffer; copy: true
    // copies everything. Frames from push must stay intact whatever comes after them.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 50_000 }), { maxLength: 12 }),
        fc.func(fc.boolean()),
        fc.boolean(),
        (lengths, cuts, useRanges, copy) => {
          const payloads = lengths.map((n, i) => patternBytes(n, i + 1));
          const wire = concat(payloads.map((p) => encodeFrame(p, { header: "varint" })));
          let at = 0;
          const chunks = cut(wire, cuts.map((c) => (at += c)));
          const decoder = createFrameDecoder({ header: "varint", copy });
          // A short message: a diff of 40 KiB arrays makes shrinking a failure take minutes.
          const frames = decodeMixed(decoder, chunks, useRanges);
          assert.ok(sameFrames(frames, payloads), "decoded frames differ from those sent");
          assert.equal(decoder.bufferedBytes, 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("assembles spanning frames for pushRanges in one reused scratch buffer", () => {
    const wire = concat([
      encodeFrame(new Uint8Array(300).fill(1)),
      encodeFrame(new Uint8Array(200).fill(2)),
    ]);
    const decoder = createFrameDecoder();
    const seen: [Uint8Array, number, number][] = [];
    for (let i = 0; i < wire.length; i += 100) {
      decoder.pushRanges(wire.subarray(i, i + 100), (b, s, e) => seen.push([b, s, e]));
    }
    assert.equal(seen.length, 2);
    assert.equal(seen[0][0], seen[1][0]);
    assert.deepEqual(seen.map(([, s, e]) => e - s), [300, 200]);
    assert.ok(decoder.bufferedBytes >= 300);
    decoder.end();
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("writes exactly the reference bytes for every header", () => {
    fc.assert(
      fc.property(
        headerArb.chain((h) => fc.tuple(fc.constant(h), payloadArb(300))),
        ([header, payload]) => {
          fc.pre(payload.length <= headerMax(header));
          const expected = concat([refHeader(header, payload.length), payload]);
          assert.deepEqual(encodeFrame(payload, { header }), expected);
          assert.deepEqual(concat(encodeFrameParts(payload, { header })), expected);
        },
      ),
    );
  });

  it("decodes the reference wire format for any offset, adjustment and strip", () => {
    const optionsArb = fc.record({
      header: headerArb,
      lengthFieldOffset: fc.integer({ min: 0, max: 3 }),
      lengthAdjustment: fc.integer({ min: -3, max: 3 }),
      lengthIncludesHeader: fc.boolean(),
      strip: fc.option(fc.integer({ min: 0, max: 14 }), { nil: undefined }),
    });
    const frameArb = fc.record({
      prefix: fc.uint8Array({ minLength: 3, maxLength: 3 }),
      body: payloadArb(300),
    });
    fc.assert(
      fc.property(
        optionsArb,
        fc.array(frameArb, { maxLength: 8 }),
        splitArb,
        (o, frames, split) => {
          const wireFrames: Uint8Array[] = [];
          const expected: Uint8Array[] = [];
          const payloads: Uint8Array[] = [];
          frame: for (const { prefix, body } of frames) {
            // The value such that body = value + adjustment - (includesHeader ? headerEnd : 0);
            // a varint that counts itself needs a few rounds to settle.
            let header = refHeader(o.header, 0);
            for (let i = 0; i < 3; i++) {
              const headerEnd = o.lengthFieldOffset + header.length;
              const value = body.length - o.lengthAdjustment +
                (o.lengthIncludesHeader ? headerEnd : 0);
              if (value < 0 || value > headerMax(o.header)) continue frame; // not representable
              header = refHeader(o.header, value);
            }
            const frame = concat([prefix.subarray(0, o.lengthFieldOffset), header, body]);
            const strip = o.strip ?? o.lengthFieldOffset + header.length;
            if (strip > frame.length) continue;
            wireFrames.push(frame);
            expected.push(frame.slice(strip));
            payloads.push(concat([prefix.subarray(0, o.lengthFieldOffset), body]));
          }
          const options: LengthPrefixedOptions = {
            header: o.header,
            lengthFieldOffset: o.lengthFieldOffset,
            lengthAdjustment: o.lengthAdjustment,
            lengthIncludesHeader: o.lengthIncludesHeader,
            initialBytesToStrip: o.strip,
          };
          const chunks = applySplit(concat(wireFrames), split);
          assert.deepEqual(decodeAll(createFrameDecoder(options), chunks), expected);
          // The encoder writes the same frames from the prefix bytes and the body.
          const encoder = createFrameEncoder(options);
          payloads.forEach((payload, i) => {
            assert.deepEqual(encoder.encode(payload), wireFrames[i]);
            assert.deepEqual(concat(encoder.encodeParts(payload)), wireFrames[i]);
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never holds more than one frame plus its header between chunks", () => {
    fc.assert(
      fc.property(
        headerArb,
        fc.array(payloadArb(120), { maxLength: 6 }),
        splitArb,
        (header, payloads, split) => {
          const limit = 100;
          const decoder = createFrameDecoder({ header, maxFrameLength: limit });
          const ok = payloads.filter((p) => p.length <= Math.min(limit, headerMax(header)));
          for (
            const chunk of applySplit(concat(ok.map((p) => encodeFrame(p, { header }))), split)
          ) {
            decoder.push(chunk);
            assert.ok(decoder.bufferedBytes <= limit + 10, `${decoder.bufferedBytes} buffered`);
          }
          decoder.end();
        },
      ),
    );
  });

  it("returns frames inside a chunk as views, or copies with copy: true", () => {
    const wire = concat([encodeFrame(new Uint8Array([1, 2])), encodeFrame(new Uint8Array([3]))]);
    const views = createFrameDecoder().push(wire);
    assert.deepEqual(views, [new Uint8Array([1, 2]), new Uint8Array([3])]);
    for (const f of views) assert.equal(f.buffer, wire.buffer);
    const copies = createFrameDecoder({ copy: true }).push(wire);
    assert.deepEqual(copies, views);
    for (const f of copies) assert.notEqual(f.buffer, wire.buffer);
  });

  it("holds memory for the bytes received, not for the length a header announces", () => {
    // 128 peers announce 8 MiB (the default limit) and send 10 bytes: kilobytes, not a gigabyte.
    const announced = 8 * 1024 * 1024;
    for (const header of ["!I", "varint"]) {
      for (const ranges of [false, true]) {
        const decoders = Array.from({ length: 128 }, () => createFrameDecoder({ header }));
        const [head] = encodeFrameParts(new Uint8Array(announced), { header });
        for (const decoder of decoders) {
          const start = concat([head, new Uint8Array(10)]);
          if (ranges) decoder.pushRanges(start, () => assert.fail("no frame yet"));
          else assert.deepEqual(decoder.push(start), []);
        }
        const held = decoders.reduce((n, d) => n + d.bufferedBytes, 0);
        assert.ok(held <= 128 * 16 * 1024, `${header} ranges=${ranges}: ${held} bytes held`);
      }
    }
  });

  for (const copy of [false, true]) {
    it(
      `after a whole frame, gives a frame up to that size its buffer as it begins, and no larger${
        copy ? " (copy)" : ""
      }`,
      () => {
        // What a peer can make the decoder hold follows what it has sent: a frame it completed.
        const decoder = createFrameDecoder({ copy });
        const frame = encodeFrame(new Uint8Array(1 << 20));
        const feed = (bytes: Uint8Array): number => {
          let frames = 0;
          for (let at = 0; at < bytes.length; at += 65536) {
            frames += decoder.push(bytes.subarray(at, at + 65536)).length;
          }
          return frames;
        };
        assert.equal(feed(frame), 1);
        assert.equal(feed(frame.subarray(0, 14)), 0);
        assert.equal(decoder.bufferedBytes, 1 << 20);
        assert.equal(feed(frame.subarray(14)), 1);
        const [larger] = encodeFrameParts(new Uint8Array(2 << 20));
        decoder.push(concat([larger, new Uint8Array(10)]));
        assert.ok(decoder.bufferedBytes <= 16 * 1024, `${decoder.bufferedBytes} bytes held`);
      },
    );
  }

  it("grows a spanning frame's buffer with the bytes received, at most doubling them", () => {
    const payload = patternBytes(3_000_000);
    const wire = encodeFrame(payload);
    for (const chunkSize of [1000, 65536, 1 << 20]) {
      for (const ranges of [false, true]) {
        const decoder = createFrameDecoder();
        const frames: Uint8Array[] = [];
        for (let at = 0; at < wire.length; at += chunkSize) {
          const chunk = wire.subarray(at, at + chunkSize);
          if (ranges) decoder.pushRanges(chunk, (b, s, e) => frames.push(b.slice(s, e)));
          else frames.push(...decoder.push(chunk));
          const received = Math.min(wire.length, at + chunkSize);
          if (frames.length === 0) {
            assert.ok(
              decoder.bufferedBytes <= Math.max(16 * 1024, 2 * received),
              `${decoder.bufferedBytes} bytes held after ${received} received`,
            );
          }
        }
        decoder.end();
        assert.equal(frames.length, 1);
        assert.deepEqual(frames[0], payload);
      }
    }
  });

  it("applies a changed maxFrameLength to the lengths read afterwards", () => {
    const small = encodeFrame(new Uint8Array(10));
    const large = encodeFrame(new Uint8Array(1000));
    const decoder = createFrameDecoder({ maxFrameLength: 16 });
    assert.equal(decoder.maxFrameLength, 16);
    assert.equal(decoder.push(small).length, 1);
    // A header read under the old limit keeps it; the new limit applies to the next header.
    decoder.maxFrameLength = 1000;
    assert.equal(decoder.push(large).length, 1);
    decoder.maxFrameLength = 999;
    assert.throws(() => decoder.push(large), FrameTooLargeError);
    assert.throws(() => {
      createFrameDecoder().maxFrameLength = -1;
    }, RangeError);
    assert.throws(() => {
      createFrameDecoder({ codec: "fixed", frameLength: 4 }).maxFrameLength = 8;
    }, TypeError);
  });

  it("assembles a frame spanning chunks into a buffer of its final size", () => {
    const payload = new Uint8Array(100_000).map((_, i) => i * 7);
    const wire = encodeFrame(payload);
    const decoder = createFrameDecoder();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < wire.length; i += 1000) {
      frames.push(...decoder.push(wire.subarray(i, i + 1000)));
    }
    assert.equal(frames.length, 1);
    assert.deepEqual(frames[0], payload);
    assert.equal(frames[0].buffer.byteLength, payload.length);
    assert.equal(frames[0].byteOffset, 0);
  });

  it("decodes a frame whose header arrives one byte at a time", () => {
    for (const header of HEADER_NAMES) {
      const payload = new Uint8Array([9, 8, 7]);
      assert.deepEqual(
        decodeAll(createFrameDecoder({ header }), bytewise(encodeFrame(payload, { header }))),
        [payload],
        header,
      );
    }
  });

  it("reads a large varint length exactly", () => {
    assert.deepEqual(
      encodeFrameParts(new Uint8Array(300), { header: "varint" })[0],
      new Uint8Array([0xac, 0x02]),
    );
    assert.throws(
      () =>
        createFrameDecoder({ header: "varint" }).push(
          new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
        ),
      (e: unknown) => e instanceof FrameTooLargeError && e.length === 2 ** 35,
    );
  });

  it("rejects bad header formats (StructError, as struct) and bad option values", () => {
    const isStructError = (e: unknown): boolean =>
      e instanceof StructError && /bad char in struct format/.test(e.message);
    assert.throws(() => createFrameDecoder({ header: "P" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "?" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "xI" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "!II" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "!2I" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "!0I" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "!e" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "4s" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ header: "<n" }), isStructError);
    assert.throws(() => createFrameDecoder({ header: " !I" }), isStructError);
    assert.throws(() => createFrameDecoder({ header: "!1 I" }), isStructError);
    assert.throws(() => createFrameDecoder({ header: "!Z" }), isStructError);
    assert.throws(() => encodeFrame(new Uint8Array(1), { header: "!II" }), /exactly one integer/);
    assert.throws(() => createFrameDecoder({ maxFrameLength: -1 }), RangeError);
    assert.throws(() => createFrameDecoder({ maxFrameLength: 1.5 }), RangeError);
    assert.throws(() => createFrameDecoder({ lengthFieldOffset: -1 }), RangeError);
    assert.throws(() => createFrameDecoder({ initialBytesToStrip: -2 }), RangeError);
    assert.throws(() => createFrameDecoder({ codec: "nope" } as never), /unknown codec/);
  });
});

describe("length-prefixed codec errors", () => {
  const isTooLarge = (length: number, limit: number) => (e: unknown): boolean =>
    e instanceof FrameTooLargeError && e instanceof FramingError &&
    e.name === "FrameTooLargeError" &&
    e.length === length && e.limit === limit && e.message.includes(String(length)) &&
    e.message.includes(String(limit));

  it("throws FrameTooLargeError as soon as the header is read, before the body arrives", () => {
    const decoder = createFrameDecoder({ maxFrameLength: 1024 });
    assert.deepEqual(decoder.push(new Uint8Array([0x7f, 0xff])), []);
    assert.throws(() => decoder.push(new Uint8Array([0xff, 0xff])), isTooLarge(0x7fffffff, 1024));
    // A failed decoder keeps failing with the same error.
    assert.throws(() => decoder.push(new Uint8Array([0])), isTooLarge(0x7fffffff, 1024));
    assert.throws(() => decoder.end(), isTooLarge(0x7fffffff, 1024));
  });

  it("treats a negative length from a signed header as too large, for every signed size", () => {
    for (const header of ["b", "h", "i", "q", ">i", "<q"]) {
      const wire = refHeader(header, -5);
      assert.throws(
        () => createFrameDecoder({ header }).push(wire),
        isTooLarge(-5, 8 * 1024 * 1024),
        header,
      );
      assert.throws(
        () => decodeAll(createFrameDecoder({ header }), bytewise(wire)),
        isTooLarge(-5, 8 * 1024 * 1024),
        header,
      );
    }
    assert.throws(() => createFrameDecoder({ header: "i" }).push(refHeader("i", -1)), /negative/);
  });

  it("checks huge 8-byte and varint lengths without losing them", () => {
    assert.throws(
      () =>
        createFrameDecoder({ header: ">Q" }).push(
          new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        ),
      FrameTooLargeError,
    );
    assert.throws(
      () => createFrameDecoder({ header: ">Q" }).push(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0])),
      isTooLarge(2 ** 32, 8 * 1024 * 1024),
    );
    assert.throws(
      () =>
        createFrameDecoder({ header: "varint" }).push(
          new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x01]),
        ),
      isTooLarge(2 ** 28, 8 * 1024 * 1024),
    );
  });

  it("rejects lengths beyond 2^53 that a negative lengthAdjustment would bring in range", () => {
    // 2^53 + 1 is not a double: read as 2^53, less 2^53 - 1 it would pass for a 1-byte body.
    const value = 2n ** 53n + 1n;
    const varint: number[] = [];
    for (let v = value; v > 0n; v >>= 7n) varint.push(Number(v & 0x7fn) | (v >= 0x80n ? 0x80 : 0));
    const wires: [string, Uint8Array][] = [["varint", new Uint8Array(varint)]];
    for (const [header, le] of [[">Q", false], ["<Q", true], ["q", true]] as const) {
      const field = new Uint8Array(8);
      new DataView(field.buffer).setBigUint64(0, value, le);
      wires.push([header, field]);
    }
    for (const [header, field] of wires) {
      const options = { header, lengthAdjustment: -(2 ** 53 - 1), maxFrameLength: 100 };
      const wire = concat([field, new Uint8Array([7, 8, 9])]);
      const tooLarge = (e: unknown): boolean =>
        e instanceof FrameTooLargeError && e.limit === 100 && /beyond 2\^53/.test(e.message);
      assert.throws(() => createFrameDecoder(options).push(wire), tooLarge, header);
      assert.throws(() => decodeAll(createFrameDecoder(options), bytewise(wire)), tooLarge, header);
    }
  });

  it("rejects a varint longer than ten bytes", () => {
    const decoder = createFrameDecoder({ header: "varint" });
    assert.throws(
      () => decoder.push(new Uint8Array(11).fill(0x80)),
      (e: unknown) => e instanceof FramingError && /longer than 10 bytes/.test(e.message),
    );
    const bytewiseDecoder = createFrameDecoder({ header: "varint" });
    assert.throws(
      () => decodeAll(bytewiseDecoder, bytewise(new Uint8Array(12).fill(0x80))),
      /longer than 10 bytes/,
    );
  });

  it("returns the good frames before a bad one, then throws on the next call", () => {
    const decoder = createFrameDecoder({ maxFrameLength: 8 });
    const wire = concat([
      encodeFrame(new Uint8Array([1])),
      encodeFrame(new Uint8Array([2, 2])),
      refHeader("!I", 9),
    ]);
    assert.deepEqual(decoder.push(wire), [new Uint8Array([1]), new Uint8Array([2, 2])]);
    assert.throws(() => decoder.push(new Uint8Array(0)), isTooLarge(9, 8));
    const ranges: number[] = [];
    assert.throws(
      () =>
        createFrameDecoder({ maxFrameLength: 8 }).pushRanges(
          wire,
          (_b, s, e) => ranges.push(e - s),
        ),
      isTooLarge(9, 8),
    );
    assert.deepEqual(ranges, [1, 2]);
  });

  it("throws TruncatedFrameError with the missing byte count when input ends inside a frame", () => {
    fc.assert(
      fc.property(
        headerArb,
        fc.array(payloadArb(300), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        (header, candidates, at) => {
          const payloads = candidates.map((p) => p.subarray(0, headerMax(header)));
          const frames = payloads.map((p) => encodeFrame(p, { header }));
          const wire = concat(frames);
          const stop = at % wire.length;
          let boundary = 0;
          let complete = 0;
          while (
            complete < frames.length && boundary + frames[complete].length <= stop
          ) boundary += frames[complete++].length;
          const decoder = createFrameDecoder({ header });
          const got = decoder.push(wire.subarray(0, stop)).map((f) => f.slice());
          assert.deepEqual(got, payloads.slice(0, complete));
          if (stop === boundary) {
            assert.deepEqual(decoder.end(), []);
            return;
          }
          const received = stop - boundary;
          const frameSize = frames[complete].length;
          assert.throws(
            () => decoder.end(),
            (e: unknown) =>
              e instanceof TruncatedFrameError && e.name === "TruncatedFrameError" &&
              e.received === received &&
              (received < frameSize - payloads[complete].length
                ? e.missing >= 1 && e.missing <= frameSize - received && /at least/.test(e.message)
                : e.missing === frameSize - received) &&
              e.message.includes(String(e.missing)),
          );
        },
      ),
    );
  });

  it("delivers empty frames, and ends cleanly on a frame boundary", () => {
    const decoder = createFrameDecoder({ header: "B" });
    assert.deepEqual(decoder.push(new Uint8Array([0, 0, 0])), [
      new Uint8Array(0),
      new Uint8Array(0),
      new Uint8Array(0),
    ]);
    assert.deepEqual(decoder.end(), []);
    // The decoder can be reused after end().
    assert.deepEqual(decoder.push(new Uint8Array([1, 5])), [new Uint8Array([5])]);
  });

  it("rejects lengths that adjustment or stripping make impossible", () => {
    assert.throws(
      () => createFrameDecoder({ lengthAdjustment: -5 }).push(refHeader("!I", 3)),
      (e: unknown) => e instanceof FramingError && /negative body length/.test(e.message),
    );
    assert.throws(
      () => createFrameDecoder({ lengthIncludesHeader: true }).push(refHeader("!I", 2)),
      /negative body length/,
    );
    assert.throws(
      () => createFrameDecoder({ initialBytesToStrip: 9 }).push(refHeader("!I", 2)),
      /initialBytesToStrip 9/,
    );
  });

  it("refuses to encode what the limit or the header cannot carry", () => {
    assert.throws(
      () => encodeFrame(new Uint8Array(11), { maxFrameLength: 10 }),
      isTooLarge(11, 10),
    );
    assert.throws(() => encodeFrame(new Uint8Array(256), { header: "B" }), isTooLarge(256, 255));
    assert.throws(() => encodeFrame(new Uint8Array(128), { header: "b" }), isTooLarge(128, 127));
    assert.throws(
      () => encodeFrame(new Uint8Array(2), { lengthAdjustment: 3 }),
      /negative length field/,
    );
    assert.throws(
      () => encodeFrame(new Uint8Array(1), { lengthFieldOffset: 2 }),
      /shorter than lengthFieldOffset/,
    );
    assert.deepEqual(encodeFrame(new Uint8Array(255), { header: "B" }).length, 256);
  });
});

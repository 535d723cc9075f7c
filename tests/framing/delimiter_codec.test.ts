// The delimiter codec: round trips for any delimiter (single- and multi-byte, self-overlapping)
// under any chunking, crlf and keepDelimiter against a reference split, bounded pending bytes,
// and the error paths.
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
  TruncatedFrameError,
} from "../../mod.ts";
import {
  applySplit,
  bytewise,
  concat,
  decodeAll,
  decodeAllRanges,
  decodeMixed,
  splitArb,
} from "../_helpers/framing.ts";

const te = new TextEncoder();
const td = new TextDecoder();
const text = (frames: Uint8Array[]): string[] => frames.map((f) => td.decode(f));

// Delimiters over a small alphabet so that payloads often hold parts of them.
const delimiterArb = fc.constantFrom("\n", "ab", "aab", "aba", "abc", "\r\n", "||", "a");
const alphabetPayloadArb = fc.array(fc.constantFrom(97, 98, 99, 10, 13, 124, 0, 255), {
  maxLength: 30,
})
  .map((bytes) => new Uint8Array(bytes));

/** Reference: split a byte string at each delimiter, left to right. */
function refSplit(wire: Uint8Array, delimiter: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i + delimiter.length <= wire.length;) {
    if (delimiter.every((b, j) => wire[i + j] === b)) {
      frames.push(wire.slice(start, i));
      i += delimiter.length;
      start = i;
    } else i++;
  }
  return frames;
}

describe("delimiter codec", () => {
  it("round-trips any encodable payloads for any delimiter, under any chunking", () => {
    fc.assert(
      fc.property(
        delimiterArb,
        fc.array(alphabetPayloadArb, { maxLength: 10 }),
        splitArb,
        (delimiter, candidates, split) => {
          const encoder = createFrameEncoder({ codec: "delimiter", delimiter });
          const payloads = candidates.filter((p) => {
            try {
              encoder.encode(p);
              return true;
            } catch (e) {
              assert.ok(e instanceof FramingError);
              return false;
            }
          });
          const wire = concat(payloads.map((p) => encoder.encode(p)));
          const chunks = applySplit(wire, split);
          const options = { codec: "delimiter", delimiter } as const;
          assert.deepEqual(decodeAll(createFrameDecoder(options), chunks), payloads);
          assert.deepEqual(decodeAllRanges(createFrameDecoder(options), chunks), payloads);
          const alternate = (i: number): boolean => i % 2 === 0;
          assert.deepEqual(decodeMixed(createFrameDecoder(options), chunks, alternate), payloads);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("splits any byte string as a left-to-right search would, keeping the delimiter if asked", () => {
    fc.assert(
      fc.property(
        delimiterArb,
        alphabetPayloadArb,
        splitArb,
        fc.boolean(),
        (delimiter, wire, split, keep) => {
          const d = te.encode(delimiter);
          const expected = refSplit(wire, d).map((f) => (keep ? concat([f, d]) : f));
          const decoder = createFrameDecoder({
            codec: "delimiter",
            delimiter: d,
            keepDelimiter: keep,
          });
          const frames: Uint8Array[] = [];
          for (const chunk of applySplit(wire, split)) {
            for (const f of decoder.push(chunk)) {
              frames.push(f.slice());
            }
          }
          assert.deepEqual(frames, expected);
          const consumed = expected.reduce((n, f) => n + f.length + (keep ? 0 : d.length), 0);
          if (consumed === wire.length) assert.deepEqual(decoder.end(), []);
          else assert.throws(() => decoder.end(), TruncatedFrameError);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("strips \\r\\n and \\n with crlf, and keeps each as it was with keepDelimiter", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.constantFrom(97, 13, 98), { maxLength: 6 }), fc.boolean()), {
          maxLength: 8,
        }),
        splitArb,
        (lines, split) => {
          const raw = lines.map(([bytes, cr]) =>
            concat([new Uint8Array(bytes), te.encode(cr ? "\r\n" : "\n")])
          );
          const chunks = applySplit(concat(raw), split);
          const stripped = raw.map((r) =>
            r.slice(0, r.length - (r.length >= 2 && r[r.length - 2] === 13 ? 2 : 1))
          );
          assert.deepEqual(
            decodeAll(createFrameDecoder({ codec: "delimiter", crlf: true }), chunks),
            stripped,
          );
          assert.deepEqual(
            decodeAll(
              createFrameDecoder({ codec: "delimiter", crlf: true, keepDelimiter: true }),
              chunks,
            ),
            raw,
          );
        },
      ),
    );
    assert.deepEqual(
      encodeFrame(te.encode("hi"), { codec: "delimiter", crlf: true }),
      te.encode("hi\r\n"),
    );
    assert.deepEqual(encodeFrameParts(te.encode("hi"), { codec: "delimiter" }), [
      te.encode("hi"),
      te.encode("\n"),
    ]);
  });

  it("delivers empty lines, and lines split anywhere", () => {
    const decoder = createFrameDecoder({ codec: "delimiter" });
    assert.deepEqual(text(decoder.push(te.encode("\n\nab"))), ["", ""]);
    assert.deepEqual(text(decoder.push(te.encode("c\nd"))), ["abc"]);
    assert.deepEqual(text(decoder.push(te.encode("\n"))), ["d"]);
    assert.deepEqual(decoder.end(), []);
  });

  it("returns in-chunk lines as views and spanning lines as their own buffers", () => {
    const chunk = te.encode("one\ntwo");
    const decoder = createFrameDecoder({ codec: "delimiter" });
    const [one] = decoder.push(chunk);
    assert.equal(one.buffer, chunk.buffer);
    const [two] = decoder.push(te.encode("\n"));
    assert.equal(td.decode(two), "two");
    assert.equal(two.buffer.byteLength, 3);
    const [copied] = createFrameDecoder({ codec: "delimiter", copy: true }).push(chunk);
    assert.notEqual(copied.buffer, chunk.buffer);
  });

  it("hands the last unterminated line back with acceptUnterminated", () => {
    const decoder = createFrameDecoder({ codec: "delimiter", acceptUnterminated: true });
    assert.deepEqual(text(decoder.push(te.encode("a\nb"))), ["a"]);
    assert.deepEqual(text(decoder.end()), ["b"]);
    assert.deepEqual(decoder.end(), []);
  });
});

describe("delimiter codec errors", () => {
  it("fails an over-long line as soon as it passes the limit, holding no more than the limit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom("\n", "\r\n", "abc"),
        fc.boolean(),
        splitArb,
        (max, delimiter, crlf, split) => {
          fc.pre(!crlf || delimiter === "\n");
          const d = te.encode(delimiter).length + (crlf ? 1 : 0);
          const decoder = createFrameDecoder({
            codec: "delimiter",
            delimiter,
            crlf,
            maxFrameLength: max,
          });
          // A line of max + 1 bytes is refused before its delimiter is seen, or when it arrives.
          const wire = concat([new Uint8Array(max + 1).fill(120), te.encode(delimiter)]);
          let failed = false;
          for (const chunk of applySplit(wire, split)) {
            try {
              decoder.push(chunk);
            } catch (e) {
              assert.ok(e instanceof FrameTooLargeError && e.limit === max, String(e));
              failed = true;
              break;
            }
            assert.ok(decoder.bufferedBytes <= max + d, `${decoder.bufferedBytes} buffered`);
          }
          assert.ok(failed);
        },
      ),
    );
  });

  it("accepts a line of exactly maxFrameLength, with any line ending", () => {
    for (const [wire, crlf] of [["abcd\n", false], ["abcd\r\n", true], ["abcd\n", true]] as const) {
      const frames = decodeAll(
        createFrameDecoder({ codec: "delimiter", crlf, maxFrameLength: 4 }),
        bytewise(te.encode(wire)),
      );
      assert.deepEqual(text(frames), ["abcd"]);
    }
  });

  it("throws FrameTooLargeError for a long line inside one chunk, after the good lines", () => {
    const decoder = createFrameDecoder({ codec: "delimiter", maxFrameLength: 3 });
    assert.deepEqual(text(decoder.push(te.encode("ok\nlong\n"))), ["ok"]);
    assert.throws(
      () => decoder.push(te.encode("x\n")),
      (e: unknown) => e instanceof FrameTooLargeError && e.length === 4 && e.limit === 3,
    );
  });

  it("throws TruncatedFrameError when the input ends without a delimiter", () => {
    const decoder = createFrameDecoder({ codec: "delimiter", delimiter: "\r\n" });
    decoder.push(te.encode("abc\r"));
    assert.throws(
      () => decoder.end(),
      (e: unknown) =>
        e instanceof TruncatedFrameError && e.received === 4 && e.missing === 2 &&
        /without a delimiter/.test(e.message),
    );
  });

  it("refuses to encode a payload that would decode as other frames", () => {
    assert.throws(
      () => encodeFrame(te.encode("a\nb"), { codec: "delimiter" }),
      (e: unknown) => e instanceof FramingError && /byte 1/.test(e.message),
    );
    // "a" + "aa" = "aaa": the delimiter "aa" would be found at byte 0.
    assert.throws(
      () => encodeFrame(te.encode("a"), { codec: "delimiter", delimiter: "aa" }),
      /byte 0/,
    );
    assert.throws(
      () => encodeFrame(te.encode("a\n"), { codec: "delimiter", crlf: true }),
      /delimiter/,
    );
    assert.throws(
      () => encodeFrame(new Uint8Array(5), { codec: "delimiter", maxFrameLength: 4 }),
      FrameTooLargeError,
    );
  });

  it("rejects bad options", () => {
    assert.throws(() => createFrameDecoder({ codec: "delimiter", delimiter: "" }), TypeError);
    assert.throws(
      () => createFrameDecoder({ codec: "delimiter", delimiter: "ab", crlf: true }),
      TypeError,
    );
    assert.throws(() => createFrameDecoder({ codec: "delimiter", maxFrameLength: -1 }), RangeError);
  });
});

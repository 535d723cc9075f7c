// ByteReader: readExactly, readUntil and read under any chunking; the switch from a text greeting
// to framed() with every byte received kept; aborted reads that consume nothing; typed errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ByteReader,
  duplexPair,
  encodeFrame,
  framed,
  FrameTooLargeError,
  textCodec,
  TruncatedFrameError,
} from "../../mod.ts";
import { applySplit, concat, payloadArb, splitArb } from "../_helpers/framing.ts";
import type { Split } from "../_helpers/framing.ts";
import { stillPending, within } from "../runtime/helpers.ts";
import { sameFrames, ScriptedTransport } from "./_transport.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

/** A reader over `wire` cut by `split`, ended. */
function readerOf(wire: Uint8Array, split: Split): ByteReader {
  return new ByteReader(ScriptedTransport.ended(applySplit(wire, split)));
}

describe("ByteReader", () => {
  it("reads exact lengths and delimited fields under any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            payloadArb(200).map((bytes) => ({ kind: "exact" as const, bytes })),
            payloadArb(100).map((bytes) => ({
              kind: "until" as const,
              bytes: bytes.map((b) => (b === 0x0d ? 0x0e : b)),
            })),
          ),
          { maxLength: 10 },
        ),
        splitArb,
        async (fields, split) => {
          const wire = concat(
            fields.map((f) => (f.kind === "exact" ? f.bytes : concat([f.bytes, utf8("\r\n")]))),
          );
          const reader = readerOf(wire, split);
          const got: Uint8Array[] = [];
          for (const f of fields) {
            got.push(
              f.kind === "exact"
                ? await reader.readExactly(f.bytes.length)
                : await reader.readUntil("\r\n", 100),
            );
          }
          assert.ok(sameFrames(got, fields.map((f) => f.bytes)), "fields differ");
          assert.equal(await reader.read(), undefined);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hands every byte after a greeting to framed(), however the chunks fell", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }),
        splitArb,
        async (messages, split) => {
          const wire = concat([utf8("HELLO 1\n"), ...messages.map((m) => encodeFrame(utf8(m)))]);
          const reader = readerOf(wire, split);
          assert.equal(text(await reader.readUntil("\n", 64)), "HELLO 1");
          const got: string[] = [];
          for await (const m of framed(reader, { message: textCodec })) got.push(m);
          assert.deepEqual(got, messages);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reads what has arrived with read(), then the end", async () => {
    const reader = readerOf(utf8("abcdef"), { kind: "cuts", cuts: [0.5e9] });
    assert.equal(text(await reader.readExactly(1)), "a");
    assert.equal(reader.buffered, 2);
    assert.equal(text(await reader.read()), "bc");
    assert.equal(text(await reader.read()), "def");
    assert.equal(await reader.read(), undefined);
    assert.deepEqual(await reader.readExactly(0), new Uint8Array(0));
  });

  it("fails with typed errors: too long without the delimiter, or the input ends first", async () => {
    const long = readerOf(utf8("0123456789\n"), { kind: "bytes" });
    await assert.rejects(long.readUntil("\n", 9), FrameTooLargeError);
    const exact = readerOf(utf8("0123456789\n"), { kind: "bytes" });
    assert.equal(text(await exact.readUntil("\n", 10)), "0123456789");

    const short = readerOf(utf8("abc"), { kind: "bytes" });
    await assert.rejects(
      short.readExactly(5),
      (e: unknown) => e instanceof TruncatedFrameError && e.received === 3 && e.missing === 2,
    );
    await assert.rejects(
      readerOf(utf8("no end"), { kind: "bytes" }).readUntil("\n", 99),
      TruncatedFrameError,
    );
    await assert.rejects(
      readerOf(new Uint8Array(0), { kind: "bytes" }).readExactly(1),
      TruncatedFrameError,
    );
    assert.throws(() => readerOf(utf8("x"), { kind: "bytes" }).readUntil("", 1), TypeError);
    assert.throws(() => readerOf(utf8("x"), { kind: "bytes" }).readExactly(-1), RangeError);
  });

  it("consumes nothing in a read given up, and refuses two reads at once", async () => {
    const t = new ScriptedTransport();
    const reader = new ByteReader(t);
    t.push(utf8("HEL"));
    const controller = new AbortController();
    const pending = reader.readUntil("\n", 64, { signal: controller.signal });
    assert.ok(await stillPending(pending, 20));
    await assert.rejects(reader.readExactly(1), TypeError);
    controller.abort(new Error("deadline"));
    await assert.rejects(pending, /deadline/);
    t.push(utf8("LO\nrest"));
    assert.equal(text(await within(reader.readUntil("\n", 64), 5000, "line")), "HELLO");
    assert.equal(text(await reader.readExactly(4)), "rest");
  });

  it("writes through to the duplex, over Web streams", async () => {
    const [a, b] = duplexPair();
    const reader = new ByteReader(a);
    await reader.write(utf8("ping"));
    await reader.writev([utf8(" and "), utf8("pong")]);
    await reader.closeWrite();
    const other = new ByteReader(b);
    assert.equal(text(await other.readExactly(13)), "ping and pong");
    assert.equal(await other.read(), undefined);
    reader.close();
  });
});

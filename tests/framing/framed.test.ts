// framed(): every framing codec × every message codec, the three ways to receive, end of input,
// typed errors, concurrent senders, maxFrameLength between frames, abort, close — over an
// in-memory duplex (duplexPair: Web streams) and a scripted ByteTransport.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  bytesCodec,
  createFrameDecoder,
  duplexPair,
  encodeFrame,
  framed,
  FramedClosedError,
  FrameTooLargeError,
  jsonCodec,
  MessageDecodeError,
  structCodec,
  textCodec,
  TruncatedFrameError,
} from "../../mod.ts";
import type { Framed, FramingOptions, MessageCodec } from "../../mod.ts";
import { concat, patternBytes } from "../_helpers/framing.ts";
import { stillPending, within } from "../runtime/helpers.ts";
import { ScriptedTransport } from "./_transport.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Messages of each codec, none holding a "\n" byte, all of one encoded size per codec. */
const CODECS: { name: string; codec: MessageCodec<unknown>; messages: unknown[] }[] = [
  {
    name: "bytes",
    codec: bytesCodec as MessageCodec<unknown>,
    messages: [new Uint8Array([1, 2, 3, 4]), new Uint8Array([0, 255, 9, 11]), new Uint8Array(4)],
  },
  { name: "text", codec: textCodec as MessageCodec<unknown>, messages: ["héllo", "wörld", "ǅaǅb"] },
  { name: "json", codec: jsonCodec, messages: [[1, 2], [3, 4], "x_y"] },
  {
    name: "struct",
    codec: structCodec("<hHb") as MessageCodec<unknown>,
    messages: [[1, 2, 3], [-300, 65535, -128], [0, 0, 0]],
  },
];

const FRAMINGS: { name: string; options: (size: number) => FramingOptions }[] = [
  { name: "length !I", options: () => ({}) },
  { name: "length varint", options: () => ({ header: "varint" }) },
  { name: "length <H, lengthAdjustment 1", options: () => ({ header: "<H", lengthAdjustment: 1 }) },
  { name: "delimiter \\n", options: () => ({ codec: "delimiter" }) },
  { name: "delimiter \\r\\n", options: () => ({ codec: "delimiter", delimiter: "\r\n" }) },
  { name: "fixed", options: (size) => ({ codec: "fixed", frameLength: size }) },
];

type Receive = (f: Framed<unknown>) => Promise<unknown[]>;
const RECEIVES: [string, Receive][] = [
  ["receive()", async (f) => {
    const out: unknown[] = [];
    for (let m = await f.receive(); m !== undefined; m = await f.receive()) out.push(m);
    return out;
  }],
  ["for await", async (f) => {
    const out: unknown[] = [];
    for await (const m of f) out.push(m);
    return out;
  }],
  ["batches()", async (f) => {
    const out: unknown[] = [];
    for await (const batch of f.batches()) out.push(...batch);
    return out;
  }],
];

describe("framed() over an in-memory duplex", () => {
  it("carries every message codec over every framing codec, received three ways", async () => {
    for (const { name, codec, messages } of CODECS) {
      const size = codec.encode(messages[0]).length;
      for (const framing of FRAMINGS) {
        for (const [how, receiveAll] of RECEIVES) {
          const [a, b] = duplexPair();
          const options = { framing: framing.options(size), message: codec };
          const sender = framed(a, options);
          const receiver = framed(b, options);
          const received = receiveAll(receiver);
          await sender.send(messages[0]);
          await sender.sendMany(messages.slice(1));
          await sender.closeWrite();
          assert.deepEqual(
            await within(received, 5000, how),
            messages,
            `${name}, ${framing.name}, ${how}`,
          );
        }
      }
    }
  });

  it("resolves undefined at a clean end of input, and again after it", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    t.push(encodeFrame(utf8("last")));
    t.end();
    assert.deepEqual(await f.receive(), utf8("last"));
    assert.equal(await f.receive(), undefined);
    assert.equal(await f.receive(), undefined);
    assert.equal(t.closed, false, "a clean end leaves our side open");
    await f.send(utf8("still sending"));
  });

  it("throws TruncatedFrameError when the input ends inside a frame, after the whole frames", async () => {
    const cases: [FramingOptions, Uint8Array][] = [
      [{}, concat([encodeFrame(utf8("ok")), encodeFrame(utf8("cut")).subarray(0, 5)])],
      [{}, concat([encodeFrame(utf8("ok")), new Uint8Array([0, 0])])],
      [{ codec: "delimiter" }, utf8("ok\nno end")],
      [{ codec: "fixed", frameLength: 2 }, utf8("okx")],
    ];
    for (const [framing, wire] of cases) {
      for (const [how, receiveAll] of RECEIVES) {
        const t = new ScriptedTransport();
        const f = framed(t, { framing, message: textCodec });
        t.push(wire);
        t.end();
        const got: unknown[] = [];
        const all = receiveAll(f as Framed<unknown>).then((m) => got.push(...m));
        await assert.rejects(all, TruncatedFrameError, how);
        if (how === "receive()") {
          await assert.rejects(f.receive(), TruncatedFrameError, "and again");
        }
        assert.equal(t.closed, true, "a truncated stream closes the connection");
        await assert.rejects(f.send("x"), FramedClosedError);
      }
    }
  });

  it("delivers a last unterminated line with acceptUnterminated", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, {
      framing: { codec: "delimiter", acceptUnterminated: true },
      message: textCodec,
    });
    t.push(utf8("one\ntwo"));
    t.end();
    const got: string[] = [];
    for await (const batch of f.batches()) got.push(...batch);
    assert.deepEqual(got, ["one", "two"]);
  });

  it("turns bad text, JSON and records into MessageDecodeError, and goes on", async () => {
    const cases: [MessageCodec<unknown>, Uint8Array, unknown][] = [
      [textCodec as MessageCodec<unknown>, new Uint8Array([0xc3, 0x28]), "fine"],
      [textCodec as MessageCodec<unknown>, new Uint8Array([0xed, 0xa0, 0x80]), "fine"], // a surrogate
      [jsonCodec, utf8("{not json"), "fine"],
      [jsonCodec, new Uint8Array([0x22, 0xff, 0x22]), "fine"], // not UTF-8
      [structCodec("<I") as MessageCodec<unknown>, new Uint8Array(3), [7]],
    ];
    for (const [codec, bad, good] of cases) {
      const t = new ScriptedTransport();
      const f = framed(t, { message: codec });
      t.push(concat([encodeFrame(bad), encodeFrame(codec.encode(good))]));
      const error = await f.receive().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof MessageDecodeError, String(error));
      assert.equal(error.frameLength, bad.length);
      assert.deepEqual(await f.receive(), good, "the next frame is intact");
      assert.equal(t.closed, false);
    }
  });

  it("wraps a custom codec's error in MessageDecodeError, with the error as cause", async () => {
    const boom = new RangeError("not a number I like");
    const picky: MessageCodec<number> = {
      encode: (n) => new Uint8Array([n]),
      decode: (frame) => {
        if (frame[0] === 13) throw boom;
        return frame[0];
      },
    };
    const t = new ScriptedTransport();
    const f = framed(t, { message: picky });
    t.push(concat([encodeFrame(new Uint8Array([13])), encodeFrame(new Uint8Array([14]))]));
    await assert.rejects(
      f.receive(),
      (e: unknown) => e instanceof MessageDecodeError && e.cause === boom,
    );
    assert.equal(await f.receive(), 14);
  });

  it("ends a batch before a frame its codec rejects, and throws that error on the next step", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { message: jsonCodec });
    t.push(concat([1, 2].map((n) => encodeFrame(utf8(String(n))))));
    t.push(concat([encodeFrame(utf8("3")), encodeFrame(utf8("{")), encodeFrame(utf8("5"))]));
    t.end();
    const batches = f.batches();
    assert.deepEqual((await batches.next()).value, [1, 2]);
    assert.deepEqual((await batches.next()).value, [3]);
    await assert.rejects(batches.next(), MessageDecodeError);
    assert.deepEqual((await f.batches().next()).value, [5]);
  });

  it("refuses to send what the framing cannot carry, and sendMany sends all or nothing", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { framing: { codec: "delimiter" }, message: textCodec });
    await assert.rejects(f.send("two\nlines"), /delimiter/);
    await assert.rejects(f.sendMany(["fine", "bad\n", "fine"]), /delimiter/);
    const small = framed(t, { framing: { maxFrameLength: 3 } });
    await assert.rejects(small.send(new Uint8Array(4)), FrameTooLargeError);
    await assert.rejects(() => framed(t, { message: jsonCodec }).send(undefined), TypeError);
    assert.equal(t.writes.length, 0, "nothing was written");
  });
});

describe("framed() sending", () => {
  it("keeps frames from concurrent senders whole and in call order, batching while a write is in flight", async () => {
    const t = new ScriptedTransport();
    t.writeDelayMs = 2;
    const f = framed(t, { framing: { header: "varint" } });
    const sent: Uint8Array[] = [];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      // Small frames (one buffer each) and large ones (header and payload as two parts).
      const payload = patternBytes(i % 10 === 0 ? 5000 + i : i, i + 1);
      sent.push(payload);
      sends.push(f.send(payload));
      if (i % 7 === 0) await Promise.resolve();
      if (i % 50 === 0) {
        const many = [patternBytes(3, i), patternBytes(6000, i)];
        sent.push(...many);
        sends.push(f.sendMany(many));
      }
    }
    await within(Promise.all(sends), 10_000, "sends");
    const decoded = createFrameDecoder({ header: "varint" }).push(t.bytes);
    assert.deepEqual(decoded, sent);
    assert.ok(
      t.writes.length < sent.length / 2,
      `${t.writes.length} writes for ${sent.length} frames`,
    );
  });

  it("writes through a transport that has no writev", async () => {
    const t = new ScriptedTransport();
    const plain = {
      [Symbol.asyncIterator]: () => t[Symbol.asyncIterator](),
      write: (b: Uint8Array) => t.write(b),
      closeWrite: () => t.closeWrite(),
      close: () => t.close(),
    };
    const f = framed(plain);
    await f.sendMany([new Uint8Array(5000), new Uint8Array([1])]);
    assert.equal(createFrameDecoder().push(t.bytes).length, 2);
  });

  it("closeWrite waits for queued writes, then refuses sends; the peer reads the end", async () => {
    const t = new ScriptedTransport();
    t.writeDelayMs = 5;
    const f = framed(t);
    const sends = [f.send(new Uint8Array([1])), f.send(new Uint8Array([2]))];
    await f.closeWrite();
    assert.equal(t.writeClosed, true);
    await Promise.all(sends);
    assert.equal(createFrameDecoder().push(t.bytes).length, 2);
    await assert.rejects(f.send(new Uint8Array(1)), FramedClosedError);
    await f.closeWrite(); // idempotent
  });

  it("rejects a send whose write fails, and every later one", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    t.closed = true; // the transport's writes now throw
    await assert.rejects(f.send(new Uint8Array(1)), /write after close/);
    await assert.rejects(f.send(new Uint8Array(1)), /write after close/);
  });
});

describe("framed() receiving", () => {
  it("applies maxFrameLength set between receives to the next frame, even if it came in the same read", async () => {
    // exec: small frames until the client is authenticated, large ones after.
    const wire = concat([encodeFrame(utf8("token")), encodeFrame(new Uint8Array(100_000))]);
    const t = new ScriptedTransport();
    const f = framed(t, { framing: { maxFrameLength: 64 } });
    t.push(wire);
    assert.deepEqual(await f.receive(), utf8("token"));
    f.maxFrameLength = 1 << 20;
    assert.equal(f.maxFrameLength, 1 << 20);
    assert.equal((await f.receive())?.length, 100_000);

    const strict = new ScriptedTransport();
    const g = framed(strict, { framing: { maxFrameLength: 64 } });
    strict.push(wire);
    assert.deepEqual(await g.receive(), utf8("token"));
    await assert.rejects(g.receive(), FrameTooLargeError);
    assert.equal(strict.closed, true, "a frame over the limit closes the connection");
    assert.throws(() => {
      framed(new ScriptedTransport(), { framing: { codec: "fixed", frameLength: 2 } })
        .maxFrameLength = 9;
    }, TypeError);
  });

  it("gives up an aborted receive without losing a byte, even mid-frame", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { message: textCodec });
    const wire = encodeFrame(utf8("patience"));
    t.push(wire.subarray(0, 6));
    const controller = new AbortController();
    const pending = f.receive({ signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort(new Error("gave up"));
    await assert.rejects(pending, /gave up/);
    // The read it started is still out; what it brings, and the half frame, stay.
    t.push(wire.subarray(6));
    assert.equal(await within(f.receive(), 5000, "receive after abort"), "patience");
    await assert.rejects(f.receive({ signal: AbortSignal.abort(new Error("at once")) }), /at once/);
    t.push(encodeFrame(utf8("still here")));
    assert.equal(await f.receive(), "still here");
  });

  it("aborts a batches() step the same way", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    const controller = new AbortController();
    const step = f.batches({ signal: controller.signal }).next();
    controller.abort(new Error("stop"));
    await assert.rejects(step, /stop/);
    t.push(encodeFrame(new Uint8Array([9])));
    assert.deepEqual((await f.batches().next()).value, [new Uint8Array([9])]);
  });

  it("refuses a second receive while one is pending", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    const first = f.receive();
    await assert.rejects(f.receive(), TypeError);
    await assert.rejects(f.batches().next(), TypeError);
    t.push(encodeFrame(new Uint8Array([1])));
    assert.deepEqual(await first, new Uint8Array([1]));
  });

  it("close() ends a pending receive with undefined, rejects sends and closes the transport", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    const pending = f.receive();
    assert.ok(await stillPending(pending, 20));
    f.close();
    assert.equal(await within(pending, 5000, "pending receive"), undefined);
    assert.equal(t.closed, true);
    await assert.rejects(f.send(new Uint8Array(1)), FramedClosedError);
    assert.equal(await f.receive(), undefined);
    f.close(); // idempotent
  });

  it("closes on async dispose and when a loop is left early", async () => {
    const t = new ScriptedTransport();
    await framed(t)[Symbol.asyncDispose]();
    assert.equal(t.closed, true);

    for (const loop of ["for await", "batches()"]) {
      const u = new ScriptedTransport();
      const f = framed(u);
      u.push(concat([encodeFrame(new Uint8Array([1])), encodeFrame(new Uint8Array([2]))]));
      if (loop === "for await") { for await (const _ of f) break; }
      else for await (const _ of f.batches()) break;
      assert.equal(u.closed, true, loop);
    }
  });

  it("fails with the transport's read error, and closes", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    const reset = new Error("connection reset");
    t.fail(reset);
    await assert.rejects(f.receive(), (e: unknown) => e === reset);
    await assert.rejects(f.receive(), (e: unknown) => e === reset);
    assert.equal(t.closed, true);
    await assert.rejects(
      f.send(new Uint8Array(1)),
      (e: unknown) => e instanceof FramedClosedError && e.cause === reset,
    );
  });

  it("hands out views of the transport's chunks, or copies with framing copy: true", async () => {
    const chunk = concat([encodeFrame(new Uint8Array([1, 2])), encodeFrame(new Uint8Array([3]))]);
    const t = new ScriptedTransport();
    const f = framed(t);
    t.push(chunk);
    const first = await f.receive();
    assert.equal(first?.buffer, chunk.buffer);

    // A transport that reuses one buffer for every chunk needs copy: true.
    const reused = new Uint8Array(6);
    const u = new ScriptedTransport();
    const g = framed(u, { framing: { header: "B", copy: true } });
    reused.set([2, 7, 7, 2, 8, 8]);
    u.push(reused);
    const [a, b] = [await g.receive(), await g.receive()];
    reused.fill(0);
    assert.deepEqual([a, b], [new Uint8Array([7, 7]), new Uint8Array([8, 8])]);
  });

  it("holds the bytes received, not the length announced", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    t.push(concat([encodeFrameHeader((8 << 20) - 1), new Uint8Array(10)]));
    const pending = f.receive();
    assert.ok(await stillPending(pending, 20));
    assert.ok(f.bufferedBytes <= 16 * 1024, `${f.bufferedBytes} bytes held`);
    f.close();
    await pending;
  });

  it("rejects what is not a byte duplex", () => {
    assert.throws(() => framed({} as never), TypeError);
    assert.throws(() => framed(new ScriptedTransport(), { idleTimeoutMs: -1 }), RangeError);
  });
});

/** A "!I" header for a frame of `length` bytes. */
function encodeFrameHeader(length: number): Uint8Array {
  return new Uint8Array([length >>> 24, (length >>> 16) & 255, (length >>> 8) & 255, length & 255]);
}

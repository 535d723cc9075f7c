// framed() as a server needs it: a framing to send other than the one received (lines read with
// CRLF or LF, written with LF), a frame sent from parts without joining them (a type byte and a
// body), frames before a bad one delivered, a framing error that ends
// receiving but lets the server tell its peer why (closeOnError: false), and a close that does
// not lose that last message (closeGracefully).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  encodeFrame,
  framed,
  FramedClosedError,
  FrameTooLargeError,
  textCodec,
  TruncatedFrameError,
} from "../../mod.ts";
import { concat } from "../_helpers/framing.ts";
import { stillPending, within } from "../runtime/helpers.ts";
import { ScriptedTransport, sleep } from "./_transport.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("framed(): sendFraming", () => {
  it("reads lines ending in CRLF or LF and writes them with LF", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, {
      framing: { codec: "delimiter", crlf: true },
      sendFraming: { codec: "delimiter" },
      message: textCodec,
    });
    t.push(utf8("one\r\ntwo\n"));
    assert.deepEqual([await f.receive(), await f.receive()], ["one", "two"]);
    await f.sendMany(["one", "two"]);
    assert.equal(text(t.bytes), "one\ntwo\n");
  });

  it("checks sends against the send framing's limit, receives against the other", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { framing: { maxFrameLength: 4 }, sendFraming: { maxFrameLength: 100 } });
    await f.send(new Uint8Array(100));
    await assert.rejects(f.send(new Uint8Array(101)), FrameTooLargeError);
    t.push(encodeFrame(new Uint8Array(5)));
    await assert.rejects(f.receive(), FrameTooLargeError);
  });

  it("is checked when the connection is made", () => {
    assert.throws(
      () => framed(new ScriptedTransport(), { sendFraming: { header: "!II" } }),
      TypeError,
    );
  });
});

describe("framed(): sendParts", () => {
  it("writes a large frame as the header and the parts, unjoined, in one write", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    const body = new Uint8Array(64 * 1024).fill(7);
    await f.sendParts([new Uint8Array([1]), body]);
    assert.equal(t.writes.length, 1);
    assert.deepEqual(t.writes[0].map((p) => p.length), [4, 1, body.length]);
    assert.deepEqual(t.bytes, encodeFrame(concat([new Uint8Array([1]), body])));
  });

  it("joins small frames, and parts the framing must check (a delimiter across them)", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    await f.sendParts([utf8("a"), utf8("b")]);
    assert.deepEqual(t.writes[0], [encodeFrame(utf8("ab"))]);
    const u = new ScriptedTransport();
    const g = framed(u, { framing: { codec: "delimiter", delimiter: "\r\n" } });
    await g.sendParts([utf8("x".repeat(5000)), utf8("y")]);
    assert.equal(text(u.bytes), "x".repeat(5000) + "y\r\n");
    await assert.rejects(g.sendParts([utf8("a\r"), utf8("\nb")]), /delimiter/);
  });

  it("refuses a frame over the send limit, sending nothing, and keeps order with send()", async () => {
    const t = new ScriptedTransport();
    t.writeDelayMs = 5;
    const f = framed(t, { framing: { maxFrameLength: 5000 } });
    await assert.rejects(
      f.sendParts([new Uint8Array(4000), new Uint8Array(1001)]),
      FrameTooLargeError,
    );
    assert.equal(t.writes.length, 0);
    await Promise.all([
      f.send(utf8("1")),
      f.sendParts([utf8("2"), new Uint8Array(4999)]),
      f.send(utf8("3")),
    ]);
    const sent: string[] = [];
    for await (const m of framed(ScriptedTransport.ended([t.bytes]))) {
      sent.push(text(m.subarray(0, 1)));
    }
    assert.deepEqual(sent, ["1", "2", "3"]);
  });
});

describe("framed(): batches() before a bad frame", () => {
  it("delivers the frames before a bad one in the same read, then throws and closes", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { framing: { maxFrameLength: 8 } });
    t.push(
      concat([encodeFrame(utf8("a")), encodeFrame(utf8("b")), encodeFrame(new Uint8Array(9))]),
    );
    const batches = f.batches();
    const first = await batches.next();
    assert.deepEqual(first.value?.map(text), ["a", "b"]);
    assert.equal(t.closed, false, "open until the error is thrown: the replies can go out");
    await f.send(utf8("reply"));
    await assert.rejects(batches.next(), FrameTooLargeError);
    assert.equal(t.closed, true);
  });

  it("delivers them for a delimiter codec too (a line too long behind good ones)", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { framing: { codec: "delimiter", maxFrameLength: 8 } });
    t.push(utf8("short\n1234567890"));
    const batches = f.batches();
    assert.deepEqual((await batches.next()).value?.map(text), ["short"]);
    await assert.rejects(batches.next(), FrameTooLargeError);
  });
});

describe("framed(): closeOnError: false", () => {
  it("ends receiving with the error, every time, and sending goes on until close()", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { framing: { maxFrameLength: 4 }, closeOnError: false });
    t.push(encodeFrame(new Uint8Array(5)));
    await assert.rejects(f.receive(), FrameTooLargeError);
    await assert.rejects(f.receive(), FrameTooLargeError);
    assert.equal(t.closed, false);
    await f.send(utf8("why"));
    assert.equal(text(t.bytes.subarray(4)), "why");
    f.close();
    assert.equal(t.closed, true);
    await assert.rejects(f.receive(), FrameTooLargeError, "the error stays");
    await assert.rejects(f.send(utf8("x")), FramedClosedError);
  });

  it("wakes a pending receive with a timeout, and leaves the sending side open", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { idleTimeoutMs: 20, closeOnError: false });
    await assert.rejects(within(f.receive(), 5_000, "idle timeout"), /IdleTimeoutError|idle/i);
    assert.equal(t.closed, false);
    await f.send(utf8("idle too long"));
    f.close();
  });

  it("with the default, a framing error closes the connection (as before)", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { framing: { maxFrameLength: 4 } });
    t.push(encodeFrame(new Uint8Array(5)));
    await assert.rejects(f.receive(), FrameTooLargeError);
    assert.equal(t.closed, true);
    await assert.rejects(f.send(utf8("x")), FramedClosedError);
  });
});

describe("framed(): closeGracefully", () => {
  it("sends what is queued, ends our side, drops the peer's bytes until its end, then closes", async () => {
    const t = new ScriptedTransport();
    t.writeDelayMs = 5;
    const f = framed(t, { message: textCodec });
    void f.send("first");
    void f.send("last");
    const closing = f.closeGracefully(5_000);
    t.push(utf8("whatever the peer still sends, frames or not"));
    assert.ok(await stillPending(closing, 30), "waits for the peer's end");
    assert.equal(t.writeClosed, true);
    assert.equal(t.closed, false);
    t.end();
    await within(closing, 5_000, "closeGracefully");
    assert.equal(t.closed, true);
    const wire = t.bytes;
    assert.deepEqual(wire, concat([encodeFrame(utf8("first")), encodeFrame(utf8("last"))]));
  });

  it("ends a pending receive with undefined, and refuses sends", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    const pending = f.receive();
    assert.ok(await stillPending(pending, 10));
    const closing = f.closeGracefully(5_000);
    assert.equal(await within(pending, 5_000, "the pending receive"), undefined);
    await assert.rejects(f.send(new Uint8Array(1)), FramedClosedError);
    t.end();
    await closing;
    assert.equal(await f.receive(), undefined);
  });

  it("closes after lingerMs when the peer never ends", async () => {
    const t = new ScriptedTransport();
    const f = framed(t);
    const started = performance.now();
    await within(f.closeGracefully(50), 5_000, "closeGracefully");
    assert.ok(performance.now() - started >= 45);
    assert.equal(t.closed, true);
  });

  it("after a framing error kept from closing, still sends the last message", async () => {
    const t = new ScriptedTransport();
    const f = framed(t, { message: textCodec, closeOnError: false });
    t.push(encodeFrame(utf8("cut")).subarray(0, 5));
    t.end();
    await assert.rejects(f.receive(), TruncatedFrameError);
    await f.send("your frame was cut");
    await within(f.closeGracefully(1_000), 5_000, "closeGracefully");
    assert.equal(text(t.bytes.subarray(4)), "your frame was cut");
    assert.equal(t.closed, true);
  });

  it("refuses a linger time no timer can hold", async () => {
    const f = framed(new ScriptedTransport());
    await assert.rejects(f.closeGracefully(-1), RangeError);
    await assert.rejects(f.closeGracefully(2 ** 31), RangeError);
    await sleep(0);
    f.close();
  });
});

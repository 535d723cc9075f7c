// The echo service as library API: framed TCP with pipelining, UDP, bad frames, graceful close.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "../../../src/runtime/adapter.ts";
import { connectEcho, serveEcho } from "../../../src/services/echo/mod.ts";
import { asciiUpper } from "../../../src/services/echo/upper.ts";
import { connectEchoUdp, serveEchoUdp } from "../../../src/services/echo/mod.ts";
import { ReplyTimeoutError, TooManyConnectionsError } from "../../../src/services/errors.ts";
import { availableAdapters, bindDatagram } from "../../../src/runtime/adapter.ts";
import { FrameTooLargeError, FramingError } from "../../../src/framing/mod.ts";
import { TextOnFramedConnectionError } from "../../../src/services/echo/mod.ts";
import { explainRefusedFrame } from "../../../src/services/echo/text_peer.ts";
import { readText, request, within } from "../../runtime/helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

describe("asciiUpper", () => {
  it("changes a-z only, as Python's bytes.upper()", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const up = asciiUpper(all);
    for (let i = 0; i < 256; i++) assert.equal(up[i], i >= 97 && i <= 122 ? i - 32 : i);
    assert.equal(all[97], 97, "the input is not modified");
  });
});

describe("serveEcho / connectEcho", () => {
  it("pipelines requests and matches replies in order", async () => {
    await using server = await serveEcho({ port: 0, upper: true, header: "<H" });
    assert.equal(server.addr.hostname, "127.0.0.1");
    await using client = await connectEcho({ port: server.addr.port, header: "<H" });
    const words = Array.from({ length: 200 }, (_, i) => `msg ${i}`);
    const replies = await Promise.all(words.map((w) => client.request(enc.encode(w))));
    assert.deepEqual(replies.map((r) => dec.decode(r)), words.map((w) => w.toUpperCase()));
  });

  it("carries empty and large frames", async () => {
    await using server = await serveEcho({ port: 0, header: "varint" });
    await using client = await connectEcho({ port: server.addr.port, header: "varint" });
    assert.equal((await client.request(new Uint8Array(0))).length, 0);
    const big = Uint8Array.from({ length: 3_000_000 }, (_, i) => i % 253);
    assert.deepEqual(await client.request(big), big);
  });

  it("hands back replies that pin at most 8 times their size of read buffers", async () => {
    await using server = await serveEcho({ port: 0 });
    await using client = await connectEcho({ port: server.addr.port });
    for (const size of [0, 10, 1000, 70_000]) {
      const payload = Uint8Array.from({ length: size }, (_, i) => i % 251);
      const replies = await Promise.all(
        Array.from({ length: 64 }, () => client.request(payload)),
      );
      for (const reply of replies) {
        assert.deepEqual(reply, payload);
        assert.ok(reply.buffer.byteLength <= 8 * size, `${reply.buffer.byteLength} for ${size}`);
      }
    }
  });

  it("a bad frame closes that connection only and is reported once", async () => {
    const errors: string[] = [];
    await using server = await serveEcho({
      port: 0,
      maxFrameLength: 10,
      onError: (e) => errors.push(e.name),
    });
    await using good = await connectEcho({ port: server.addr.port });
    await using bad = await connectEcho({ port: server.addr.port, maxFrameLength: 100 });
    await assert.rejects(bad.request(new Uint8Array(11)));
    assert.deepEqual(errors, ["FrameTooLargeError"]);
    assert.equal(dec.decode(await good.request(enc.encode("fine"))), "fine");
  });

  it("a client refuses to send a frame over its own limit", async () => {
    await using server = await serveEcho({ port: 0 });
    await using client = await connectEcho({ port: server.addr.port, maxFrameLength: 4 });
    await assert.rejects(client.request(new Uint8Array(5)), FrameTooLargeError);
    assert.equal((await client.request(new Uint8Array(4))).length, 4);
  });

  it("close() lets a frame in flight finish, then refuses new connections", async () => {
    const server = await serveEcho({ port: 0 });
    const conn = await connect({ port: server.addr.port });
    const reads = conn[Symbol.asyncIterator]();
    const got: number[] = [];
    const readUntil = async (n: number): Promise<void> => {
      while (got.length < n) {
        const r = await reads.next();
        if (r.done) return;
        got.push(...r.value);
      }
    };
    // A whole frame and the start of the next in one write: once the first is answered, the
    // server holds the second in flight.
    await conn.write(Uint8Array.of(0, 0, 0, 1, 0x7a, 0, 0, 0, 3, 0x61));
    await readUntil(5);
    const closing = server.close();
    await conn.write(Uint8Array.of(0x62, 0x63));
    await readUntil(Infinity);
    assert.deepEqual(got, [0, 0, 0, 1, 0x7a, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
    await closing;
    await server.closed;
    await assert.rejects(connect({ port: server.addr.port }));
  });

  it("an abort signal closes the server", async () => {
    const ac = new AbortController();
    const server = await serveEcho({ port: 0, signal: ac.signal });
    ac.abort();
    await server.closed;
    await assert.rejects(connect({ port: server.addr.port }));
  });

  it("rejects a bad header format before binding anything", async () => {
    await assert.rejects(serveEcho({ port: 0, header: "f" }), TypeError);
    await assert.rejects(serveEcho({ port: 0, maxFrameLength: 0 }), RangeError);
    await assert.rejects(serveEcho({ port: 0, maxConnections: 0 }), RangeError);
  });

  it("closes connections beyond maxConnections and keeps serving the others", async () => {
    const errors: Error[] = [];
    await using server = await serveEcho({
      port: 0,
      maxConnections: 2,
      onError: (e) => errors.push(e),
    });
    const first = await connectEcho({ port: server.addr.port });
    await using second = await connectEcho({ port: server.addr.port });
    // Both are being served before the third arrives.
    assert.equal(dec.decode(await first.request(enc.encode("a"))), "a");
    assert.equal(dec.decode(await second.request(enc.encode("b"))), "b");
    await using third = await connectEcho({ port: server.addr.port });
    await assert.rejects(third.request(enc.encode("c")));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof TooManyConnectionsError, String(errors[0]));
    assert.equal(errors[0].limit, 2);
    assert.equal(dec.decode(await second.request(enc.encode("still"))), "still");
    // A place freed is a place for the next connection.
    await first.close();
    const deadline = Date.now() + 5_000;
    for (;;) {
      const next = await connectEcho({ port: server.addr.port });
      const reply = await next.request(enc.encode("d")).catch(() => undefined);
      await next.close();
      if (reply !== undefined) {
        assert.equal(dec.decode(reply), "d");
        break;
      }
      assert.ok(Date.now() < deadline, "no place freed within 5 s of a close");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});

describe("serveEcho / connectEcho with lines", () => {
  it("echoes lines, pipelined, uppercased on request", async () => {
    await using server = await serveEcho({ port: 0, lines: true, upper: true });
    await using client = await connectEcho({ port: server.addr.port, lines: true });
    const words = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const replies = await Promise.all(words.map((w) => client.request(enc.encode(w))));
    assert.deepEqual(replies.map((r) => dec.decode(r)), words.map((w) => w.toUpperCase()));
    assert.equal((await client.request(new Uint8Array(0))).length, 0, "an empty line");
  });

  it("takes LF and CRLF, split anywhere, answers with LF, and a last line without one", async () => {
    await using server = await serveEcho({ port: 0, lines: true });
    const sent = "one\r\ntwo\n\nthree\r\nla\rst";
    for (let cut = 0; cut <= sent.length; cut++) {
      await using conn = await connect({ port: server.addr.port });
      await conn.write(enc.encode(sent.slice(0, cut)));
      await conn.write(enc.encode(sent.slice(cut)));
      await conn.closeWrite();
      const got = await within(readText(conn), 5_000, "the replies");
      assert.equal(got, "one\ntwo\n\nthree\nla\rst\n", `cut at ${cut}`);
    }
  });

  it("a line over maxFrameLength closes that connection only and is reported once", async () => {
    const errors: Error[] = [];
    await using server = await serveEcho({
      port: 0,
      lines: true,
      maxFrameLength: 8,
      onError: (e) => errors.push(e),
    });
    await using good = await connectEcho({ port: server.addr.port, lines: true });
    assert.equal(dec.decode(await good.request(enc.encode("12345678"))), "12345678");
    await using bad = await connect({ port: server.addr.port });
    // 8 bytes and a CR may still end well ("12345678\r\n"); a tenth byte cannot.
    await bad.write(enc.encode("short\n1234567890"));
    assert.equal(await within(readText(bad), 5_000, "the bad connection's end"), "short\n");
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof FrameTooLargeError, String(errors[0]));
    assert.equal(dec.decode(await good.request(enc.encode("still"))), "still");
  });

  it("a client refuses a payload holding a newline and sends nothing", async () => {
    await using server = await serveEcho({ port: 0, lines: true });
    await using client = await connectEcho({ port: server.addr.port, lines: true });
    await assert.rejects(client.request(enc.encode("a\nb")), FramingError);
    assert.equal(dec.decode(await client.request(enc.encode("a b"))), "a b");
  });

  it("refuses a header with lines, before binding anything", async () => {
    await assert.rejects(serveEcho({ port: 0, lines: true, header: "!I" }), TypeError);
    await assert.rejects(connectEcho({ port: 1, lines: true, header: "<H" }), TypeError);
    await assert.rejects(serveEcho({ port: 0, lines: true, maxFrameLength: 0 }), RangeError);
  });
});

describe("serveEcho: a text client on a length-prefixed port", () => {
  it("reports a text header as TextOnFramedConnectionError, a binary one as before", async () => {
    const errors: Error[] = [];
    await using server = await serveEcho({ port: 0, onError: (e) => errors.push(e) });
    await using text = await connect({ port: server.addr.port });
    // The server closes at once; a reset instead of an EOF is as good.
    assert.equal(await within(request(text, "hello\n").catch(() => ""), 5_000, "close"), "");
    await using binary = await connect({ port: server.addr.port });
    await binary.write(Uint8Array.of(0x7f, 0xff, 0xff, 0xff, 0x00));
    await within(readText(binary).catch(() => ""), 5_000, "close");
    assert.equal(errors.length, 2);
    const [first, second] = errors;
    assert.ok(first instanceof TextOnFramedConnectionError, String(first));
    assert.equal(first.text, "hell");
    assert.equal(first.length, 1751477356);
    assert.match(first.message, /looks like text \("hell"\).*is the client framing\?/);
    assert.ok(
      second instanceof FrameTooLargeError && !(second instanceof TextOnFramedConnectionError),
    );
  });

  it("reads the header as the format says, and escapes control characters", () => {
    const limit = 1024;
    const text = (length: number, header: string): string | undefined => {
      const e = explainRefusedFrame(new FrameTooLargeError(length, limit), header);
      return e instanceof TextOnFramedConnectionError ? e.text : undefined;
    };
    assert.equal(text(0x47455420, "!I"), "GET ");
    assert.equal(text(0x20544547, "<I"), "GET ");
    assert.equal(text(0x0d0a0d0a, ">I"), "\r\n\r\n");
    assert.equal(text(0x6869, ">H"), "hi");
    assert.equal(text(0x6869_6869_6869, ">q"), undefined, "NUL bytes are not text");
    assert.equal(text(0x01020304, "!I"), undefined);
    assert.equal(text(200, "B"), undefined, "a 1-byte header cannot tell");
    assert.equal(text(300, "varint"), undefined);
    const message = new TextOnFramedConnectionError("\r\n\r\n", 1, 0).message;
    assert.ok(!/[\r\n]/.test(message), "no raw line break from the network");
  });
});

describe("serveEchoUdp / connectEchoUdp", () => {
  it("sends datagrams back, uppercased on request", async () => {
    await using server = await serveEchoUdp({ port: 0, upper: true });
    await using client = await connectEchoUdp({ port: server.addr.port });
    for (const word of ["hello", "über", "x".repeat(60_000)]) {
      assert.equal(
        dec.decode(await client.request(enc.encode(word))),
        word.replace(/[a-z]/g, (c) => c.toUpperCase()),
      );
    }
  });

  it("reaches an IPv4 server written as IPv4-mapped IPv6, from loopback, on every adapter", async () => {
    for (const adapter of availableAdapters()) {
      await using server = await serveEchoUdp({ port: 0, adapter });
      await using client = await connectEchoUdp({
        hostname: "::ffff:127.0.0.1",
        port: server.addr.port,
        adapter,
        timeoutMs: 5_000,
      });
      assert.equal(client.localAddr.hostname, "::ffff:127.0.0.1", adapter);
      assert.equal(dec.decode(await client.request(enc.encode("mapped"))), "mapped", adapter);
    }
  });

  it("times out when no reply comes", async () => {
    await using silent = await bindDatagram({ port: 0 });
    await using client = await connectEchoUdp({ port: silent.addr.port, timeoutMs: 100 });
    await assert.rejects(client.request(enc.encode("anyone?")), ReplyTimeoutError);
  });

  it("waits for a reply as long as asked, even longer than a timer holds", async () => {
    // Past 2^31 - 1 ms setTimeout fires at once; the wait must not end early instead.
    await using silent = await bindDatagram({ port: 0 });
    await using client = await connectEchoUdp({ port: silent.addr.port, timeoutMs: 2 ** 32 });
    const outcome = client.request(enc.encode("patience")).then(() => "reply", () => "rejected");
    const waited = new Promise((r) => setTimeout(r, 200, "still waiting"));
    assert.equal(await Promise.race([outcome, waited]), "still waiting");
  });
});

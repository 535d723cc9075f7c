// The client against servers that misbehave: each failure is a typed error, never a hang.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createFrameDecoder,
  encodeFrame,
  ExecAuthError,
  ExecClient,
  ExecProtocolError,
  listen,
  serveExec,
  type TcpConnection,
} from "../../../mod.ts";
import {
  acceptAuth,
  createGreeting,
  encodeControl,
  importTokenKey,
  parseClientFrame,
} from "../../../src/services/exec/protocol/mod.ts";
import { within } from "./_helpers.ts";

/** A fake server that greets each connection with `greeting` and then reads until EOF. */
async function fakeServer(greeting: (conn: TcpConnection) => Promise<void>) {
  return await listen({ port: 0 }, async (conn) => {
    await greeting(conn);
    for await (const _ of conn) { /* ignore what the client says */ }
    conn.close();
  });
}

function connect(port: number, timeoutMs = 5_000): Promise<ExecClient> {
  return within(ExecClient.connect({ token: "t", port, timeoutMs }), 10_000, "connect");
}

const control = (m: Parameters<typeof encodeControl>[0]): Uint8Array =>
  encodeFrame(encodeControl(m));

/** Greets as a real plaintext server, reads the client's auth (token "t") and answers `ready`. */
async function acceptOneAuth(c: TcpConnection): Promise<void> {
  const greeting = createGreeting({ tls: false, exporter: false });
  await c.write(control(greeting.hello));
  await c.write(control(greeting.bindings));
  const decoder = createFrameDecoder({ maxFrameLength: 1024 });
  const reader = c[Symbol.asyncIterator]();
  for (let frames: Uint8Array[] = []; frames.length === 0;) {
    const next = await reader.next();
    if (next.done) throw new Error("the client closed before its auth");
    frames = decoder.push(next.value);
    if (frames.length === 0) continue;
    const frame = parseClientFrame(frames[0]!);
    assert.ok(frame.kind === "control" && frame.message.type === "auth");
    const ready = await acceptAuth(await importTokenKey("t"), greeting, frame.message, {});
    assert.ok(ready !== undefined, "the client's proof is right");
    await c.write(control(ready));
  }
}

describe("exec client", () => {
  it("gives up on a server that never says hello", async () => {
    await using server = await fakeServer(async () => {});
    await assert.rejects(connect(server.addr.port, 200), (err: unknown) => {
      assert.ok(err instanceof ExecAuthError);
      assert.match(err.message, /within 200 ms/);
      return true;
    });
  });

  it("refuses a connect time limit no timer can hold, before connecting", async () => {
    // Past 2^31 - 1 ms setTimeout fires at once: connect would give up immediately.
    for (const timeoutMs of [0, 2 ** 31, 1.5]) {
      await assert.rejects(ExecClient.connect({ token: "t", port: 1, timeoutMs }), RangeError);
    }
  });

  it("refuses a server of another protocol, naming the versions, before sending anything", async () => {
    const cases: [string, RegExp][] = [
      [
        "unstuck-exec/1",
        /^the server speaks unstuck-exec\/1, an older unstuck: this client speaks unstuck-exec\/2 only \(upgrade the server\)$/,
      ],
      ["unstuck-exec/3", /^the server speaks "unstuck-exec\/3", this client unstuck-exec\/2$/],
    ];
    for (const [protocol, pattern] of cases) {
      let received = 0;
      await using server = await listen({ port: 0 }, async (c) => {
        await c.write(control({ type: "hello", protocol, nonce: btoa("n".repeat(32)) }));
        for await (const chunk of c) received += chunk.length;
        c.close();
      });
      await assert.rejects(connect(server.addr.port), (err: unknown) => {
        assert.ok(err instanceof ExecProtocolError);
        assert.match(err.message, pattern);
        return true;
      });
      await server.close({ waitForConnections: true });
      assert.equal(received, 0);
    }
  });

  it("refuses a nonce that is not base64 of 32 bytes", async () => {
    for (const nonce of [btoa("short"), "not base64!"]) {
      await using server = await fakeServer((c) =>
        c.write(control({ type: "hello", protocol: "unstuck-exec/2", nonce }))
      );
      await assert.rejects(connect(server.addr.port), /nonce is not base64 of 32 bytes/);
    }
  });

  it("reports garbage from the server as a protocol error", async () => {
    await using server = await fakeServer((c) =>
      c.write(encodeFrame(new Uint8Array([0, ...new TextEncoder().encode("{oops")])))
    );
    await assert.rejects(connect(server.addr.port), ExecProtocolError);
  });

  it("tries a server that hangs up during the handshake again, until its time limit", async () => {
    let attempts = 0;
    await using server = await listen({ port: 0 }, (c) => {
      attempts++;
      c.close();
    });
    await assert.rejects(connect(server.addr.port, 600), (err: unknown) => {
      assert.ok(err instanceof ExecAuthError);
      assert.match(err.message, /within 600 ms \(last refusal: .*closed the connection during/);
      return true;
    });
    assert.ok(attempts >= 3, `${attempts} attempts`);
  });

  it("tries a refusal before hello (a busy server) again, and reports the last one", async () => {
    const message = "too many connections awaiting authentication";
    let attempts = 0;
    await using server = await fakeServer((c) => {
      attempts++;
      return c.write(control({ type: "error", message }));
    });
    await assert.rejects(connect(server.addr.port, 600), (err: unknown) => {
      assert.ok(err instanceof ExecAuthError);
      assert.match(err.message, /within 600 ms \(last refusal: too many connections awaiting/);
      return true;
    });
    assert.ok(attempts >= 3, `${attempts} attempts`);
  });

  it("gets in once a busy server has room, within its time limit", async () => {
    let refusals = 3;
    await using server = await fakeServer(async (c) => {
      if (refusals-- > 0) {
        await c.write(
          control({ type: "error", message: "too many connections awaiting authentication" }),
        );
        return;
      }
      await acceptOneAuth(c);
    });
    await using client = await connect(server.addr.port, 5_000);
    assert.ok(client instanceof ExecClient);
    assert.equal(refusals, -1);
  });

  it("does not try a refused token or a refused connection again", async () => {
    let attempts = 0;
    await using server = await fakeServer(async (c) => {
      attempts++;
      const greeting = createGreeting({ tls: false, exporter: false });
      await c.write(control(greeting.hello));
      await c.write(control(greeting.bindings));
      await c.write(control({ type: "error", message: "authentication failed" }));
    });
    await assert.rejects(connect(server.addr.port), /^ExecAuthError: authentication failed$/);
    assert.equal(attempts, 1);
    const closed = await listen({ port: 0 }, (c) => c.close());
    const port = closed.addr.port;
    await closed.close();
    const started = performance.now();
    await assert.rejects(connect(port, 5_000), (err: unknown) => !(err instanceof ExecAuthError));
    assert.ok(performance.now() - started < 4_000, "a refused connection is not tried again");
  });

  it("rejects bad run options before sending them", async () => {
    await using server = await serveExec({ token: "t", port: 0 });
    await using client = await connect(server.addr.port);
    await assert.rejects(client.run({}), TypeError);
    await assert.rejects(client.run({ argv: ["a"], shell: "a" }), TypeError);
    await assert.rejects(client.run({ argv: [] }), /bad run options: .*non-empty array/);
    await assert.rejects(client.run({ argv: ["a\0b"] }), /free of NUL/);
    await assert.rejects(client.run({ shell: "" }), /non-empty/);
    await assert.rejects(client.run({ argv: ["a"], timeoutMs: 0.5 }), /positive integer/);
  });
});

// A man in the middle that relays an unstuck-exec/2 handshake and then sends a run of its own:
// a TLS-terminating proxy whose certificate the client trusts, forwarding each handshake message
// to the real server over a second TLS connection. The channel binding makes the client's proof
// fail at the server, so nothing runs. The same proxy succeeds where nothing is bound (both legs
// plaintext), and, holding the server's own certificate and key, where only the certificate is
// bound (Deno's TLS has no exporter) — the limits docs/PROTOCOL.md states. Editing the offer to
// push an exporter-capable client down to certificate binding fails too.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  connect,
  createFrameDecoder,
  encodeFrame,
  ExecAuthError,
  ExecClient,
  type ExecServer,
  type ExecServerEvent,
  listen,
  type TcpConnection,
  type TcpServer,
  type TlsClientOptions,
  type TlsServerOptions,
} from "../../../mod.ts";
import {
  encodeControl,
  parseServerFrame,
  type ServerControlMessage,
} from "../../../src/services/exec/protocol/mod.ts";
import { startServer, tempDir, TOKEN, within } from "./_helpers.ts";
import { hasExporter, pin, serveWith, testCerts } from "../_tls.ts";

const tmp = tempDir();
after(() => tmp.remove());
const certs = testCerts();

/** What the relay got out of one client's handshake. */
interface Outcome {
  /** The server's answer to the relayed auth: "ready", or its error message. */
  answer: string;
  /** The relay's own run was executed (the marker file exists). */
  ran: boolean;
  /** What the honest client was told. */
  client: unknown;
}

/** How the relay may change a message from the server before the client sees it. */
type Rewrite = (m: ServerControlMessage) => ServerControlMessage;

/**
 * A relay between clients (served with `front`, or plaintext) and the exec server at `port`
 * (reached with `back`, or plaintext). It forwards the server's messages to the client (through
 * `rewrite`), the client's first frame (its auth) to the server and nothing after it; once the
 * server says `ready`, it sends its own `run` touching `marker`.
 */
async function relay(
  port: number,
  marker: string,
  front: TlsServerOptions | undefined,
  back: TlsClientOptions | undefined,
  rewrite: Rewrite = (m) => m,
): Promise<{ server: TcpServer; answer: Promise<string> }> {
  let settle!: (answer: string) => void;
  const answer = new Promise<string>((resolve) => (settle = resolve));
  const server = await listen({ port: 0, tls: front }, async (client: TcpConnection) => {
    const upstream = await connect({ port, tls: back });
    const toClient = (async () => {
      const decoder = createFrameDecoder({ header: "!I" });
      for await (const chunk of upstream) {
        for (const payload of decoder.push(chunk)) {
          const frame = parseServerFrame(payload);
          if (frame.kind !== "control") continue;
          const m = frame.message;
          if (m.type === "ready") {
            settle("ready");
            await upstream.write(
              encodeFrame(encodeControl({ type: "run", argv: ["touch", marker] })),
            );
          } else if (m.type === "error") settle(m.message);
          else if (m.type === "exit") upstream.close();
          await client.write(encodeFrame(encodeControl(rewrite(m)))).catch(() => {});
        }
      }
      settle("closed");
    })();
    const decoder = createFrameDecoder({ header: "!I" });
    let forwarded = false;
    for await (const chunk of client) {
      for (const payload of decoder.push(chunk)) {
        if (!forwarded) await upstream.write(encodeFrame(payload));
        forwarded = true;
      }
    }
    await toClient.catch(() => {});
    client.close();
    upstream.close();
  });
  return { server, answer };
}

/** Runs one honest client through a relay set up by `setUp`; returns what the relay achieved. */
async function attempt(
  name: string,
  options: {
    serverTls?: TlsServerOptions;
    front?: TlsServerOptions;
    back?: TlsClientOptions;
    client?: TlsClientOptions;
    rewrite?: Rewrite;
  },
): Promise<Outcome & { events: ExecServerEvent[] }> {
  const events: ExecServerEvent[] = [];
  const marker = join(tmp.dir, name);
  const server: ExecServer = await startServer({
    tls: options.serverTls,
    authFailureDelayMs: 0,
    onEvent: (e) => events.push(e),
  });
  const mitm = await relay(server.addr.port, marker, options.front, options.back, options.rewrite);
  let client: unknown;
  try {
    const c = await within(
      ExecClient.connect({ token: TOKEN, port: mitm.server.addr.port, tls: options.client }),
      5_000,
      "the client's connect",
    );
    client = "connected";
    c.close();
  } catch (err) {
    client = err;
  }
  const answer = await within(mitm.answer, 5_000, "the server's answer to the relayed auth");
  // The relay's run, if the server took it, has ended by the time the relay closes.
  await within(mitm.server.close({ waitForConnections: true }), 5_000, "the relay's end");
  await within(server.close(), 5_000, "the server's close");
  return { answer, ran: existsSync(marker), client, events };
}

describe("exec v2 over TLS: a relayed handshake runs nothing", () => {
  const real = serveWith(certs.pinned);

  it("a TLS-terminating relay with its own certificate (trusted by the client) is refused", async () => {
    const r = await attempt("own-cert", {
      serverTls: real,
      front: serveWith(certs.other),
      back: pin(certs.pinned),
      client: pin(certs.other),
    });
    assert.equal(r.answer, "authentication failed");
    assert.equal(r.ran, false, "the relay's command ran");
    assert.ok(r.client instanceof ExecAuthError, String(r.client));
    assert.match(r.client.message, /authentication failed/);
    assert.deepEqual(r.events.filter((e) => e.kind === "command"), []);
    assert.deepEqual(
      r.events.map((e) => e.kind === "rejected" && e.reason),
      ["authentication failed"],
    );
  });

  it("the same relay succeeds where nothing is bound: both legs plaintext", async () => {
    const r = await attempt("plaintext", {});
    assert.equal(r.answer, "ready");
    assert.equal(r.ran, true, "the relay's command did not run: the test could not see one");
  });

  // With the server's own certificate and key the relay shows the client what the server shows:
  // certificate binding cannot tell the two connections apart, the exporter can.
  it(
    hasExporter()
      ? "a relay holding the server's key is refused too: the exporter is bound (Node, Bun)"
      : "a relay holding the server's key gets through: Deno binds only the certificate",
    async () => {
      const r = await attempt("stolen-key", {
        serverTls: real,
        front: real,
        back: pin(certs.pinned),
        client: pin(certs.pinned),
      });
      assert.equal(r.answer, hasExporter() ? "authentication failed" : "ready");
      assert.equal(r.ran, !hasExporter());
    },
  );

  it("a relay holding the server's key cannot strip the exporter from the offer", async () => {
    const r = await attempt("downgrade", {
      serverTls: real,
      front: real,
      back: pin(certs.pinned),
      client: pin(certs.pinned),
      rewrite: (m) => m.type === "bindings" ? { ...m, offer: ["tls-server-cert"] } : m,
    });
    // Deno offers no exporter to strip: the relay gets through as above, the offer unchanged.
    assert.equal(r.answer, hasExporter() ? "authentication failed" : "ready");
    assert.equal(r.ran, !hasExporter());
  });
});

describe("exec v2: the relay's own connection to the server is an honest one", () => {
  let server: ExecServer;
  before(async () => (server = await startServer({ tls: serveWith(certs.pinned) })));
  after(() => within(server.close(), 5_000, "server close"));

  it("so the refusals above come from the binding, not from the relay's TLS", async () => {
    await using c = await within(
      ExecClient.connect({ token: TOKEN, port: server.addr.port, tls: pin(certs.pinned) }),
      5_000,
      "connect",
    );
    assert.equal((await c.run({ argv: ["true"] })).code, 0);
  });
});

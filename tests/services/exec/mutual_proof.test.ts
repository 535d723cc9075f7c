// unstuck-exec/2's mutual proof, from the client's side: a server that does not hold the token
// cannot make the client send anything after its auth (no run, no stdin), however it answers; the
// same fake server with the token gets the client's run, so the check can see one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeFrames,
  encodeFrame,
  ExecAuthError,
  ExecClient,
  ExecProtocolError,
  listen,
  type TcpConnection,
} from "../../../mod.ts";
import {
  acceptAuth,
  createGreeting,
  encodeControl,
  importTokenKey,
  parseClientFrame,
  type ReadyMessage,
  type ServerControlMessage,
  signProof,
} from "../../../src/services/exec/protocol/mod.ts";
import { within } from "./_helpers.ts";

const TOKEN = "the client's token";
const PLAINTEXT = { tls: false, exporter: false };

const send = (c: TcpConnection, m: ServerControlMessage): Promise<void> =>
  c.write(encodeFrame(encodeControl(m)));

/** How a fake server answers a client's auth (its `ready`), knowing the auth and the right one. */
type Answer = (
  auth: { mac: string },
  right: ReadyMessage,
) => ServerControlMessage | Promise<ServerControlMessage>;

/**
 * A fake exec server that greets as a real one, answers the auth with `answer`, and counts the
 * frames the client sends after its auth. Runs one client, then reports.
 */
async function trial(
  answer: Answer,
  offer?: string[],
): Promise<{ error: unknown; after: string[] }> {
  const key = await importTokenKey(TOKEN);
  const after: string[] = [];
  let served!: Promise<void>;
  await using server = await listen({ port: 0 }, (conn) => {
    served = (async () => {
      const greeting = createGreeting(PLAINTEXT);
      await send(conn, greeting.hello);
      await send(conn, { ...greeting.bindings, offer: offer ?? greeting.bindings.offer });
      let authenticated = false;
      for await (const payload of decodeFrames(conn)) {
        const frame = parseClientFrame(payload);
        if (authenticated) {
          after.push(frame.kind === "control" ? frame.message.type : frame.kind);
          if (frame.kind === "control" && frame.message.type === "run") {
            await send(conn, {
              type: "exit",
              code: 0,
              signal: null,
              timedOut: false,
              truncated: false,
            });
          }
          continue;
        }
        assert.ok(frame.kind === "control" && frame.message.type === "auth");
        const right = await acceptAuth(key, greeting, frame.message, {});
        assert.ok(right !== undefined, "the client's own proof is right");
        await send(conn, await answer(frame.message, right));
        authenticated = true;
      }
      conn.close();
    })();
  });
  let error: unknown;
  try {
    await using client = await within(
      ExecClient.connect({ token: TOKEN, port: server.addr.port }),
      5_000,
      "connect",
    );
    await within(client.run({ argv: ["true"], stdin: new Uint8Array([1, 2, 3]) }), 5_000, "run");
  } catch (err) {
    error = err;
  }
  await within(served, 5_000, "the fake server's end");
  return { error, after };
}

describe("exec v2: the client checks the server's proof before it sends anything more", () => {
  it("sends its run and stdin to a server that proves it holds the token (the control)", async () => {
    const { error, after } = await trial((_auth, right) => right);
    assert.equal(error, undefined);
    assert.deepEqual(after, ["run", "stdin", "stdin-end"]);
  });

  const forged: [string, Answer][] = [
    ["a random MAC", () => ({ type: "ready", mac: btoa("r".repeat(32)) })],
    ["the client's own MAC sent back", (auth) => ({ type: "ready", mac: auth.mac })],
    ["no MAC at all", () => ({ type: "ready" }) as unknown as ServerControlMessage],
    ["a MAC that is not base64 of 32 bytes", () => ({ type: "ready", mac: "AAAA" })],
    [
      "a proof under another token",
      async (_auth, right) => {
        // Everything right but the key: what a server with the wrong token would send.
        void right;
        const other = await importTokenKey("another token");
        return {
          type: "ready",
          mac: await signProof(other, "server", {
            serverNonce: new Uint8Array(32),
            clientNonce: new Uint8Array(32),
            offer: ["none"],
            binding: "none",
            channelBinding: new Uint8Array(0),
          }),
        };
      },
    ],
  ];
  for (const [what, answer] of forged) {
    it(`sends nothing to a server that answers with ${what}`, async () => {
      const { error, after } = await trial(answer);
      assert.ok(
        error instanceof ExecAuthError || error instanceof ExecProtocolError,
        `expected an auth or protocol error, got ${error}`,
      );
      if (error instanceof ExecAuthError) {
        assert.match(error.message, /server's proof is wrong/);
      }
      assert.deepEqual(after, [], "the client sent something after its auth");
    });
  }

  it("gives up on an offer it cannot use, before any auth", async () => {
    const { error, after } = await trial((_a, right) => right, ["tls-exporter"]);
    assert.ok(error instanceof ExecProtocolError);
    assert.match(error.message, /adds TLS/);
    assert.deepEqual(after, []);
  });
});

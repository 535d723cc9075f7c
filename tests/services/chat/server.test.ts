// The chat room on a real UDP socket, through the library: serveChat and joinChat.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChatClient, joinChat, serveChat } from "../../../src/services/chat/mod.ts";
import { ConnectionClosedError } from "../../../src/runtime/errors.ts";
import { withTimeout } from "../../../src/services/timeout.ts";
import { bindDatagram } from "../../../src/runtime/adapter.ts";
import type { DatagramSocket } from "../../../src/runtime/types.ts";
import { CHAT_IDLE_NOTICE } from "../../../src/services/chat/room.ts";

/** Collects a client's lines in the background. */
function collect(
  client: ChatClient,
): { lines: string[]; ended: Promise<void>; until(line: string, count?: number): Promise<void> } {
  const lines: string[] = [];
  const ended = (async () => {
    for await (const line of client) lines.push(line);
  })();
  return {
    lines,
    ended,
    /** Waits until `line` has arrived `count` times. */
    async until(line: string, count = 1): Promise<void> {
      const deadline = Date.now() + 5_000;
      while (lines.filter((l) => l === line).length < count) {
        if (Date.now() > deadline) throw new Error(`never got ${line}: ${JSON.stringify(lines)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/**
 * A room played by the test: it records what clients send (their `/join` hellos and keepalives
 * only counted) and says what it is told to.
 */
class FakeRoom implements AsyncDisposable {
  readonly received: string[] = [];
  hellos = 0;
  readonly #done: Promise<void>;
  private constructor(readonly socket: DatagramSocket) {
    this.#done = (async () => {
      for await (const { data } of socket) {
        const text = new TextDecoder().decode(data);
        if (text.trim() === "/join") this.hellos++;
        else this.received.push(text);
      }
    })();
  }
  static async open(): Promise<FakeRoom> {
    return new FakeRoom(await bindDatagram({ hostname: "127.0.0.1", port: 0 }));
  }
  get port(): number {
    return this.socket.addr.port;
  }
  /** Sends each line to the client, in order. */
  async say(client: ChatClient, ...lines: string[]): Promise<void> {
    for (const line of lines) {
      await this.socket.send(new TextEncoder().encode(line), client.localAddr);
    }
  }
  /** A client (no keepalive) that joined as `name`, which this room confirmed. */
  async confirmed(name: string): Promise<Member> {
    const client = await joinChat({ port: this.port, name, keepaliveMs: 0 });
    const heard = collect(client);
    await this.until([`/nick ${name}`]);
    await this.say(client, `* you are now ${name}`);
    await heard.until(`* you are now ${name}`);
    return { client, heard, [Symbol.asyncDispose]: () => client.close() };
  }
  /** Waits until the room has received as many datagrams as expected (bounded), then compares. */
  async until(expected: string[]): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (this.received.length < expected.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(this.received, expected);
  }
  async [Symbol.asyncDispose](): Promise<void> {
    this.socket.close();
    await this.#done;
  }
}

/** A client, what it has heard so far, and disposal that closes it. */
type Member = { client: ChatClient; heard: ReturnType<typeof collect> } & AsyncDisposable;

/** Joins the room on `port` as `name` and waits until the room has confirmed the name. */
async function member(port: number, name: string): Promise<Member> {
  const client = await joinChat({ port, name });
  const heard = collect(client);
  await heard.until(`* you are now ${name}`);
  return { client, heard, [Symbol.asyncDispose]: () => client.close() };
}

describe("serveChat / joinChat", () => {
  it("relays lines, announces, and keeps a transcript", async () => {
    const transcript: string[] = [];
    await using server = await serveChat({ port: 0, onLine: (l) => transcript.push(l) });
    await using ann = await joinChat({ port: server.addr.port, name: "ann" });
    const annLines = collect(ann);
    await annLines.until("* you are now ann");
    await using ben = await joinChat({ port: server.addr.port, name: "ben" });
    const benLines = collect(ben);
    await benLines.until("* you are now ben");
    await ben.send("hi ann");
    await annLines.until("ben: hi ann");
    await server.announce("closing soon");
    await benLines.until("server: closing soon");
    await annLines.until("server: closing soon");
    assert.deepEqual(server.room.peers().map((p) => p.name).sort(), ["ann", "ben"]);
    await ben.close();
    await annLines.until("* ben left");
    assert.ok(transcript.includes("ben: hi ann"));
    assert.ok(transcript.includes("* ben left"));
  });

  it("drops idle members on its own timer; a keepalive keeps a listener in", async () => {
    await using server = await serveChat({ port: 0, idleMs: 300 });
    await using listener = await joinChat({
      port: server.addr.port,
      name: "listener",
      keepaliveMs: 100,
    });
    const heard = collect(listener);
    await using _sleeper = await joinChat({
      port: server.addr.port,
      name: "sleeper",
      keepaliveMs: 0,
    });
    await heard.until("* sleeper left (idle)");
    assert.deepEqual(server.room.peers().map((p) => p.name), ["listener"]);
  });

  it("send('/quit') leaves as close() does: iteration ends, later sends fail", async () => {
    await using server = await serveChat({ port: 0 });
    await using stay = await member(server.addr.port, "stay");
    await using quitter = await member(server.addr.port, "quitter");
    await quitter.client.send("/quit\n");
    await stay.heard.until("* quitter left");
    await withTimeout(quitter.heard.ended, 5_000);
    await assert.rejects(quitter.client.send("still here"), ConnectionClosedError);
    await quitter.client.close(); // idempotent
    await stay.client.send("/who");
    await stay.heard.until("* in room: stay");
    assert.deepEqual(server.room.peers().map((p) => p.name), ["stay"]);
  });

  it("leave() waits for the replies to what was sent, hides its marker's, then quits", async () => {
    await using room = await FakeRoom.open();
    await using member = await room.confirmed("ann");
    await member.client.send("/who"); // the user's own: its reply is shown
    await room.until(["/nick ann", "/who"]);
    await room.say(member.client, "* in room: ann");
    await member.heard.until("* in room: ann");
    await member.client.send("hello");
    const leaving = member.client.leave({ timeoutMs: 10_000 });
    // The marker goes out after everything sent before; the room answers all of it, in order.
    await room.until(["/nick ann", "/who", "hello", "/who"]);
    await room.say(member.client, "ann: hello", "* in room: ann");
    await withTimeout(leaving, 5_000);
    await withTimeout(member.heard.ended, 5_000);
    assert.deepEqual(member.heard.lines, ["* you are now ann", "* in room: ann", "ann: hello"]);
    await room.until(["/nick ann", "/who", "hello", "/who", "/quit"]);
    await assert.rejects(member.client.send("still here"), ConnectionClosedError);
  });

  it("leave() quits after timeoutMs when the marker's reply never comes", async () => {
    await using room = await FakeRoom.open();
    await using member = await room.confirmed("ben");
    await withTimeout(member.client.leave({ timeoutMs: 200 }), 5_000);
    await withTimeout(member.heard.ended, 5_000);
    await room.until(["/nick ben", "/who", "/quit"]);
  });

  it("a member the room dropped for idleness is told, and takes its name back", async () => {
    await using server = await serveChat({ port: 0, idleMs: 800 });
    await using sleepy = await joinChat({ port: server.addr.port, name: "sleepy", keepaliveMs: 0 });
    const heard = collect(sleepy);
    await heard.until("* you are now sleepy");
    await heard.until("* you left (idle)");
    await heard.until("* you are now sleepy", 2);
    await sleepy.send("back");
    await heard.until("sleepy: back");
    assert.ok(!heard.lines.some((l) => l.startsWith("127.0.0.1:")), JSON.stringify(heard.lines));
  });

  it("a member the room forgot (a restart) is told it joined afresh, and takes its name back", async () => {
    const first = await serveChat({ port: 0 });
    const port = first.addr.port;
    await using alice = await joinChat({ port, name: "alice", keepaliveMs: 100 });
    const heard = collect(alice);
    await heard.until("* you are now alice");
    await first.close();
    const before = heard.lines.length;
    await using second = await serveChat({ port });
    // Her next keepalive joins her under her address; she answers the notice with her name.
    await heard.until("* you are now alice", 2);
    const after = heard.lines.slice(before);
    assert.ok(after.some((l) => l.startsWith("* you joined as 127.0.0.1:")), after.join());
    assert.deepEqual(second.room.peers().map((p) => p.name), ["alice"]);
    await using bob = await member(port, "bob");
    await alice.send("back");
    await bob.heard.until("alice: back");
  });

  it("ignores datagrams that do not come from the room", async () => {
    await using server = await serveChat({ port: 0 });
    await using alice = await member(server.addr.port, "alice");
    await using bob = await member(server.addr.port, "bob");
    // A stranger claims alice was renamed and dropped: she must not act on it.
    await using stranger = await bindDatagram({ hostname: "127.0.0.1", port: 0 });
    for (const line of ["* you are now mallory", CHAT_IDLE_NOTICE]) {
      await stranger.send(new TextEncoder().encode(line), alice.client.localAddr);
    }
    await alice.client.send("/who");
    await alice.heard.until("* in room: alice, bob");
    await alice.client.send("hi");
    await bob.heard.until("alice: hi");
    assert.ok(!alice.heard.lines.includes(CHAT_IDLE_NOTICE), JSON.stringify(alice.heard.lines));
    assert.ok(!bob.heard.lines.some((l) => l.includes("mallory")), JSON.stringify(bob.heard.lines));
  });

  it("joins again after idle notices at most once a second", async () => {
    // A fake room that sends a burst of idle notices and counts the client's joins.
    await using room = await FakeRoom.open();
    await using client = await joinChat({ port: room.port, keepaliveMs: 0 });
    const lines = collect(client);
    await room.say(client, ...Array<string>(20).fill(CHAT_IDLE_NOTICE));
    await lines.until(CHAT_IDLE_NOTICE, 20);
    await new Promise((r) => setTimeout(r, 200));
    // One join at once (after the first hello), at most one more deferred: never one per notice.
    const joins = room.hellos - 1;
    assert.ok(joins >= 1 && joins <= 2, `${joins} joins`);
  });

  it("keeps a /nick the user sent when the room greets the client as a newcomer", async () => {
    await using room = await FakeRoom.open();
    await using alice = await room.confirmed("alice");
    const { client, heard: lines } = alice;
    // The room restarted: the user's own /nick is what joins her, and it must stand.
    await client.send("/nick carol");
    await room.until(["/nick alice", "/nick carol"]);
    await room.say(client, "* you joined as 127.0.0.1:1", "* you are now carol");
    await lines.until("* you are now carol");
    await client.send("/who"); // a marker: any /nick answering the notice would come before it
    await room.until(["/nick alice", "/nick carol", "/who"]);
  });

  it("a client without a name does not answer a join notice", async () => {
    await using room = await FakeRoom.open();
    await using client = await joinChat({ port: room.port, keepaliveMs: 0 });
    const lines = collect(client);
    await room.say(client, "* you joined as 127.0.0.1:1");
    await lines.until("* you joined as 127.0.0.1:1");
    await client.send("hi");
    await room.until(["hi"]);
  });

  it("after an idle drop asks once for a name that was taken meanwhile", async () => {
    await using room = await FakeRoom.open();
    await using bob = await room.confirmed("bob");
    const { client, heard: lines } = bob;
    await room.say(client, CHAT_IDLE_NOTICE);
    await room.until(["/nick bob", "/nick bob"]);
    await room.say(client, "* you joined as 127.0.0.1:1", "* error: the name bob is taken");
    await lines.until("* error: the name bob is taken");
    // Longer than the rejoin interval: a retry answering the join notice would be out by now.
    await new Promise((r) => setTimeout(r, 1_300));
    await client.send("/who");
    await room.until(["/nick bob", "/nick bob", "/who"]);
  });

  it("takes idle and keepalive times longer than a timer holds, without spinning", async () => {
    // Past 2^31 - 1 ms setTimeout fires at once: the room's expiry timer would run again and
    // again, and the client's keepalive would flood the room with datagrams.
    const long = 2 ** 31 + 1_000;
    await using server = await serveChat({ port: 0, idleMs: long });
    let expiries = 0;
    const expire = server.room.expire.bind(server.room);
    server.room.expire = () => (expiries++, expire());
    await using client = await joinChat({
      port: server.addr.port,
      name: "patient",
      keepaliveMs: long,
    });
    await collect(client).until("* you are now patient");
    await new Promise((r) => setTimeout(r, 200));
    // Twice, for the hello and the /nick datagram; neither timer has fired.
    assert.equal(expiries, 2);
    assert.deepEqual(server.room.peers().map((p) => p.name), ["patient"]);
  });
});

// The chat room's rules, driven without a network: datagrams in, datagrams out, a fake clock.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ChatRoom, type ChatRoomOptions } from "../../../src/services/chat/room.ts";
import { formatAddress } from "../../../src/runtime/shared/address.ts";
import type { NetAddress } from "../../../src/runtime/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const addr = (port: number): NetAddress => ({ hostname: "127.0.0.1", port });
const A = addr(5001);
const B = addr(5002);
const C = addr(5003);

/** A room with a clock the test moves, and a helper that renders output as `port <- line`. */
function setup(options: ChatRoomOptions = {}) {
  let now = 1_000;
  const lines: string[] = [];
  const room = new ChatRoom({ now: () => now, onLine: (l) => lines.push(l), ...options });
  const render = (out: { to: NetAddress; data: Uint8Array }[]): string[] =>
    out.map((p) => `${p.to.port} <- ${dec.decode(p.data)}`);
  return {
    room,
    lines,
    tick: (ms: number) => (now += ms),
    send: (from: NetAddress, text: string | Uint8Array): string[] =>
      render(room.receive(typeof text === "string" ? enc.encode(text) : text, from)),
    expire: (): string[] => render(room.expire()),
    announce: (text: string): string[] => render(room.announce(text)),
  };
}

describe("ChatRoom: joining and talking", () => {
  it("a first datagram joins; text goes to everyone, the sender included, as 'N: T'", () => {
    const t = setup();
    assert.deepEqual(t.send(A, "hello"), [
      "5001 <- * you joined as 127.0.0.1:5001",
      "5001 <- 127.0.0.1:5001: hello",
    ]);
    assert.deepEqual(t.send(B, "hi"), [
      "5001 <- * 127.0.0.1:5002 joined",
      "5002 <- * you joined as 127.0.0.1:5002",
      "5001 <- 127.0.0.1:5002: hi",
      "5002 <- 127.0.0.1:5002: hi",
    ]);
    assert.equal(t.room.size, 2);
    assert.deepEqual(t.lines, [
      "* 127.0.0.1:5001 joined",
      "127.0.0.1:5001: hello",
      "* 127.0.0.1:5002 joined",
      "127.0.0.1:5002: hi",
    ]);
  });

  it("an empty datagram joins (and the newcomer is told) or keeps alive, and says nothing else", () => {
    const t = setup();
    assert.deepEqual(t.send(A, ""), ["5001 <- * you joined as 127.0.0.1:5001"]);
    assert.deepEqual(t.send(B, "\n"), [
      "5001 <- * 127.0.0.1:5002 joined",
      "5002 <- * you joined as 127.0.0.1:5002",
    ]);
    assert.deepEqual(t.send(A, ""), []);
    assert.equal(t.room.size, 2);
  });

  it("ignores one trailing newline and prefixes every further line", () => {
    const t = setup();
    t.send(A, "/nick a");
    assert.deepEqual(t.send(A, "one\r\n"), ["5001 <- a: one"]);
    assert.deepEqual(t.send(A, "x\n* b left\n"), ["5001 <- a: x\na: * b left"]);
  });

  it("formats IPv6 addresses with brackets", () => {
    assert.equal(formatAddress({ hostname: "::1", port: 9 }), "[::1]:9");
    const t = setup();
    assert.deepEqual(t.send({ hostname: "::1", port: 7 }, "x"), [
      "7 <- * you joined as [::1]:7",
      "7 <- [::1]:7: x",
    ]);
  });

  it("treats the same host on another port as another peer", () => {
    const t = setup();
    t.send(A, "");
    t.send(addr(6001), "");
    assert.equal(t.room.size, 2);
  });

  it("announce() sends 'server: T' to everyone", () => {
    const t = setup();
    t.send(A, "");
    t.send(B, "");
    assert.deepEqual(t.announce("maintenance at noon\n"), [
      "5001 <- server: maintenance at noon",
      "5002 <- server: maintenance at noon",
    ]);
    assert.deepEqual(t.lines.at(-1), "server: maintenance at noon");
  });

  it("refuses a message too long for one datagram", () => {
    const t = setup();
    t.send(A, "");
    assert.deepEqual(t.send(A, "x".repeat(65_500)), ["5001 <- * error: message too long"]);
    assert.equal(t.send(A, "x".repeat(65_400)).length, 1);
    assert.throws(() => t.room.announce("x".repeat(65_500)), RangeError);
  });
});

describe("ChatRoom: /nick", () => {
  it("tells the sender and the others in their own words", () => {
    const t = setup();
    t.send(A, "");
    t.send(B, "");
    assert.deepEqual(t.send(A, "/nick alice"), [
      "5001 <- * you are now alice",
      "5002 <- * 127.0.0.1:5001 is now alice",
    ]);
    assert.deepEqual(t.send(A, "/nick ålice"), [
      "5001 <- * you are now ålice",
      "5002 <- * alice is now ålice",
    ]);
    assert.deepEqual(t.send(A, "hey"), ["5002 <- ålice: hey", "5001 <- ålice: hey"]);
  });

  it("accepts 32 characters (not bytes) and refuses 33", () => {
    const t = setup();
    const long = "é".repeat(32);
    assert.deepEqual(t.send(A, `/nick ${long}`), [
      "5001 <- * you joined as 127.0.0.1:5001",
      `5001 <- * you are now ${long}`,
    ]);
    const [reply] = t.send(A, `/nick ${"a".repeat(33)}`);
    assert.match(reply, /^5001 <- \* error: /);
    assert.equal(t.room.peers()[0].name, long);
  });

  for (
    const [what, command] of [
      ["no name", "/nick"],
      ["only spaces", "/nick   "],
      ["whitespace", "/nick a b"],
      ["a tab", "/nick a\tb"],
      ["a control character", "/nick a\u0007b"],
      ["a colon", "/nick 10.0.0.1:80"],
      ["the reserved name", "/nick server"],
      ["the reserved name 'you'", "/nick you"],
    ]
  ) {
    it(`refuses ${what} with '* error:' and changes nothing`, () => {
      const t = setup();
      t.send(A, "/nick a");
      t.send(B, "");
      const out = t.send(A, command);
      assert.equal(out.length, 1);
      assert.match(out[0], /^5001 <- \* error: /);
      assert.deepEqual(t.room.peers().map((p) => p.name).sort(), ["127.0.0.1:5002", "a"]);
    });
  }

  it("refuses a name in use and frees an old name for others", () => {
    const t = setup();
    t.send(A, "/nick bob");
    t.send(B, "");
    assert.deepEqual(t.send(B, "/nick bob"), ["5002 <- * error: the name bob is taken"]);
    t.send(A, "/nick robert");
    assert.deepEqual(t.send(B, "/nick bob"), [
      "5002 <- * you are now bob",
      "5001 <- * 127.0.0.1:5002 is now bob",
    ]);
  });

  it("taking one's own name again only confirms it", () => {
    const t = setup();
    t.send(A, "/nick a");
    t.send(B, "");
    assert.deepEqual(t.send(A, "/nick a"), ["5001 <- * you are now a"]);
  });

  it("frees the name of a peer that quit", () => {
    const t = setup();
    t.send(A, "/nick a");
    t.send(A, "/quit");
    assert.deepEqual(t.send(B, "/nick a"), [
      "5002 <- * you joined as 127.0.0.1:5002",
      "5002 <- * you are now a",
    ]);
  });
});

describe("ChatRoom: /who and /quit", () => {
  it("/who lists everyone, sorted, to the sender only", () => {
    const t = setup();
    t.send(A, "/nick zed");
    t.send(B, "/nick amy");
    t.send(C, "");
    assert.deepEqual(t.send(C, "/who"), ["5003 <- * in room: 127.0.0.1:5003, amy, zed"]);
  });

  it("/who as a first datagram joins and lists the newcomer too", () => {
    const t = setup();
    t.send(A, "/nick a");
    assert.deepEqual(t.send(B, "/who"), [
      "5001 <- * 127.0.0.1:5002 joined",
      "5002 <- * you joined as 127.0.0.1:5002",
      "5002 <- * in room: 127.0.0.1:5002, a",
    ]);
  });

  it("/quit removes the sender and tells the others", () => {
    const t = setup();
    t.send(A, "/nick a");
    t.send(B, "");
    assert.deepEqual(t.send(A, "/quit"), ["5002 <- * a left"]);
    assert.equal(t.room.size, 1);
    assert.deepEqual(t.send(B, "still here?"), ["5002 <- 127.0.0.1:5002: still here?"]);
  });

  it("/quit from a stranger does nothing at all", () => {
    const t = setup();
    t.send(A, "");
    assert.deepEqual(t.send(B, "/quit"), []);
    assert.equal(t.room.size, 1);
  });

  it("a peer that quit and writes again joins again", () => {
    const t = setup();
    t.send(A, "/nick a");
    t.send(B, "");
    t.send(A, "/quit");
    assert.deepEqual(t.send(A, "back"), [
      "5002 <- * 127.0.0.1:5001 joined",
      "5001 <- * you joined as 127.0.0.1:5001",
      "5002 <- 127.0.0.1:5001: back",
      "5001 <- 127.0.0.1:5001: back",
    ]);
  });

  for (const command of ["/who everyone", "/quit now"]) {
    it(`'${command}' is an error and changes nothing`, () => {
      const t = setup();
      t.send(A, "");
      assert.deepEqual(t.send(A, command).length, 1);
      assert.match(t.send(A, command)[0], /^5001 <- \* error: /);
      assert.equal(t.room.size, 1);
    });
  }
});

describe("ChatRoom: errors", () => {
  it("an unknown command gets '* error:' and nothing else happens", () => {
    const t = setup();
    t.send(A, "");
    t.send(B, "");
    for (const text of ["/shout hi", "/", "/NICK a", "/path/to/file"]) {
      const out = t.send(A, text);
      assert.equal(out.length, 1, text);
      assert.match(out[0], /^5001 <- \* error: unknown command /);
    }
    assert.equal(t.room.size, 2);
  });

  it("invalid UTF-8 gets '* error:', is not relayed, and does not join", () => {
    const t = setup();
    t.send(A, "");
    const bad = [
      Uint8Array.of(0xff),
      Uint8Array.of(0x68, 0x69, 0xc3), // truncated sequence
      Uint8Array.of(0xed, 0xa0, 0x80), // a lone surrogate, encoded
      Uint8Array.of(0xc0, 0xaf), // overlong '/'
    ];
    for (const bytes of bad) {
      assert.deepEqual(t.send(B, bytes), ["5002 <- * error: message is not valid UTF-8"]);
      assert.deepEqual(t.send(A, bytes), ["5001 <- * error: message is not valid UTF-8"]);
    }
    assert.equal(t.room.size, 1);
    assert.deepEqual(t.lines, ["* 127.0.0.1:5001 joined"]);
  });

  it("keeps a byte-order mark as text instead of stripping it", () => {
    const t = setup();
    assert.deepEqual(t.send(A, Uint8Array.of(0xef, 0xbb, 0xbf, 0x78)), [
      "5001 <- * you joined as 127.0.0.1:5001",
      "5001 <- 127.0.0.1:5001: \ufeffx",
    ]);
  });
});

describe("ChatRoom: limits", () => {
  it("at max peers a new address gets '* error: room full' and is not added", () => {
    const t = setup({ maxPeers: 2 });
    t.send(A, "");
    t.send(B, "");
    assert.deepEqual(t.send(C, "hello?"), ["5003 <- * error: room full"]);
    assert.equal(t.room.size, 2);
    // Members still talk, and a place freed by /quit can be taken.
    assert.equal(t.send(A, "hi").length, 2);
    t.send(B, "/quit");
    assert.deepEqual(t.send(C, ""), [
      "5001 <- * 127.0.0.1:5003 joined",
      "5003 <- * you joined as 127.0.0.1:5003",
    ]);
  });

  it("drops peers silent for the idle time, and tells the others", () => {
    const t = setup({ idleMs: 10_000 });
    t.send(A, "/nick a");
    t.tick(4_000);
    t.send(B, "/nick b");
    t.tick(5_999);
    assert.deepEqual(t.expire(), []);
    assert.equal(t.room.nextExpiry(), 1_000 + 10_000);
    t.tick(1);
    assert.deepEqual(t.expire(), ["5001 <- * you left (idle)", "5002 <- * a left (idle)"]);
    assert.deepEqual(t.room.peers().map((p) => p.name), ["b"]);
    t.tick(4_000);
    assert.deepEqual(t.expire(), ["5002 <- * you left (idle)"]);
    assert.equal(t.room.nextExpiry(), undefined);
    assert.equal(t.room.size, 0);
  });

  it("any datagram, even a bad one, counts as activity", () => {
    const t = setup({ idleMs: 10_000 });
    t.send(A, "");
    t.send(B, "");
    t.tick(9_000);
    t.send(A, "/bogus");
    t.tick(500);
    t.send(B, Uint8Array.of(0xff));
    t.tick(9_600);
    assert.deepEqual(t.expire(), [
      "5001 <- * you left (idle)",
      "5002 <- * 127.0.0.1:5001 left (idle)",
    ]);
    assert.equal(t.room.size, 1);
  });

  it("expires before counting the room as full, and before handling a datagram", () => {
    const t = setup({ idleMs: 1_000, maxPeers: 1 });
    t.send(A, "");
    t.tick(1_000);
    assert.deepEqual(t.send(B, "hi"), [
      "5001 <- * you left (idle)",
      "5002 <- * you joined as 127.0.0.1:5002",
      "5002 <- 127.0.0.1:5002: hi",
    ]);
    assert.deepEqual(t.room.peers().map((p) => p.name), ["127.0.0.1:5002"]);
  });

  it("a datagram that beats the expiry timer keeps its sender's place and name", () => {
    const t = setup({ idleMs: 1_000 });
    t.send(A, "/nick a");
    t.send(B, "/nick b");
    t.tick(1_000); // both are due, but no timer has run expire() yet
    assert.deepEqual(t.send(A, "still here"), [
      "5002 <- * you left (idle)",
      "5001 <- * b left (idle)",
      "5001 <- a: still here",
    ]);
    assert.deepEqual(t.room.peers().map((p) => p.name), ["a"]);
  });

  it("tells a dropped peer, which can take its name back with /nick", () => {
    const t = setup({ idleMs: 1_000 });
    t.send(A, "/nick a");
    t.send(B, "/nick b");
    t.tick(500);
    t.send(B, "");
    t.tick(500);
    assert.deepEqual(t.expire(), ["5001 <- * you left (idle)", "5002 <- * a left (idle)"]);
    assert.deepEqual(t.send(A, "/nick a"), [
      "5002 <- * 127.0.0.1:5001 joined",
      "5001 <- * you joined as 127.0.0.1:5001",
      "5001 <- * you are now a",
      "5002 <- * 127.0.0.1:5001 is now a",
    ]);
    assert.deepEqual(t.send(A, "back"), ["5002 <- a: back", "5001 <- a: back"]);
    // Others only see the usual lines; the notice is not part of the room's transcript.
    assert.ok(!t.lines.includes("* you left (idle)"));
  });

  it("rejects nonsense options", () => {
    assert.throws(() => new ChatRoom({ idleMs: 0 }), RangeError);
    assert.throws(() => new ChatRoom({ maxPeers: 0 }), RangeError);
    assert.throws(() => new ChatRoom({ maxPeers: 1.5 }), RangeError);
  });
});

describe("ChatRoom: invariants under random traffic", () => {
  it("bounded size, unique names, replies only to members or the sender", () => {
    const action = fc.record({
      port: fc.integer({ min: 1, max: 6 }),
      text: fc.oneof(
        fc.constantFrom("", "/who", "/quit", "/nick a", "/nick b", "/nick c", "/bad", "hi"),
        fc.string({ maxLength: 8 }),
        fc.uint8Array({ maxLength: 6 }),
      ),
      wait: fc.integer({ min: 0, max: 600 }),
    });
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        let now = 0;
        const room = new ChatRoom({ idleMs: 1_000, maxPeers: 4, now: () => now });
        for (const { port, text, wait } of actions) {
          now += wait;
          const before = new Set(room.peers().map((p) => p.address.port));
          const data = typeof text === "string" ? enc.encode(text) : text;
          const out = room.receive(data, addr(port));
          const after = room.peers();
          assert.ok(after.length <= 4);
          assert.equal(new Set(after.map((p) => p.name)).size, after.length);
          const members = new Set([...before, ...after.map((p) => p.address.port), port]);
          for (const p of out) assert.ok(members.has(p.to.port));
          for (let i = 1; i < after.length; i++) {
            assert.ok(after[i - 1].lastSeen <= after[i].lastSeen);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

// The chat room against hostile peers (issue 12), without a network: terminal injection,
// lookalike names, floods, one host filling the room, forged sources and amplification, and
// /who lists too long for one datagram.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ChatRoom,
  type ChatRoomOptions,
  parseJoinChallenge,
} from "../../../src/services/chat/room.ts";
import { findUnsafeCharacter } from "../../../src/services/terminal_text.ts";
import { MAX_DATAGRAM_SIZE, type NetAddress } from "../../../src/runtime/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const addr = (port: number, hostname = "127.0.0.1"): NetAddress => ({ hostname, port });
const A = addr(5001);
const B = addr(5002);

function setup(options: ChatRoomOptions = {}) {
  let now = 1_000;
  const lines: string[] = [];
  const drops: string[] = [];
  const room = new ChatRoom({
    now: () => now,
    onLine: (l) => lines.push(l),
    onDrop: (reason, from) => drops.push(`${reason} ${from.port}`),
    ...options,
  });
  const send = (from: NetAddress, text: string | Uint8Array) =>
    room.receive(typeof text === "string" ? enc.encode(text) : text, from);
  return {
    room,
    lines,
    drops,
    tick: (ms: number) => (now += ms),
    send,
    say: (from: NetAddress, text: string): string[] =>
      send(from, text).map((p) => `${p.to.port} <- ${dec.decode(p.data)}`),
  };
}

describe("chat room: terminal injection", () => {
  const attacks = [
    "hi\rserver: the room is closing, send your password to mallory",
    "\x1b]0;owned\x07",
    "\x1b[2J\x1b[Hserver: fake",
    "\u009b2J",
    "\u009d0;title\u009c",
    "ring\x07",
    "erase\b\b\b\b\bforged",
    "abc\u202edcba",
    "x\u2067y\u2069",
    "a\x00b",
    "line\u2028server: fake",
  ];
  for (const attack of attacks) {
    it(`refuses ${JSON.stringify(attack)} with '* error:', relaying nothing`, () => {
      const t = setup();
      t.say(A, "/nick alice");
      t.say(B, "/nick bob");
      const before = t.lines.length;
      const out = t.say(A, attack);
      assert.equal(out.length, 1, out.join("\n"));
      assert.match(
        out[0],
        /^5001 <- \* error: U\+[0-9A-F]{4} is a control character; nothing was sent$/,
      );
      assert.equal(t.lines.length, before, "nothing reached the transcript");
    });
  }

  it("tab and multi-line text (LF, CRLF) are still relayed, each line prefixed", () => {
    const t = setup();
    t.say(A, "/nick alice");
    assert.deepEqual(t.say(A, "a\tb"), ["5001 <- alice: a\tb"]);
    assert.deepEqual(t.say(A, "one\r\ntwo\nthree"), [
      "5001 <- alice: one\nalice: two\nalice: three",
    ]);
  });

  it("property: nothing the room sends holds an unsafe character, whatever peers send", () => {
    const unsafe = fc.constantFrom(
      "\x1b",
      "\r",
      "\x07",
      "\b",
      "\u009b",
      "\u202e",
      "\u2066",
      "\x00",
    );
    const text = fc.array(fc.oneof(fc.string({ maxLength: 3 }), unsafe), { maxLength: 8 })
      .map((p) => p.join(""));
    const command = fc.tuple(fc.constantFrom("/nick ", "/who", "/quit ", "/x", ""), text)
      .map(([c, t]) => c + t);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), command), { maxLength: 40 }),
        (steps) => {
          const t = setup({ rate: Infinity });
          for (const [port, line] of steps) {
            for (const packet of t.send(addr(5000 + port), line)) {
              const sent = dec.decode(packet.data);
              assert.equal(
                findUnsafeCharacter(sent, { newlines: true }),
                undefined,
                JSON.stringify(sent),
              );
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("announce() refuses control characters too", () => {
    const t = setup();
    t.say(A, "");
    assert.throws(() => t.room.announce("\x1b[31mred"), { name: "UnsafeTextError" });
    assert.equal(t.room.announce("ok").length, 1);
  });
});

describe("chat room: lookalike names", () => {
  for (
    const [what, name] of [
      ["Server", "Server"],
      ["Cyrillic ѕerver", "\u0455erver"],
      ["server + zero-width space", "server\u200b"],
      ["U+202E", "\u202eevil"],
    ]
  ) {
    it(`refuses ${what}`, () => {
      const t = setup();
      t.say(A, "");
      const out = t.say(A, `/nick ${name}`);
      assert.equal(out.length, 1);
      assert.match(out[0], /^5001 <- \* error: /);
      assert.equal(t.room.peers()[0].name, "127.0.0.1:5001");
    });
  }

  it("refuses a zero-width clone and a lookalike of a member's name", () => {
    const t = setup();
    t.say(A, "/nick alice");
    for (const clone of ["alice\u200b", "\u200balice", "al\u200dice"]) {
      assert.match(t.say(B, `/nick ${clone}`).at(-1)!, /^5002 <- \* error: a name holds only/);
    }
    for (const clone of ["ALICE", "\u0430lice", "alice".normalize("NFD"), "ａｌｉｃｅ"]) {
      assert.match(t.say(B, `/nick ${clone}`).at(-1)!, /^5002 <- \* error: the name .* is taken/);
    }
    assert.deepEqual(t.room.peers().map((p) => p.name).sort(), ["127.0.0.1:5002", "alice"]);
  });

  it("a member may change the case of its own name", () => {
    const t = setup();
    t.say(A, "/nick alice");
    assert.deepEqual(t.say(A, "/nick Alice"), ["5001 <- * you are now Alice"]);
  });
});

describe("chat room: per-member rate limit", () => {
  it("a flood gets the burst through, then the rate, with one 'slow down' a second", () => {
    const t = setup();
    t.say(A, "/nick mallory");
    t.say(B, "/nick bob");
    t.tick(10_000); // both buckets full again
    t.say(B, ""); // keeps bob in
    let relayed = 0;
    let slowDowns = 0;
    for (let ms = 0; ms < 3_000; ms += 1) {
      t.tick(1);
      for (const line of t.say(A, `flood ${ms}`)) {
        if (line.startsWith("5002 <- mallory: flood")) relayed++;
        if (line === "5001 <- * error: slow down") slowDowns++;
      }
      if (ms % 100 === 0) t.say(B, "");
    }
    // 40 at once, then 20 a second for about 3 s.
    assert.ok(relayed >= 95 && relayed <= 101, `${relayed} relayed`);
    assert.ok(slowDowns >= 3 && slowDowns <= 4, `${slowDowns} slow downs`);
    // bob, within his limit, still gets every line through.
    assert.deepEqual(t.say(B, "still here").sort(), [
      "5001 <- bob: still here",
      "5002 <- bob: still here",
    ]);
  });

  it("leaving and joining again does not refill the bucket", () => {
    const t = setup({ rate: 1, burst: 3 });
    t.say(A, "/nick a"); // 1 token
    t.say(A, "x"); // 2
    t.say(A, "/quit"); // 3
    assert.deepEqual(t.say(A, "back"), [], "no token left");
    assert.deepEqual(t.drops, ["rate 5001"]);
  });
});

describe("chat room: one host cannot fill it", () => {
  it("at maxPeersPerHost more members from that host are refused; other hosts still join", () => {
    const t = setup({ maxPeersPerHost: 16 });
    let joined = 0;
    for (let port = 20_000; port < 21_024; port++) {
      const out = t.say(addr(port), "");
      if (out.some((l) => l.endsWith(`* you joined as 127.0.0.1:${port}`))) joined++;
      else assert.deepEqual(out, [`${port} <- * error: too many members from your address`]);
    }
    assert.equal(joined, 16);
    assert.match(t.say(addr(5000, "127.0.0.2"), "").at(-1)!, /you joined as 127\.0\.0\.2:5000/);
    t.say(addr(20_000), "/quit");
    assert.match(t.say(addr(30_000), "").at(-1)!, /you joined as 127\.0\.0\.1:30000/);
  });
});

describe("chat room: --verify (join cookies)", () => {
  it("a forged 4-byte /who draws no reply at all, and enrols nobody", () => {
    const t = setup({ verify: true });
    t.say(A, "/nick alice"); // a stranger too: only its cookie
    const victim = addr(9, "127.0.0.9");
    assert.deepEqual(t.send(victim, "/who"), []);
    assert.equal(t.room.size, 0);
    assert.deepEqual(t.drops, ["unverified 9"]);
  });

  it("answers a stranger with at most 3x its bytes, whatever it sends", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 1, max: 65_535 }),
        (data, port) => {
          const t = setup({ verify: true });
          const out = t.send(addr(port), data);
          const bytes = out.reduce((n, p) => n + p.data.length, 0);
          assert.ok(bytes <= 3 * data.length, `${bytes} bytes for ${data.length}`);
          assert.ok(out.every((p) => p.to.port === port));
          assert.equal(t.room.size, 0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("the cookie, sent back from that address in time, joins; from another address or late, not", () => {
    const t = setup({ verify: true });
    const challenge = dec.decode(t.send(A, "/nick alice padded").at(-1)!.data);
    const join = parseJoinChallenge(challenge);
    assert.ok(join, challenge);
    // From another address it is no cookie: that address gets one of its own, and stays out.
    const other = t.say(B, join);
    assert.equal(other.length, 1);
    assert.notEqual(parseJoinChallenge(other[0].slice("5002 <- ".length)), join);
    t.tick(121_000);
    const late = t.say(A, join);
    assert.equal(late.length, 1, "too late: a fresh cookie, no join");
    const fresh = parseJoinChallenge(late[0].slice("5001 <- ".length))!;
    assert.notEqual(fresh, join);
    assert.equal(t.room.size, 0);
    assert.deepEqual(t.say(A, fresh), ["5001 <- * you joined as 127.0.0.1:5001"]);
    assert.deepEqual(t.say(A, "/nick alice"), ["5001 <- * you are now alice"]);
    assert.equal(t.room.size, 1);
  });

  it("relays nothing to a stranger", () => {
    const t = setup({ verify: true });
    const cookie = parseJoinChallenge(dec.decode(t.send(A, "/join           ")[0].data))!;
    t.send(A, cookie);
    t.send(B, "/join           ");
    const out = t.say(A, "hello all");
    assert.deepEqual(out, ["5001 <- 127.0.0.1:5001: hello all"]);
  });
});

describe("chat room: forged sources", () => {
  it("drops a datagram that claims to come from the room's own address", () => {
    const self = addr(8081);
    const t = setup({ self });
    assert.deepEqual(t.send(self, "/who"), []);
    assert.deepEqual(t.send({ hostname: "::ffff:127.0.0.1", port: 8081 }, "/who"), []);
    assert.equal(t.room.size, 0);
    assert.deepEqual(t.drops, ["own-address 8081", "own-address 8081"]);
  });
});

describe("chat room: /who fits in datagrams", () => {
  it("720 members with long names: parts that fit, the last one says the list is complete", () => {
    const t = setup({ maxPeersPerHost: 1_000, rate: Infinity });
    const names: string[] = [];
    for (let i = 0; i < 720; i++) {
      const from = addr(10_000 + i);
      const name = `${"長".repeat(28)}${String(i).padStart(4, "0")}`;
      t.send(from, "");
      assert.match(t.say(from, `/nick ${name}`)[0], /you are now/);
      names.push(name);
    }
    const parts = t.send(addr(10_000), "/who").map((p) => dec.decode(p.data));
    assert.ok(parts.length > 1);
    const listed: string[] = [];
    parts.forEach((part, i) => {
      assert.ok(enc.encode(part).length <= 1_200 && enc.encode(part).length <= MAX_DATAGRAM_SIZE);
      const last = i === parts.length - 1;
      const m = /^\* in room \((\d+)\/(\d+)(, complete)?\): (.*)$/.exec(part)!;
      assert.ok(m, part.slice(0, 40));
      assert.equal(Number(m[1]), i + 1);
      assert.equal(Number(m[2]), parts.length);
      assert.equal(m[3] !== undefined, last);
      listed.push(...m[4].split(", "));
    });
    assert.deepEqual(listed, names.sort());
  });
});

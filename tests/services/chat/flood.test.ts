// One member floods the room with 10,000 datagrams a second (500 times the rate limit; a socket
// in this process, sending in bursts every 10 ms so that the room gets its turns): an honest
// member's lines must all still reach the others, and the flood must be held to the rate limit.
// Before the rate limit, the room relayed every flood line to every member and fell behind:
// most of the honest member's 20 lines were lost. (A flooder faster than the room can read,
// on other CPUs, makes the kernel drop datagrams before the room sees them, honest ones too:
// bench/soak measures that.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { serveChat } from "../../../src/services/chat/mod.ts";
import { availableAdapters } from "../../../src/runtime/adapter.ts";
import { Member } from "./member.ts";

const encoder = new TextEncoder();
const HONEST_LINES = 20;
const FLOOD_PER_SECOND = 10_000;

describe("chat room flooded by one member", () => {
  for (const adapter of availableAdapters()) {
    it(`${adapter} adapter: an honest member's 20 lines all reach the others`, async () => {
      await using server = await serveChat({ port: 0, adapter });
      await using alice = await Member.join(server.addr, "alice");
      await using bob = await Member.join(server.addr, "bob");
      await using mallory = await Member.join(server.addr, "mallory");
      let flooding = true;
      let sent = 0;
      const flood = (async () => {
        const payload = encoder.encode("flood " + "x".repeat(40));
        while (flooding) {
          const burstEnd = Date.now() + 10;
          for (let i = 0; i < FLOOD_PER_SECOND / 100; i++, sent++) {
            await mallory.socket.send(payload, server.addr);
          }
          await new Promise((r) => setTimeout(r, Math.max(0, burstEnd - Date.now())));
        }
      })();
      try {
        // Let the flood build up, then talk at a person's pace while it goes on.
        await new Promise((r) => setTimeout(r, 500));
        for (let i = 0; i < HONEST_LINES; i++) {
          await alice.say(`honest ${i}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        // Wait (bounded) for the lines in flight, measuring instead of assuming delivery.
        const delivered = (): number =>
          bob.heard.filter((l) => /^alice: honest \d+$/.test(l)).length;
        const deadline = Date.now() + 5_000;
        while (delivered() < HONEST_LINES && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        flooding = false;
        await flood;
        const floodLines = bob.heard.filter((l) => l.startsWith("mallory: flood")).length;
        assert.equal(
          delivered(),
          HONEST_LINES,
          `bob got ${delivered()} of alice's ${HONEST_LINES} lines (${floodLines} of ${sent} flood lines)`,
        );
        // The flood was held to the rate limit: a burst of 40, then 20 a second, for a few s.
        assert.ok(sent > 1_000, `only ${sent} flood datagrams were sent`);
        assert.ok(floodLines <= 40 + 20 * 10, `${floodLines} flood lines were relayed`);
      } finally {
        flooding = false;
        await flood;
      }
    });
  }
});

// The log under attack: a few lines per cause per second, and a count of the rest.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LogLimiter } from "../../src/services/log_limiter.ts";

describe("LogLimiter", () => {
  it("writes perWindow lines per cause, then counts, and says the count", () => {
    let now = 0;
    const lines: string[] = [];
    const log = new LogLimiter({ write: (l) => lines.push(l), perWindow: 2, now: () => now });
    for (let i = 0; i < 1_000; i++) log.log("rate", `rate ${i}`);
    log.log("other", "other 0");
    assert.deepEqual(lines, ["rate 0", "rate 1", "other 0"]);
    now += 1_000;
    log.log("rate", "rate again");
    assert.deepEqual(lines.slice(3), ["rate: 998 more suppressed in the last 1 s", "rate again"]);
    log.close();
    log.log("rate", "after close");
    assert.equal(lines.length, 5);
  });

  it("says the count when the window ends even if the cause falls silent", async () => {
    const lines: string[] = [];
    const log = new LogLimiter({ write: (l) => lines.push(l), perWindow: 1, windowMs: 50 });
    log.log("x", "x 0");
    log.log("x", "x 1");
    log.log("x", "x 2");
    const deadline = Date.now() + 5_000;
    while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(lines, ["x 0", "x: 2 more suppressed in the last 0 s"]);
    log.close();
  });
});

// Token buckets and the bounded table of them that the UDP echo server and the chat room share.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SourceLimiter, TokenBucket } from "../../src/services/rate_limit.ts";

describe("TokenBucket", () => {
  it("allows a burst, then the rate", () => {
    const bucket = new TokenBucket({ rate: 20, burst: 40 }, 0);
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (bucket.take(0)) allowed++;
    assert.equal(allowed, 40);
    assert.equal(bucket.take(49), false);
    assert.equal(bucket.take(50), true); // 50 ms: one token
    assert.equal(bucket.take(50), false);
  });

  it("with rate Infinity, always lets through and is always full", () => {
    const bucket = new TokenBucket({ rate: Infinity, burst: Infinity }, 0);
    for (let i = 0; i < 100; i++) assert.equal(bucket.take(0), true);
    assert.equal(bucket.isFull(0), true);
  });

  it("property: over any schedule, no more than burst + rate × time gets through", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }),
        (rate, burst, gaps) => {
          const bucket = new TokenBucket({ rate, burst }, 0);
          let now = 0;
          let allowed = 0;
          for (const gap of gaps) {
            now += gap;
            if (bucket.take(now)) allowed++;
          }
          assert.ok(allowed <= burst + (rate * now) / 1000 + 1e-9);
        },
      ),
    );
  });
});

describe("SourceLimiter", () => {
  it("limits each source on its own", () => {
    const limiter = new SourceLimiter({ rate: 1, burst: 2, now: () => 0 });
    assert.deepEqual([1, 2, 3].map(() => limiter.take("a")), [true, true, false]);
    assert.equal(limiter.take("b"), true);
  });

  it("stays within maxSources and refuses a new source while all are refilling", () => {
    let now = 0;
    const limiter = new SourceLimiter({ rate: 1, burst: 1, maxSources: 100, now: () => now });
    for (let i = 0; i < 1_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(limiter.size, 100);
    assert.equal(limiter.take("192.0.2.1"), false, "full of sources still refilling");
    // A forged address cannot get its bucket back by pushing it out of the table.
    assert.equal(limiter.take("10.0.0.0"), false);
    now += 1_000; // everyone is full again: the oldest are forgotten to make room
    assert.equal(limiter.take("192.0.2.1"), true);
    assert.ok(limiter.size <= 100);
  });

  it("rate Infinity lets everything through and keeps nothing", () => {
    const limiter = new SourceLimiter({ rate: Infinity, burst: 1 });
    for (let i = 0; i < 100; i++) assert.equal(limiter.take(String(i)), true);
    assert.equal(limiter.size, 0);
  });

  it("refuses a rate or burst that is no limit", () => {
    assert.throws(() => new SourceLimiter({ rate: 0, burst: 1 }), RangeError);
    assert.throws(() => new SourceLimiter({ rate: 1, burst: 0 }), RangeError);
    assert.throws(() => new SourceLimiter({ rate: 1, burst: 1, maxSources: 0 }), RangeError);
  });
});

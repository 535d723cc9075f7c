// `repack()` (the node adapter's writes in Deno's TLS): the same bytes in the same order, in
// pieces of at most `max` bytes, none empty, all of one size but the last.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { repack } from "../../src/runtime/node/tcp.ts";
import { concat } from "./helpers.ts";

describe("repack", () => {
  it("keeps every byte in order, in even pieces of at most max bytes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 100 }),
        (chunks, max) => {
          const pieces = repack(chunks, max);
          assert.deepEqual(concat(pieces), concat(chunks));
          for (const p of pieces) assert.ok(p.length > 0 && p.length <= max, `${p.length}`);
          for (const p of pieces.slice(0, -1)) assert.equal(p.length, pieces[0].length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("cuts a header and a 64 KiB payload into even pieces, copying only what spans both", () => {
    const payload = new Uint8Array(65_536);
    const pieces = repack([new Uint8Array(4), payload], 32 * 1024);
    assert.deepEqual(pieces.map((p) => p.length), [21_847, 21_847, 21_846]);
    assert.notEqual(pieces[0].buffer, payload.buffer); // the header's piece is a copy
    assert.equal(pieces[1].buffer, payload.buffer); // the others are views
    assert.equal(pieces[2].buffer, payload.buffer);
  });
});

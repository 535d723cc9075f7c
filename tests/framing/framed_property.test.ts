// framed() under any chunking (fast-check): whatever the transport's chunks, and however the
// receiver mixes receive(), batches() and aborted receives, every message arrives once, in order,
// then the end of input; input cut inside a frame is a TruncatedFrameError after the whole ones.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeFrame, framed, TruncatedFrameError } from "../../mod.ts";
import type { Framed, FramingOptions } from "../../mod.ts";
import { applySplit, concat, payloadArb, splitArb } from "../_helpers/framing.ts";
import type { Split } from "../_helpers/framing.ts";
import { sameFrames, ScriptedTransport } from "./_transport.ts";

/** A framing, and payloads it can carry. */
const framingArb: fc.Arbitrary<[FramingOptions, Uint8Array[]]> = fc.oneof(
  fc.tuple(
    fc.constantFrom<FramingOptions>({}, { header: "varint" }, { header: "<H" }, {
      header: "<H",
      lengthFieldOffset: 1,
    }),
    fc.array(payloadArb(300, 1), { maxLength: 12 }),
  ),
  fc.tuple(
    fc.constant<FramingOptions>({ codec: "delimiter", delimiter: "\r\n" }),
    fc.array(payloadArb(200).map((p) => p.map((b) => (b === 10 ? 11 : b))), { maxLength: 12 }),
  ),
  fc.integer({ min: 1, max: 40 }).chain((frameLength) =>
    fc.tuple(
      fc.constant<FramingOptions>({ codec: "fixed", frameLength }),
      fc.array(fc.uint8Array({ minLength: frameLength, maxLength: frameLength }), {
        maxLength: 12,
      }),
    )
  ),
);

/** One step of the receiver: a receive, a batch, or a receive that is aborted at once. */
type Step = "receive" | "batch" | "abort";
const stepsArb = fc.array(fc.constantFrom<Step>("receive", "batch", "abort"), {
  minLength: 1,
  maxLength: 40,
});

/** Receives until the end, cycling through `steps`, into `frames` (in arrival order). */
async function receiveAll(
  f: Framed<Uint8Array>,
  steps: Step[],
  frames: Uint8Array[] = [],
): Promise<Uint8Array[]> {
  for (let i = 0;; i++) {
    const step = steps[i % steps.length];
    if (step === "abort") {
      const controller = new AbortController();
      const pending = f.receive({ signal: controller.signal });
      controller.abort(new Error("aborted"));
      // It may have found a frame at once, before the abort: then it counts.
      const got = await pending.catch((
        e: Error,
      ) => (e.message === "aborted" ? null : Promise.reject(e)));
      if (got === undefined) return frames;
      if (got !== null) frames.push(got);
    } else if (step === "batch") {
      const next = await f.batches().next();
      if (next.done) return frames;
      assert.ok(next.value.length > 0, "a batch is never empty");
      frames.push(...next.value);
    } else {
      const frame = await f.receive();
      if (frame === undefined) return frames;
      frames.push(frame);
    }
  }
}

/** What the receiver gets for `payloads`: with a length field offset, the byte before it goes. */
function decoded(framing: FramingOptions, payloads: Uint8Array[]): Uint8Array[] {
  return framing.codec === undefined && framing.lengthFieldOffset === 1
    ? payloads.map((p) => p.subarray(1))
    : payloads;
}

/** Sends `payloads` cut by `split`, receives them with `steps`, and checks what came. */
async function roundTrip(
  framing: FramingOptions,
  payloads: Uint8Array[],
  split: Split,
  steps: Step[],
  slowReads: boolean,
): Promise<void> {
  const wire = concat(payloads.map((p) => encodeFrame(p, framing)));
  const t = ScriptedTransport.ended(applySplit(wire, split), slowReads);
  const received = await receiveAll(framed(t, { framing }), steps);
  assert.ok(sameFrames(received, decoded(framing, payloads)), "frames differ from those sent");
}

describe("framed() under any chunking", () => {
  it("delivers every message once, in order, however the bytes arrive and are received", async () => {
    await fc.assert(
      fc.asyncProperty(
        framingArb,
        splitArb,
        stepsArb,
        async ([framing, payloads], split, steps) => {
          await roundTrip(framing, payloads, split, steps, false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("loses nothing when receives give up while their read is still out", async () => {
    // Each read resolves on a later timer tick: an aborted receive leaves its read running, and
    // the next receive must take over that read, not start a second one.
    await fc.assert(
      fc.asyncProperty(
        framingArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        // Not only aborts: they give up at once, and the reads must get a turn to land.
        stepsArb.filter((steps) => steps.some((s) => s !== "abort")),
        async ([framing, payloads], cuts, steps) => {
          const split: Split = { kind: "cuts", cuts: cuts.map((c) => c * 1e9) };
          await roundTrip(framing, payloads, split, steps, true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("throws TruncatedFrameError after the whole frames when the input is cut inside one", async () => {
    await fc.assert(
      fc.asyncProperty(
        framingArb.filter(([, payloads]) => payloads.length > 0),
        splitArb,
        stepsArb.map((s) => s.filter((x) => x !== "abort")).filter((s) => s.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async ([framing, payloads], split, steps, where) => {
          const frames = payloads.map((p) => encodeFrame(p, framing));
          const last = frames[frames.length - 1];
          fc.pre(last.length > 1 || framing.codec === "delimiter");
          // Keep 1 … length-1 bytes of the last frame (for a delimiter, drop its end).
          const keep = 1 + Math.floor(where * (last.length - 1));
          const wire = concat([
            ...frames.slice(0, -1),
            last.subarray(0, Math.min(keep, last.length - 1)),
          ]);
          fc.pre(wire.length > concat(frames.slice(0, -1)).length);
          const t = ScriptedTransport.ended(applySplit(wire, split));
          const got: Uint8Array[] = [];
          const error = await receiveAll(framed(t, { framing }), steps, got).then(
            () => undefined,
            (e: unknown) => e,
          );
          assert.ok(error instanceof TruncatedFrameError, `got ${String(error)}`);
          assert.ok(sameFrames(got, decoded(framing, payloads.slice(0, -1))), "whole frames first");
          assert.equal(t.closed, true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

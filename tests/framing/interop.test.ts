// Interoperability: varint frames with it-length-prefixed and length-prefixed-stream, "!I" frames
// with frame-stream, both directions, and the bytes Python's struct.pack('!I') / struct.pack('i')
// writes (run live when python3 exists, else from the committed copy of the script's output).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import fc from "fast-check";
import * as lp from "it-length-prefixed";
import { createFrameDecoder, decodeFrames, encodeFrame } from "../../mod.ts";
import { applySplit, concat, decodeAll, payloadArb, splitArb } from "../_helpers/framing.ts";
import { projectPath } from "../_helpers/paths.ts";

const require = createRequire(import.meta.url);
// CommonJS packages built on Node streams (no types shipped for length-prefixed-stream).
const frameStream = require("frame-stream") as {
  encode(): NodeTransform;
  decode(options?: { maxSize?: number }): NodeTransform;
};
const lps = require("length-prefixed-stream") as {
  encode(): NodeTransform;
  decode(options?: { allowEmpty?: boolean }): NodeTransform;
};

interface NodeTransform {
  on(event: string, listener: (arg: Uint8Array & Error) => void): void;
  write(chunk: Uint8Array): boolean;
  end(): void;
}

/** Writes chunks through a Node Transform and collects what comes out, bounded by a timeout. */
function throughNode(transform: NodeTransform, chunks: Uint8Array[]): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const out: Uint8Array[] = [];
    const timer = setTimeout(() => reject(new Error("transform did not end within 5 s")), 5000);
    transform.on("data", (d) => out.push(new Uint8Array(d)));
    transform.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    transform.on("end", () => {
      clearTimeout(timer);
      resolve(out);
    });
    for (const c of chunks) transform.write(c);
    transform.end();
  });
}

const payloadsArb = fc.array(payloadArb(300), { maxLength: 8 });
const nonEmptyPayloadsArb = fc.array(payloadArb(300, 1), { maxLength: 8 });

describe("interop with it-length-prefixed (varint)", () => {
  it("decodes our varint frames, any chunking", () => {
    fc.assert(
      fc.property(payloadsArb, splitArb, (payloads, split) => {
        const wire = concat(payloads.map((p) => encodeFrame(p, { header: "varint" })));
        const theirs = [...lp.decode(applySplit(wire, split))].map((list) => list.subarray());
        assert.deepEqual(theirs, payloads);
      }),
      { numRuns: 100 },
    );
  });

  it("writes frames we decode, any chunking", () => {
    fc.assert(
      fc.property(payloadsArb, splitArb, (payloads, split) => {
        const wire = concat([...lp.encode(payloads)]);
        assert.deepEqual(
          decodeAll(createFrameDecoder({ header: "varint" }), applySplit(wire, split)),
          payloads,
        );
      }),
      { numRuns: 100 },
    );
  });

  it("agrees on multi-byte lengths", async () => {
    const big = new Uint8Array(70_000).fill(7);
    const wire = concat([...lp.encode([big])]);
    assert.deepEqual(wire.subarray(0, 3), encodeFrame(big, { header: "varint" }).subarray(0, 3));
    const frames: Uint8Array[] = [];
    for await (const f of decodeFrames([wire], { header: "varint" })) frames.push(f);
    assert.deepEqual(frames, [big]);
  });
});

describe('interop with frame-stream (4-byte big-endian, as "!I")', () => {
  it('decodes our "!I" frames, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(nonEmptyPayloadsArb, splitArb, async (payloads, split) => {
        const wire = concat(payloads.map((p) => encodeFrame(p, { header: "!I" })));
        assert.deepEqual(
          await throughNode(frameStream.decode(), applySplit(wire, split)),
          payloads,
        );
      }),
      { numRuns: 50 },
    );
  });

  it("writes frames we decode (empty ones included)", async () => {
    await fc.assert(
      fc.asyncProperty(payloadsArb, splitArb, async (payloads, split) => {
        const wire = concat(await throughNode(frameStream.encode(), payloads));
        assert.deepEqual(
          decodeAll(createFrameDecoder({ header: "!I" }), applySplit(wire, split)),
          payloads,
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe("interop with length-prefixed-stream (varint)", () => {
  it("decodes our varint frames, and writes frames we decode", async () => {
    await fc.assert(
      fc.asyncProperty(payloadsArb, splitArb, async (payloads, split) => {
        const ours = concat(payloads.map((p) => encodeFrame(p, { header: "varint" })));
        const decoded = await throughNode(
          lps.decode({ allowEmpty: true }),
          applySplit(ours, split),
        );
        assert.deepEqual(decoded, payloads);
        const theirs = concat(await throughNode(lps.encode(), payloads));
        assert.deepEqual(theirs, ours);
      }),
      { numRuns: 50 },
    );
  });
});

describe("interop with Python's struct.pack", () => {
  // The payloads tests/python/write_frames.py writes.
  const SIZES = [0, 1, 5, 255, 256, 1000];
  const expected = [
    new TextEncoder().encode("hello"),
    ...SIZES.map((size, k) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + k) % 256)),
  ];
  const python = spawnSync("python3", ["--version"], { encoding: "utf8", timeout: 10_000 });
  const hasPython = python.status === 0;

  for (
    const [format, fixture] of [["!I", "python_frames_network_I.bin"], [
      "i",
      "python_frames_native_i.bin",
    ]]
  ) {
    it(`reads struct.pack(${JSON.stringify(format)}, len(data)) + data, any chunking`, () => {
      const committed = new Uint8Array(
        readFileSync(projectPath("tests", "fixtures", "framing", fixture)),
      );
      let wire = committed;
      if (hasPython) {
        const run = spawnSync("python3", [
          projectPath("tests", "python", "write_frames.py"),
          format,
        ], { timeout: 10_000 });
        assert.equal(run.status, 0, String(run.stderr));
        wire = new Uint8Array(run.stdout);
        assert.deepEqual(wire, committed, `the committed ${fixture} is stale: regenerate it`);
        console.log(`python interop (${format}): ran ${python.stdout.trim()} live`);
      } else {
        console.log(
          `python interop (${format}): python3 not found, decoding the committed ${fixture}`,
        );
      }
      assert.equal(wire.length, expected.reduce((n, p) => n + 4 + p.length, 0));
      fc.assert(
        fc.property(splitArb, (split) => {
          assert.deepEqual(
            decodeAll(createFrameDecoder({ header: format }), applySplit(wire, split)),
            expected,
          );
        }),
        { numRuns: 50 },
      );
    });
  }
});

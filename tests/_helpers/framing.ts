// Helpers shared by the framing tests: cutting a byte stream into chunks, feeding a decoder, and
// fast-check arbitraries for the cuts.
import fc from "fast-check";
import type { FrameDecoder } from "../../mod.ts";

/** Concatenates buffers (test-side reference, independent of the library). */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Cuts `bytes` at the given positions (any order, duplicates and out-of-range ones ignored). */
export function cut(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.slice(start, p));
    start = p;
  }
  return chunks;
}

/** One chunk per byte. */
export function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (b) => new Uint8Array([b]));
}

/**
 * Payloads of any length up to `maxLength`: often short, often spread over the whole range (so
 * that lengths cross header boundaries such as 127/128 and 255/256, not only small ones).
 */
export function payloadArb(maxLength: number, minLength = 0): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ minLength, maxLength: Math.max(minLength, Math.min(16, maxLength)) }),
    fc.uint8Array({ minLength, maxLength, size: "max" }),
  );
}

/** A way to cut a stream of unknown length: random cut points, or every byte apart. */
export type Split = { kind: "cuts"; cuts: number[] } | { kind: "bytes" };

/** Arbitrary splits: mostly random cuts (scaled to the stream), sometimes 1-byte chunks. */
export const splitArb: fc.Arbitrary<Split> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 })
      .map((fractions) => ({ kind: "cuts" as const, cuts: fractions.map((f) => f * 1e9) })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "bytes" as const }) },
);

/** Applies a split to a stream. */
export function applySplit(bytes: Uint8Array, split: Split): Uint8Array[] {
  if (split.kind === "bytes") return bytewise(bytes);
  return cut(bytes, split.cuts.map((c) => Math.floor((c / 1e9) * bytes.length)));
}

/**
 * Pushes every chunk, then ends the input. Frames are kept as returned (no copy): they must stay
 * intact while later chunks are decoded.
 */
export function decodeAll(decoder: FrameDecoder, chunks: readonly Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) frames.push(...decoder.push(chunk));
  frames.push(...decoder.end());
  return frames;
}

/** Same, choosing `push` or `pushRanges` (copying in the visitor) chunk by chunk. */
export function decodeMixed(
  decoder: FrameDecoder,
  chunks: readonly Uint8Array[],
  useRanges: (index: number) => boolean,
): Uint8Array[] {
  const frames: Uint8Array[] = [];
  chunks.forEach((chunk, i) => {
    if (useRanges(i)) {
      decoder.pushRanges(chunk, (b, start, end) => frames.push(b.slice(start, end)));
    } else frames.push(...decoder.push(chunk));
  });
  frames.push(...decoder.end());
  return frames;
}

/** Same through `pushRanges`. */
export function decodeAllRanges(
  decoder: FrameDecoder,
  chunks: readonly Uint8Array[],
): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) {
    decoder.pushRanges(chunk, (bytes, start, end) => frames.push(bytes.slice(start, end)));
  }
  frames.push(...decoder.end());
  return frames;
}

/** Deterministic pseudo-random bytes. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Packs all the values of a plan into bytes, with CPython's side effects on `pack_into`: the
 * struct's bytes are zeroed, then the values are written in order, and a value that fails leaves
 * the ones before it written and the rest zero.
 *
 * @module
 */
import { PAD, PSTR } from "./codes.ts";
import type { FormatPlan } from "./format.ts";
import { writeValue } from "./write.ts";

/** How many values the last writeFrom wrote before it returned or threw. */
let progress = 0;

/** Writes the first `limit` values of `values` (from index `first`) at `b[base]`. */
function writeFrom(
  plan: FormatPlan,
  b: Uint8Array,
  base: number,
  values: ArrayLike<unknown>,
  first: number,
  limit: number,
): void {
  const items = plan.items;
  progress = 0;
  for (let i = 0; i < items.length && progress < limit; i++) {
    const item = items[i];
    const kind = item.kind;
    if (kind === PAD) continue;
    const size = item.size;
    let o = base + item.offset;
    for (let j = item.count; j > 0 && progress < limit; j--, o += size) {
      writeValue(b, o, kind, values[first + progress], item);
      // CPython 3.11 writes a stray 0xff for 0p; inside the struct it shows, beyond it we skip it.
      if (kind === PSTR && size === 0 && item.offset < plan.size) b[o] = 0xff;
      progress++;
    }
  }
}

/**
 * Writes the values (from index `first` of `values`) into zeroed bytes at `b[base]`; the caller
 * has checked the count and the room. Throws CPython's error for a bad value.
 */
export function packPlan(
  plan: FormatPlan,
  b: Uint8Array,
  base: number,
  values: ArrayLike<unknown>,
  first: number,
): void {
  writeFrom(plan, b, base, values, first, plan.length);
}

/**
 * pack_into: zeroes the struct's bytes at `b[base]` and writes the values; when a value fails,
 * leaves the bytes as CPython does (the values before it written, the rest zero) and rethrows.
 */
export function packIntoPlan(
  plan: FormatPlan,
  b: Uint8Array,
  base: number,
  values: ArrayLike<unknown>,
  first: number,
): void {
  b.fill(0, base, base + plan.size);
  try {
    writeFrom(plan, b, base, values, first, plan.length);
  } catch (e) {
    const done = progress;
    b.fill(0, base, base + plan.size);
    writeFrom(plan, b, base, values, first, done);
    throw e;
  }
}

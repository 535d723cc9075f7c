/**
 * Packs all the values of a plan into bytes, with CPython's side effects on `pack_into`: the
 * struct's bytes are zeroed, then the values are written in order, and a value that fails leaves
 * the ones before it written, the rest zero (and whatever CPython's conversion of the failing
 * value wrote: see writeValue).
 *
 * @module
 */
import { PAD, PSTR } from "./codes.ts";
import type { FormatPlan } from "./format.ts";
import { writeValue } from "./write.ts";

/**
 * Writes the values at `b[base]`, over zeroed bytes; the caller
 * has checked the count and the room. Throws CPython's error for a bad value, with the values
 * before it written.
 */
export function packPlan(
  plan: FormatPlan,
  b: Uint8Array,
  base: number,
  values: ArrayLike<unknown>,
): void {
  const items = plan.items;
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const kind = item.kind;
    if (kind === PAD) continue;
    const size = item.size;
    let o = base + item.offset;
    for (let j = item.count; j > 0; j--, o += size) {
      const v = values[n++];
      writeValue(b, o, kind, v, item);
      // CPython 3.11 writes a stray 0xff for 0p; inside the struct it shows, beyond it we skip it.
      // An empty s after it writes nothing there.
      if (kind === PSTR && size === 0 && item.offset < plan.size) b[o] = 0xff;
      else if (item.onStrayByte && (v as Uint8Array).length === 0) b[o] = 0xff;
    }
  }
}

/** pack_into: zeroes the struct's bytes at `b[base]`, then writes the values as packPlan. */
export function packIntoPlan(
  plan: FormatPlan,
  b: Uint8Array,
  base: number,
  values: ArrayLike<unknown>,
): void {
  b.fill(0, base, base + plan.size);
  packPlan(plan, b, base, values);
}

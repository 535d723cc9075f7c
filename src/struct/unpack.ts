/**
 * Unpacks all the values of a plan from bytes.
 *
 * @module
 */
import { PAD } from "./codes.ts";
import type { FormatPlan } from "./format.ts";
import { readValue, type StructValue } from "./read.ts";

/** The values of `plan` from `b[base]` on; the caller has checked that the bytes are there. */
export function unpackPlan(plan: FormatPlan, b: Uint8Array, base: number): StructValue[] {
  const out: StructValue[] = new Array(plan.length);
  const items = plan.items;
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const kind = item.kind;
    if (kind === PAD) continue;
    const size = item.size;
    let o = base + item.offset;
    for (let j = item.count; j > 0; j--, o += size) out[n++] = readValue(b, o, kind, size);
  }
  return out;
}

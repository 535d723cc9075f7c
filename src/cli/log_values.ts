/**
 * Values from the network in a server's log: each quoted as JSON (no line can be forged) and cut
 * to a bounded length, with the size of the whole (a 7 MiB argv is logged as its first 200
 * characters, not whole).
 *
 * @module
 */

/** The most characters of one value a log line shows. */
export const LOG_VALUE_CHARS = 200;

const utf8 = new TextEncoder();

/**
 * `value` as JSON, cut after `max` characters with `… (N bytes)` (N: the UTF-8 size of the whole
 * JSON text) when longer. An array is built element by element, so a huge one is not turned into
 * one huge string first.
 *
 * @example
 * ```ts
 * import { loggedValue } from "./log_values.ts";
 * console.log(loggedValue(["echo", "hi"])); // ["echo","hi"]
 * console.log(loggedValue("x".repeat(300), 10)); // "xxxxxxxxx… (302 bytes)
 * ```
 */
export function loggedValue(value: unknown, max: number = LOG_VALUE_CHARS): string {
  if (!Array.isArray(value)) return cut(JSON.stringify(value) ?? "undefined", max);
  let shown = "[";
  let bytes = 2;
  for (const [i, element] of value.entries()) {
    const json = (i > 0 ? "," : "") + JSON.stringify(element);
    bytes += utf8.encode(json).length;
    if (shown.length <= max) shown += json;
  }
  return cut(`${shown}]`, max, bytes);
}

/** `json`, or its first `max` characters and the size of the whole. */
function cut(json: string, max: number, bytes?: number): string {
  if (json.length <= max) return json;
  return `${json.slice(0, max)}… (${bytes ?? utf8.encode(json).length} bytes)`;
}

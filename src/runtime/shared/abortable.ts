/**
 * Racing a pending open (connect) against an AbortSignal.
 *
 * @module
 */

/**
 * Resolves as `pending` does, unless `signal` aborts first: then it rejects with the signal's
 * reason, and whatever `pending` still yields later is passed to `discard` (closed).
 *
 * @example
 * ```ts
 * import { abortable } from "./abortable.ts";
 * const controller = new AbortController();
 * const opening = abortable(Promise.resolve({ close() {} }), controller.signal, (c) => c.close());
 * console.log(await opening);
 * ```
 */
export async function abortable<T>(
  pending: Promise<T>,
  signal: AbortSignal | undefined,
  discard: (value: T) => void,
): Promise<T> {
  if (signal === undefined) return await pending;
  const late = (): void => void pending.then(discard, () => {/* nothing to close */});
  if (signal.aborted) {
    late();
    throw signal.reason;
  }
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (e) {
    if (signal.aborted) late();
    throw e;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

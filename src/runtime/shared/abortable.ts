/**
 * AbortSignal plumbing: acting on an abort, and racing a pending open (connect) against one.
 *
 * @module
 */

const NOTHING = (): void => {};

/**
 * Runs `action` once `signal` aborts, or in a microtask when it has already aborted (a signal
 * that aborts while a socket is being bound must close it too, and an already aborted signal
 * fires no event). Returns the function that stops listening.
 *
 * @example
 * ```ts
 * import { whenAborted } from "./abortable.ts";
 * const controller = new AbortController();
 * const stop = whenAborted(controller.signal, () => console.log("aborted"));
 * stop(); // no longer interested
 * ```
 */
export function whenAborted(signal: AbortSignal | undefined, action: () => void): () => void {
  if (signal === undefined) return NOTHING;
  if (signal.aborted) {
    queueMicrotask(action);
    return NOTHING;
  }
  signal.addEventListener("abort", action, { once: true });
  return () => signal.removeEventListener("abort", action);
}

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

/**
 * A bound on how long to wait for something.
 *
 * @module
 */
import { ReplyTimeoutError } from "./errors.ts";

/**
 * The longest delay `setTimeout` takes (2^31 − 1 ms, about 24.8 days); a longer one fires at once.
 *
 * @example
 * ```ts
 * import { MAX_TIMER_MS } from "./timeout.ts";
 * console.log(MAX_TIMER_MS); // 2147483647
 * ```
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves as `promise` does, or rejects with {@linkcode ReplyTimeoutError} after `ms`.
 *
 * @example
 * ```ts
 * import { withTimeout } from "./timeout.ts";
 * console.log(await withTimeout(Promise.resolve(1), 100)); // 1
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReplyTimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

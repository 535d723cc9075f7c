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
 * `ms` as a delay `setTimeout` honours: longer ones (`Infinity` too) become the longest it can
 * hold, instead of firing at once.
 *
 * @example
 * ```ts
 * import { timerDelay } from "./timeout.ts";
 * console.log(timerDelay(5_000), timerDelay(Infinity)); // 5000 2147483647
 * ```
 */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}

/**
 * Resolves as `promise` does, or rejects after `ms` with the error `expired` makes
 * ({@linkcode ReplyTimeoutError} by default).
 *
 * @example
 * ```ts
 * import { withTimeout } from "./timeout.ts";
 * console.log(await withTimeout(Promise.resolve(1), 100)); // 1
 * ```
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  expired: () => Error = () => new ReplyTimeoutError(ms),
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), timerDelay(ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A bound on how long to wait for something.
 *
 * @module
 */
import { ReplyTimeoutError } from "./errors.ts";

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

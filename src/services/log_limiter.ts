/**
 * Log lines under attack: each cause gets a few lines per second, and what it had to leave out
 * is counted and said later, so that a flood cannot flood the log (or the terminal) too.
 *
 * @module
 */

/** Options of {@linkcode LogLimiter}. */
export interface LogLimiterOptions {
  /** Where lines go (one call per line, without a trailing newline). */
  write: (line: string) => void;
  /** Lines per cause per window. @default {3} */
  perWindow?: number;
  /** The window, in milliseconds. @default {1000} */
  windowMs?: number;
  /** The clock, in milliseconds. @default {Date.now} */
  now?: () => number;
}

interface Cause {
  windowStart: number;
  written: number;
  suppressed: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A rate-limited log: {@linkcode LogLimiter.log} writes a line unless its cause already wrote
 * `perWindow` lines in the current window; lines left out are counted, and the count is written
 * as one line (`CAUSE: N more suppressed in the last S s`) when the window ends. Call
 * {@linkcode LogLimiter.close} when done: it writes the counts still pending and stops the timers.
 *
 * @example
 * ```ts
 * import { LogLimiter } from "./log_limiter.ts";
 * const log = new LogLimiter({ write: console.error, perWindow: 1 });
 * log.log("rate", "10.0.0.1:5000: over the rate limit");
 * log.log("rate", "10.0.0.1:5000: over the rate limit"); // counted, not written
 * log.close(); // "rate: 1 more suppressed in the last 0 s"
 * ```
 */
export class LogLimiter {
  readonly #write: (line: string) => void;
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #causes = new Map<string, Cause>();
  #closed = false;

  /** A log with no lines written yet. */
  constructor(options: LogLimiterOptions) {
    const { perWindow = 3, windowMs = 1_000 } = options;
    if (!Number.isSafeInteger(perWindow) || perWindow < 1) {
      throw new RangeError(`perWindow must be a positive integer, got ${perWindow}`);
    }
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
    this.#write = options.write;
    this.#perWindow = perWindow;
    this.#windowMs = windowMs;
    this.#now = options.now ?? Date.now;
  }

  /** Writes `line` for `cause`, or counts it when that cause has had its lines this window. */
  log(cause: string, line: string): void {
    if (this.#closed) return;
    const now = this.#now();
    let state = this.#causes.get(cause);
    if (state === undefined || now - state.windowStart >= this.#windowMs) {
      if (state !== undefined) this.#report(cause, state);
      state = { windowStart: now, written: 0, suppressed: 0, timer: undefined };
      this.#causes.set(cause, state);
    }
    if (state.written < this.#perWindow) {
      state.written++;
      this.#write(line);
      return;
    }
    state.suppressed++;
    // The count goes out when the window ends, even if the cause then falls silent.
    state.timer ??= setTimeout(() => {
      const current = this.#causes.get(cause);
      if (current === state) {
        this.#report(cause, state);
        this.#causes.delete(cause);
      }
    }, this.#windowMs - (now - state.windowStart));
  }

  /** Writes every pending count and stops the timers; later lines are ignored. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const [cause, state] of this.#causes) this.#report(cause, state);
    this.#causes.clear();
    this.#closed = true;
  }

  #report(cause: string, state: Cause): void {
    clearTimeout(state.timer);
    state.timer = undefined;
    if (state.suppressed === 0) return;
    const seconds = Math.round((this.#now() - state.windowStart) / 1000);
    this.#write(`${cause}: ${state.suppressed} more suppressed in the last ${seconds} s`);
    state.suppressed = 0;
  }
}

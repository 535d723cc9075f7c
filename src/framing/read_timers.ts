/**
 * The receive timeouts of a `framed()` connection: idle (no frame completed for too long) and
 * frame (a frame begun but not completed in time). Both count only time spent waiting for the
 * peer, while a receive is pending, so a slow consumer never makes its peer look idle, and both
 * keep no timer while nothing waits: no timer outlives a receive or keeps a process alive.
 *
 * @module
 */

import { FrameTimeoutError, IdleTimeoutError } from "./errors.ts";
import type { FramingError } from "./errors.ts";

/**
 * Pauses and resumes a connection's idle timeout, for a protocol whose peer may rightly be
 * silent for long (a remote command that prints nothing for an hour while the client waits).
 *
 * @example
 * ```ts
 * import { duplexPair, framed } from "@unstuck/unstuck";
 * const [a] = duplexPair();
 * const f = framed(a, { idleTimeoutMs: 60_000 });
 * f.idle.pause(); // the peer waits for us: no idle timeout
 * // … run the command, sending its output …
 * f.idle.resume(); // the peer's turn again: a full 60 s from now
 * console.log(f.idle.paused); // false
 * f.close();
 * ```
 */
export interface IdleControl {
  /** The idle timeout in milliseconds; 0 when there is none. */
  readonly timeoutMs: number;
  /** Whether the idle timeout is paused. */
  readonly paused: boolean;
  /**
   * Stops the idle timeout until `resume()`. Pauses nest: it runs again after as many
   * `resume()` calls as `pause()` calls.
   */
  pause(): void;
  /**
   * Undoes one `pause()`; the last one restarts the idle timeout from zero.
   *
   * @throws {TypeError} Without a matching `pause()`.
   */
  resume(): void;
}

/**
 * The two timeouts of one connection. `onTimeout` is called with the error when one expires.
 *
 * @example
 * ```ts
 * import { ReadTimers } from "./read_timers.ts";
 * const timers = new ReadTimers(20, 0, (error) => console.log(error.name));
 * timers.startWaiting(); // logs "IdleTimeoutError" after 20 ms unless stopWaiting() comes first
 * await new Promise((r) => setTimeout(r, 50));
 * timers.clear();
 * ```
 */
export class ReadTimers implements IdleControl {
  readonly timeoutMs: number;
  readonly #frameMs: number;
  readonly #onTimeout: (error: FramingError) => void;
  /** Waiting time left before each timeout expires. */
  #idleLeft: number;
  #frameLeft = 0;
  /** Whether a frame has begun and not completed. */
  #inFrame = false;
  #pauses = 0;
  /** When the current wait began (`performance.now()`), or -1 when not waiting. */
  #since = -1;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the timer fires (`performance.now()`), if one is set. */
  #due = 0;
  /** The bytes of the frame in progress, for the error. */
  #held: () => number = () => 0;

  /**
   * @param idleMs The idle timeout (0: none).
   * @param frameMs The frame timeout (0: none).
   * @param onTimeout Called once a timeout expires.
   * @param held The bytes of the frame in progress, for `FrameTimeoutError.received`.
   */
  constructor(
    idleMs: number,
    frameMs: number,
    onTimeout: (error: FramingError) => void,
    held?: () => number,
  ) {
    this.timeoutMs = idleMs;
    this.#frameMs = frameMs;
    this.#idleLeft = idleMs;
    this.#onTimeout = onTimeout;
    if (held !== undefined) this.#held = held;
  }

  get paused(): boolean {
    return this.#pauses > 0;
  }

  pause(): void {
    this.#account();
    this.#pauses++;
    this.#arm();
  }

  resume(): void {
    if (this.#pauses === 0) throw new TypeError("resume() without a matching pause()");
    this.#account();
    if (--this.#pauses === 0) this.#idleLeft = this.timeoutMs;
    this.#arm();
  }

  /** A frame completed: the idle timeout starts over, the frame timeout stops. */
  frameDone(): void {
    this.#idleLeft = this.timeoutMs;
    this.#inFrame = false;
  }

  /** The decoder holds part of a frame: the frame timeout runs, if it does not already. */
  frameStarted(): void {
    if (this.#inFrame) return;
    this.#inFrame = true;
    this.#frameLeft = this.#frameMs;
  }

  /** A receive begins to wait for the peer. */
  startWaiting(): void {
    this.#since = performance.now();
    this.#arm();
  }

  /**
   * The wait is over (bytes came, or the receive gave up). The timer stays until `settle()`: a
   * receive that got part of a frame waits again at once, and a timer set and cleared per read
   * cost 3 to 10 µs per 64 KiB frame over TLS (five reads), a tenth to a third of framed()'s own
   * time for it.
   */
  stopWaiting(): void {
    this.#account();
    this.#since = -1;
  }

  /** The receive is over: no timer while nothing waits. */
  settle(): void {
    if (this.#since < 0) this.#disarm();
  }

  /** Stops everything: the connection is closed. */
  clear(): void {
    this.#since = -1;
    this.#disarm();
  }

  /** Charges the time waited since the last accounting to the running timeouts. */
  #account(): void {
    if (this.#since < 0) return;
    const now = performance.now();
    const waited = now - this.#since;
    this.#since = now;
    if (this.#pauses === 0) this.#idleLeft -= waited;
    if (this.#inFrame) this.#frameLeft -= waited;
  }

  /**
   * Sets one timer for whichever running timeout expires first, if waiting. A timer set already
   * that fires no later is kept: firing early, it sets one for the rest (`#fire`).
   */
  #arm(): void {
    if (this.#since < 0) return this.#disarm();
    let delay = Infinity;
    if (this.timeoutMs > 0 && this.#pauses === 0) delay = this.#idleLeft;
    if (this.#frameMs > 0 && this.#inFrame) delay = Math.min(delay, this.#frameLeft);
    if (delay === Infinity) return this.#disarm();
    const due = this.#since + Math.max(0, delay);
    if (this.#timer !== undefined && this.#due <= due) return;
    this.#disarm();
    this.#due = due;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, Math.ceil(delay)));
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#since < 0) return; // between two reads of a receive: it sets one as it waits
    this.#account();
    let error: FramingError | undefined;
    if (this.#frameMs > 0 && this.#inFrame && this.#frameLeft <= 0) {
      error = new FrameTimeoutError(this.#frameMs, this.#held());
    } else if (this.timeoutMs > 0 && this.#pauses === 0 && this.#idleLeft <= 0) {
      error = new IdleTimeoutError(this.timeoutMs);
    }
    if (error === undefined) return this.#arm(); // woke early: wait for the rest
    this.clear();
    this.#onTimeout(error);
  }
}

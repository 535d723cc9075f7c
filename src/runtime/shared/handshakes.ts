/**
 * The TLS handshakes a server has accepted but not finished: each has a deadline, and at most a
 * fixed number are pending at once (one more drops the oldest). A peer that connects and never
 * completes its handshake holds a descriptor and the runtime's TLS state, so both limits are
 * what keeps a flood of them bounded in time and memory.
 *
 * @module
 */
import type { NetAddress } from "../types.ts";
import { TlsError, toTlsError } from "../errors.ts";
import { handshakeTimeoutError } from "./tls.ts";

/** The limits of {@linkcode PendingHandshakes}. */
export interface HandshakeLimits {
  /** Milliseconds a handshake may take. */
  handshakeTimeoutMs: number;
  /** Handshakes that may be pending at once. */
  maxPendingHandshakes: number;
}

interface Entry {
  abort: () => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A server's pending TLS handshakes.
 *
 * @example
 * ```ts
 * import { PendingHandshakes } from "./handshakes.ts";
 * const pending = new PendingHandshakes(
 *   { handshakeTimeoutMs: 10_000, maxPendingHandshakes: 1024 },
 *   (e) => console.error(e.message),
 * );
 * const finish = pending.start({ hostname: "127.0.0.1", port: 50000 }, () => {});
 * console.log(finish()); // true: it was still pending, go on with the connection
 * ```
 */
export class PendingHandshakes {
  readonly #limits: HandshakeLimits;
  readonly #report: (error: TlsError) => void;
  /** In insertion order, so the first one is the oldest. */
  readonly #pending = new Map<object, Entry>();

  /** Tracks handshakes within `limits`; each one that fails or is dropped goes to `report`. */
  constructor(limits: HandshakeLimits, report: (error: TlsError) => void) {
    this.#limits = limits;
    this.#report = report;
  }

  /** Handshakes pending now. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Tracks the handshake of a connection from `peer`; `abort` closes that connection. Returns
   * `finish`, to call when the handshake settled: true if it was still pending (carry on), false
   * if it had already been aborted (timed out, dropped, or the server closed).
   */
  start(peer: NetAddress, abort: () => void): () => boolean {
    const key = {};
    const where = `${peer.hostname}:${peer.port}`;
    if (this.#pending.size >= this.#limits.maxPendingHandshakes) {
      const [oldest] = this.#pending.keys();
      this.#abort(oldest);
      this.#report(
        new TlsError(
          `TLS handshake dropped: ${this.#limits.maxPendingHandshakes} handshakes were pending ` +
            `(the oldest one went to make room for ${where})`,
        ),
      );
    }
    const ms = this.#limits.handshakeTimeoutMs;
    const timer = setTimeout(() => {
      this.#abort(key);
      this.#report(handshakeTimeoutError(where, ms));
    }, ms);
    this.#pending.set(key, { abort, timer });
    return () => {
      const entry = this.#pending.get(key);
      if (entry === undefined) return false;
      clearTimeout(entry.timer);
      this.#pending.delete(key);
      return true;
    };
  }

  /**
   * Reports a handshake from `peer` that failed (after its `finish()` returned true); the
   * runtime's error becomes the cause of a `TlsError`.
   */
  failed(peer: NetAddress, error: unknown): void {
    this.#report(toTlsError(error, `TLS handshake with ${peer.hostname}:${peer.port}`));
  }

  /** Aborts every pending handshake (the server closes); none is reported. */
  abortAll(): void {
    for (const key of [...this.#pending.keys()]) this.#abort(key);
  }

  #abort(key: object): void {
    const entry = this.#pending.get(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#pending.delete(key);
    try {
      entry.abort();
    } catch {
      // Already closed.
    }
  }
}

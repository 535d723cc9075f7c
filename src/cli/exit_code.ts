/**
 * How `unstuck exec run` turns the outcome of a remote command into its own exit code, the way
 * ssh and the shell do.
 *
 * @module
 */
import type { ExecResult } from "../services/mod.ts";

/** Exit code when the time limit killed the command (as coreutils `timeout`). */
export const EXIT_TIMED_OUT = 124;
/** Exit code when the server refused or could not start the command (as a shell's "not found"). */
export const EXIT_NOT_STARTED = 127;
/** Exit code when we could not connect, authenticate, or the connection failed (as ssh). */
export const EXIT_CONNECTION_FAILED = 255;
/** Exit code when our own stdout closed (`| head`), as for a process that SIGPIPE ended. */
export const EXIT_SIGPIPE = 141;

// Linux numbering; the ones shells commonly report (1–15) agree with macOS and the BSDs.
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/**
 * The number of a signal name (`"SIGTERM"` → 15), or undefined for a name we do not know.
 *
 * @example
 * ```ts
 * import { signalNumber } from "./exit_code.ts";
 * console.log(signalNumber("SIGKILL")); // 9
 * ```
 */
export function signalNumber(name: string): number | undefined {
  return Object.hasOwn(SIGNAL_NUMBERS, name) ? SIGNAL_NUMBERS[name] : undefined;
}

/**
 * The local exit code for a remote command's `exit` message: 124 when it timed out, 128 + the
 * signal number when a signal ended it (1 for an unknown signal name), else its own exit code.
 *
 * @example
 * ```ts
 * import { exitCodeOf } from "./exit_code.ts";
 * console.log(exitCodeOf({ code: 3, signal: null, timedOut: false, truncated: false })); // 3
 * console.log(exitCodeOf({ code: null, signal: "SIGTERM", timedOut: false, truncated: false })); // 143
 * console.log(exitCodeOf({ code: null, signal: "SIGKILL", timedOut: true, truncated: false })); // 124
 * ```
 */
export function exitCodeOf(exit: ExecResult): number {
  if (exit.timedOut) return EXIT_TIMED_OUT;
  if (exit.signal !== null) {
    const n = signalNumber(exit.signal);
    return n === undefined ? 1 : 128 + n;
  }
  // A code outside 0–255 cannot be an exit status; keep its low byte as a shell would.
  return exit.code === null ? 1 : exit.code & 0xff;
}

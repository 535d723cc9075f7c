// How `unstuck exec run` maps a remote command's outcome to its own exit code.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  EXIT_CONNECTION_FAILED,
  EXIT_NOT_STARTED,
  EXIT_TIMED_OUT,
  exitCodeOf,
  signalNumber,
} from "../../src/cli/exit_code.ts";

const exit = (code: number | null, signal: string | null, timedOut = false, truncated = false) => ({
  code,
  signal,
  timedOut,
  truncated,
});

describe("exec exit codes", () => {
  it("passes the remote exit code through", () => {
    assert.equal(exitCodeOf(exit(0, null)), 0);
    assert.equal(exitCodeOf(exit(3, null)), 3);
    assert.equal(exitCodeOf(exit(255, null)), 255);
    assert.equal(exitCodeOf(exit(3, null, false, true)), 3);
  });

  it("maps a signal to 128 + its number", () => {
    assert.equal(exitCodeOf(exit(null, "SIGTERM")), 143);
    assert.equal(exitCodeOf(exit(null, "SIGKILL")), 137);
    assert.equal(exitCodeOf(exit(null, "SIGINT")), 130);
    assert.equal(exitCodeOf(exit(null, "SIGPIPE")), 141);
    assert.equal(exitCodeOf(exit(null, "SIGNOPE")), 1);
  });

  it("maps a timeout to 124 whatever signal ended it", () => {
    assert.equal(exitCodeOf(exit(null, "SIGKILL", true)), 124);
    assert.equal(exitCodeOf(exit(null, "SIGTERM", true)), 124);
    assert.equal(EXIT_TIMED_OUT, 124);
  });

  it("keeps the low byte of an out-of-range code, and 1 for no code at all", () => {
    assert.equal(exitCodeOf(exit(256 + 7, null)), 7);
    assert.equal(exitCodeOf(exit(-1, null)), 255);
    assert.equal(exitCodeOf(exit(null, null)), 1);
  });

  it("knows the common signal numbers and no inherited names", () => {
    assert.equal(signalNumber("SIGHUP"), 1);
    assert.equal(signalNumber("SIGSEGV"), 11);
    assert.equal(signalNumber("toString"), undefined);
    assert.equal(EXIT_CONNECTION_FAILED, 255);
    assert.equal(EXIT_NOT_STARTED, 127);
  });
});

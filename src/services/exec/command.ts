/**
 * One command on the server side: spawned in its own process group, its stdout and stderr sent to
 * the client as they arrive, its output capped, its stdin fed from the client.
 *
 * @module
 */
import type { SpawnOptions, Subprocess } from "../../runtime/mod.ts";
import { FRAME_STDERR, FRAME_STDOUT, type RunMessage } from "./protocol/mod.ts";
import type { FrameWriter } from "./wire.ts";
import { timerDelay } from "../timeout.ts";

/** How a command ended, as sent in the `exit` message. */
export interface CommandOutcome {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** Signal name, or null. */
  signal: string | null;
  /** True when the time limit killed it. */
  timedOut: boolean;
  /** True when it reached the output limit and was killed. */
  truncated: boolean;
  /** Bytes of output sent to the client (stdout and stderr together). */
  outputBytes: number;
}

/** Limits that apply to one command. */
export interface CommandLimits {
  /** Time limit in milliseconds. */
  timeoutMs: number;
  /** Most stdout + stderr bytes sent; the command is killed past it. */
  maxOutputBytes: number;
}

/** How long output is still read after a kill (a killed group's pipes close at once). */
const KILL_GRACE_MS = 500;

/** Starts subprocesses; the adapter's `spawn`. */
export type SpawnFunction = (options: SpawnOptions) => Subprocess;

/** A command that is running for a client. */
export class RunningCommand {
  readonly #child: Subprocess;
  readonly #writer: FrameWriter;
  readonly #limit: number;
  readonly #readers: ReadableStreamDefaultReader<Uint8Array>[];
  #cutOff: ReturnType<typeof setTimeout> | undefined;
  #sent = 0;
  #ended = false;
  #truncated = false;
  #stdinOpen: boolean;
  /** Resolves once the command has ended and all its output was sent (or could not be). */
  readonly done: Promise<CommandOutcome>;

  /**
   * Spawns `run`'s command. Throws whatever the adapter throws when it cannot start it.
   */
  constructor(spawn: SpawnFunction, run: RunMessage, limits: CommandLimits, writer: FrameWriter) {
    this.#writer = writer;
    this.#limit = limits.maxOutputBytes;
    this.#stdinOpen = run.stdin === true;
    const what = run.argv !== undefined ? { argv: run.argv } : { shell: run.shell };
    this.#child = spawn({ ...what, stdin: this.#stdinOpen, timeoutMs: limits.timeoutMs });
    this.#readers = [this.#child.stdout.getReader(), this.#child.stderr.getReader()];
    // The adapter kills the group at the time limit, but a process that left the group (setsid)
    // can still hold the pipes open; stop reading them a little later, so the command ends.
    const cutOffMs = timerDelay(limits.timeoutMs + KILL_GRACE_MS);
    this.#cutOff = setTimeout(() => this.#stopReading(), cutOffMs);
    this.done = this.#finish();
  }

  async #finish(): Promise<CommandOutcome> {
    await Promise.all([
      this.#pump(this.#readers[0], FRAME_STDOUT),
      this.#pump(this.#readers[1], FRAME_STDERR),
    ]);
    const status = await this.#child.status;
    this.#ended = true;
    clearTimeout(this.#cutOff);
    return { ...status, truncated: this.#truncated, outputBytes: this.#sent };
  }

  /** Cancels both output pipes: pending reads end, and the subprocess status can settle. */
  #stopReading(): void {
    for (const reader of this.#readers) reader.cancel().catch(() => {});
  }

  /** Sends one stream's chunks as they come; stops at the output limit or a failed write. */
  async #pump(reader: ReadableStreamDefaultReader<Uint8Array>, type: number): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (this.#truncated) break;
        let chunk = value;
        const room = this.#limit - this.#sent;
        if (chunk.length >= room) {
          chunk = chunk.subarray(0, room);
          // Exactly at the limit is still complete output, unless more follows.
          if (value.length > room) this.#truncate();
        }
        this.#sent += chunk.length;
        await this.#writer.data(type, chunk);
      }
    } catch {
      // The client is gone (a write failed): nobody can receive the output any more.
      this.kill();
    }
    await reader.cancel().catch(() => {});
  }

  #truncate(): void {
    this.#truncated = true;
    this.kill();
  }

  /** Feeds bytes to the command's stdin; dropped when it has stopped reading or has ended. */
  async writeStdin(bytes: Uint8Array): Promise<void> {
    if (!this.#stdinOpen || bytes.length === 0) return;
    try {
      await this.#child.writeStdin(bytes);
    } catch {
      this.#stdinOpen = false; // it closed its stdin or exited: later bytes have no reader
    }
  }

  /** Ends the command's stdin. */
  async closeStdin(): Promise<void> {
    if (!this.#stdinOpen) return;
    this.#stdinOpen = false;
    await this.#child.closeStdin().catch(() => {});
  }

  /** Kills the command's whole process group, and soon stops reading its output. Idempotent. */
  kill(): void {
    if (this.#ended) return;
    this.#child.kill("SIGKILL");
    clearTimeout(this.#cutOff);
    this.#cutOff = setTimeout(() => this.#stopReading(), KILL_GRACE_MS);
  }
}

/**
 * What every adapter's subprocess has in common: bounded output streams, timeout and abort that
 * kill the whole process group, an idempotent `kill()`, and one normalised exit status that is
 * reported only once the process has exited and its pipes are closed. Each adapter supplies a
 * {@linkcode ChildHandle} over its runtime's API.
 *
 * @module
 */
import type { ExitStatus, SpawnOptions, Subprocess } from "../types.ts";
import { PipeClosedError } from "../errors.ts";
import { whenAborted } from "./abortable.ts";

/** Bytes of a child's stdout (and of its stderr) held while nobody reads them. */
export const OUTPUT_HIGH_WATER_MARK = 64 * 1024;

/** A pipe from the child, read chunk by chunk. */
export interface ChunkSource {
  /** The next chunk, or null at EOF. */
  read(): Promise<Uint8Array | null>;
  /** Closes the pipe: the consumer is not interested any more. */
  cancel(): void;
}

/** The child's stdin pipe. */
export interface ChunkSink {
  /** Resolves once the pipe took all of `bytes`; rejects when it is closed. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the pipe (the child reads EOF). */
  close(): Promise<void>;
}

/** How the runtime reported the end of a process, before normalisation. */
export interface RawExit {
  /** Exit code as the runtime reported it (Deno and Bun say 143 for SIGTERM). */
  code: number | null;
  /** Signal name, or null. */
  signal: string | null;
}

/** A started child process, as an adapter hands it to {@linkcode ManagedSubprocess}. */
export interface ChildHandle {
  /** Process id; the child leads its own process group with the same id. */
  readonly pid: number;
  /** Its stdout pipe. */
  readonly stdout: ChunkSource;
  /** Its stderr pipe. */
  readonly stderr: ChunkSource;
  /** Its stdin pipe, or null when spawned without one. */
  readonly stdin: ChunkSink | null;
  /** Resolves once the process has exited (and was reaped). */
  readonly exit: Promise<RawExit>;
  /** Sends `signal` to the process group; does nothing if the group is gone; throws for a bad signal. */
  killGroup(signal: string): void;
  /**
   * Called once the process has exited and its pipes have closed, before the status resolves:
   * a contained spawn kills what the process left behind and frees its cgroup and watchdog.
   */
  release?(): Promise<void>;
}

/**
 * Checks the options shared by every adapter and returns the argv to run (`/bin/sh -c` for a
 * shell string).
 *
 * @example
 * ```ts
 * import { commandLine } from "./subprocess.ts";
 * console.log(commandLine({ shell: "echo hi" })); // ["/bin/sh", "-c", "echo hi"]
 * ```
 */
export function commandLine(options: SpawnOptions): [string, ...string[]] {
  const { argv, shell } = options;
  if ((argv === undefined) === (shell === undefined)) {
    throw new TypeError("spawn needs exactly one of `argv` and `shell`");
  }
  if (shell !== undefined) return ["/bin/sh", "-c", shell];
  if (argv === undefined || argv.length === 0 || typeof argv[0] !== "string" || argv[0] === "") {
    throw new TypeError("spawn needs a non-empty `argv`");
  }
  return [argv[0], ...argv.slice(1)];
}

/**
 * Normalises an exit: a process ended by a signal has `code: null` whatever number the runtime
 * reported alongside (Deno and Bun say 143 for SIGTERM).
 *
 * @example
 * ```ts
 * import { normaliseExit } from "./subprocess.ts";
 * console.log(normaliseExit({ code: 143, signal: "SIGTERM" }, false));
 * // { code: null, signal: "SIGTERM", timedOut: false }
 * ```
 */
export function normaliseExit(raw: RawExit, timedOut: boolean): ExitStatus {
  if (raw.signal !== null) return { code: null, signal: raw.signal, timedOut };
  return { code: raw.code, signal: null, timedOut };
}

/**
 * A Web stream over a child's pipe that reads ahead up to {@linkcode OUTPUT_HIGH_WATER_MARK}
 * bytes and no further: a child whose output nobody reads blocks on a full pipe. `done` resolves
 * at EOF, on error, or when the stream is cancelled.
 *
 * @example
 * ```ts
 * import { outputStream } from "./subprocess.ts";
 * const chunks = [new Uint8Array([1])];
 * const { stream, done } = outputStream({
 *   read: () => Promise.resolve(chunks.shift() ?? null),
 *   cancel: () => {},
 * });
 * for await (const c of stream) console.log(c);
 * await done;
 * ```
 */
export function outputStream(
  source: ChunkSource,
): { stream: ReadableStream<Uint8Array>; done: Promise<void> } {
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Uint8Array | null;
      try {
        chunk = await source.read();
      } catch (e) {
        controller.error(e);
        finished();
        return;
      }
      if (chunk === null) {
        controller.close();
        finished();
      } else controller.enqueue(chunk);
    },
    cancel() {
      source.cancel();
      finished();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: OUTPUT_HIGH_WATER_MARK }));
  return { stream, done };
}

/**
 * A Web {@linkcode ReadableStream} as a {@linkcode ChunkSource} (Deno's and Bun's child pipes).
 *
 * @example
 * ```ts
 * import { webStreamSource } from "./subprocess.ts";
 * const source = webStreamSource(new Blob(["hi"]).stream());
 * console.log(await source.read());
 * ```
 */
export function webStreamSource(stream: ReadableStream<Uint8Array>): ChunkSource {
  const reader = stream.getReader();
  return {
    async read() {
      const r = await reader.read();
      return r.done ? null : r.value;
    },
    cancel() {
      reader.cancel().catch(() => {/* already closed */});
    },
  };
}

/**
 * The {@linkcode Subprocess} every adapter returns, built on its {@linkcode ChildHandle}.
 *
 * @example
 * ```ts
 * import { type ChildHandle, ManagedSubprocess } from "./subprocess.ts";
 * async function run(handle: ChildHandle): Promise<void> {
 *   const proc = new ManagedSubprocess(handle, { argv: ["true"], timeoutMs: 1000 });
 *   console.log(await proc.status);
 * }
 * console.log(typeof run);
 * ```
 */
export class ManagedSubprocess implements Subprocess {
  /** Process id (also its process group id). */
  readonly pid: number;
  /** Its standard output, as it arrives. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** Its standard error, as it arrives. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves once it has exited and its pipes are closed. */
  readonly status: Promise<ExitStatus>;
  readonly #handle: ChildHandle;
  #finished = false;
  #timedOut = false;
  #stdinClosed = false;

  /** Manages `handle`; applies `options.timeoutMs` and `options.signal`. */
  constructor(handle: ChildHandle, options: SpawnOptions) {
    this.#handle = handle;
    this.pid = handle.pid;
    const out = outputStream(handle.stdout);
    const err = outputStream(handle.stderr);
    this.stdout = out.stream;
    this.stderr = err.stream;

    let timer: ReturnType<typeof setTimeout> | undefined;
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        this.#timedOut = true;
        this.#killGroup("SIGKILL");
      }, Math.max(0, options.timeoutMs));
    }
    const stopAbort = whenAborted(options.signal, () => this.#killGroup("SIGKILL"));

    this.status = (async () => {
      const raw = await handle.exit;
      // A grandchild may still hold the pipes; the timeout and abort stay armed until they close.
      await Promise.all([out.done, err.done]);
      clearTimeout(timer);
      stopAbort();
      await handle.release?.();
      this.#finished = true;
      // Not every runtime closes our end of stdin when the child exits (Deno keeps it open: a
      // leaked descriptor, and a grandchild reading it never sees EOF). Not awaited: a write
      // still blocked on a grandchild that does not read must not hold the status back.
      void this.closeStdin();
      return normaliseExit(raw, this.#timedOut);
    })();
  }

  /** Writes to its stdin; waits while the pipe is full. */
  writeStdin(bytes: Uint8Array): Promise<void> {
    const stdin = this.#handle.stdin;
    if (stdin === null) return Promise.reject(new PipeClosedError("spawned without `stdin: true`"));
    if (this.#stdinClosed) return Promise.reject(new PipeClosedError());
    return stdin.write(bytes);
  }

  /** Closes its stdin. Idempotent. */
  async closeStdin(): Promise<void> {
    if (this.#stdinClosed) return;
    this.#stdinClosed = true;
    await this.#handle.stdin?.close().catch(() => {/* the child is gone: it is closed */});
  }

  /** Sends a signal (default SIGTERM) to the whole process group; a no-op once it is finished. */
  kill(signal = "SIGTERM"): void {
    this.#killGroup(signal);
  }

  #killGroup(signal: string): void {
    if (!this.#finished) this.#handle.killGroup(signal);
  }

  /** Kills the process group if it still runs, closes the pipes and waits for the exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#killGroup("SIGKILL");
    await this.closeStdin();
    this.stdout.cancel().catch(() => {/* locked by a reader: it ends at EOF anyway */});
    this.stderr.cancel().catch(() => {/* locked by a reader: it ends at EOF anyway */});
    await this.status;
  }
}

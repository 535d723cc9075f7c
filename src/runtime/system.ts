/**
 * Process-level facilities the CLI needs: arguments, environment, standard streams, signals,
 * exit, and reading small files. Deno, Bun and Node all implement `node:process` and `node:fs`,
 * so one implementation serves every runtime; it lives here so nothing above the adapter layer
 * imports `node:*` itself.
 *
 * @module
 */
import process from "node:process";
import { open, readFile } from "node:fs/promises";

/** Command-line arguments after the program and script names. */
export function programArgs(): string[] {
  return process.argv.slice(2);
}

/** An environment variable, or undefined when unset. */
export function getEnv(name: string): string | undefined {
  return process.env[name];
}

/** A copy of the whole environment. */
export function environment(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** A Unix signal the CLI reacts to. */
export type ShutdownSignal = "SIGINT" | "SIGTERM";

/**
 * Calls `handler` on SIGINT or SIGTERM (instead of the default of dying at once).
 *
 * @returns a function that removes the handler again
 */
export function onShutdownSignal(handler: (signal: ShutdownSignal) => void): () => void {
  const sigint = (): void => handler("SIGINT");
  const sigterm = (): void => handler("SIGTERM");
  process.on("SIGINT", sigint);
  process.on("SIGTERM", sigterm);
  return () => {
    process.off("SIGINT", sigint);
    process.off("SIGTERM", sigterm);
  };
}

/** Ends the process with this exit code once pending output has been flushed. */
export async function exit(code: number): Promise<never> {
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write("", () => resolve());
  });
}

const quieted = new WeakSet<NodeJS.WriteStream>();

function writeTo(stream: NodeJS.WriteStream, data: string | Uint8Array): Promise<void> {
  // A closed stream (EPIPE: `unstuck … | head`) rejects the write below; without a listener its
  // 'error' event would also kill the process.
  if (!quieted.has(stream)) {
    quieted.add(stream);
    stream.on("error", () => {});
  }
  return new Promise((resolve, reject) => {
    stream.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

/** Writes to standard output; resolves once the bytes were taken (backpressure). */
export function writeStdout(data: string | Uint8Array): Promise<void> {
  return writeTo(process.stdout, data);
}

/** Writes to standard error; resolves once the bytes were taken. */
export function writeStderr(data: string | Uint8Array): Promise<void> {
  return writeTo(process.stderr, data);
}

/** Standard input as chunks of bytes, until EOF. */
export async function* readStdin(): AsyncGenerator<Uint8Array> {
  for await (const chunk of process.stdin as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
  }
}

/** Reads a whole UTF-8 text file. */
export function readTextFile(path: string): Promise<string> {
  return readFile(path, "utf8");
}

/** A file's text with the owner and permission bits of the very file that was read. */
export interface OwnedText {
  /** The whole file, as UTF-8. */
  text: string;
  /** Its permission bits (e.g. `0o600`). */
  mode: number;
  /** The user id that owns it. */
  uid: number;
}

/**
 * Reads a whole UTF-8 text file with its owner and permission bits, from one open descriptor
 * (so they describe what was read, even if the path is replaced meanwhile).
 */
export async function readOwnedTextFile(path: string): Promise<OwnedText> {
  const file = await open(path, "r");
  try {
    const { mode, uid } = await file.stat();
    return { text: await file.readFile("utf8"), mode: mode & 0o777, uid };
  } finally {
    await file.close();
  }
}

/** This process's effective user id, or undefined where there is none (Windows). */
export function effectiveUid(): number | undefined {
  return process.geteuid?.();
}

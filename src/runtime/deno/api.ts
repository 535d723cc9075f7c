/**
 * The few Deno APIs the deno adapter uses, declared locally: `tsc` (Node and Bun types) does not
 * know `Deno`, and `deno check` must agree with these shapes, so they are reached through
 * `globalThis` and checked at run time by {@linkcode denoApi}.
 *
 * @module
 */
import { UnsupportedRuntimeError } from "../errors.ts";

/** An address as Deno reports it. */
export interface DenoNetAddr {
  /** `"tcp"` or `"udp"`. */
  transport: string;
  /** IP literal. */
  hostname: string;
  /** Port. */
  port: number;
}

/** `Deno.Conn` (TCP). */
export interface DenoConn {
  /** Our end. */
  readonly localAddr: DenoNetAddr;
  /** The peer's end. */
  readonly remoteAddr: DenoNetAddr;
  /** Reads into `p`; null at EOF. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes some of `p`; resolves to how many bytes were taken. */
  write(p: Uint8Array): Promise<number>;
  /** Half-close. */
  closeWrite(): Promise<void>;
  /** Closes both directions. */
  close(): void;
  /** Nagle off (true) or on (false). */
  setNoDelay(noDelay?: boolean): void;
}

/** `Deno.Listener` (TCP). */
export interface DenoListener {
  /** The bound address. */
  readonly addr: DenoNetAddr;
  /** The next connection; rejects once closed. */
  accept(): Promise<DenoConn>;
  /** Stops listening. */
  close(): void;
}

/** `Deno.DatagramConn` (UDP, needs `--unstable-net`). */
export interface DenoDatagramConn {
  /** The bound address. */
  readonly addr: DenoNetAddr;
  /** Receives one datagram into `p`, or into a fresh buffer. */
  receive(p?: Uint8Array): Promise<[Uint8Array, DenoNetAddr]>;
  /** Sends one datagram. */
  send(p: Uint8Array, addr: DenoNetAddr): Promise<number>;
  /** Closes the socket. */
  close(): void;
}

/** Options of `new Deno.Command`. */
export interface DenoCommandOptions {
  /** Arguments after the program. */
  args?: string[];
  /** Working directory. */
  cwd?: string;
  /** Environment variables. */
  env?: Record<string, string>;
  /** Start from an empty environment (then `env` is all of it). */
  clearEnv?: boolean;
  /** stdin wiring. */
  stdin?: "piped" | "inherit" | "null";
  /** stdout wiring. */
  stdout?: "piped" | "inherit" | "null";
  /** stderr wiring. */
  stderr?: "piped" | "inherit" | "null";
  /** Run in a new session and process group (`setsid`). */
  detached?: boolean;
}

/** `Deno.ChildProcess`. */
export interface DenoChildProcess {
  /** Process id. */
  readonly pid: number;
  /** stdin pipe (with `stdin: "piped"`). */
  readonly stdin: WritableStream<Uint8Array>;
  /** stdout pipe. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** stderr pipe. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves once the process has exited. */
  readonly status: Promise<{ success: boolean; code: number; signal: string | null }>;
}

/** The part of the `Deno` namespace the adapter uses. */
export interface DenoApi {
  /** Deno's version numbers. */
  version: { deno: string };
  /** Starts listening for TCP connections. */
  listen(options: { hostname: string; port: number; transport: "tcp" }): DenoListener;
  /** Opens a TCP connection. */
  connect(options: { hostname: string; port: number; transport: "tcp" }): Promise<DenoConn>;
  /** Binds a UDP socket; undefined without `--unstable-net`. */
  listenDatagram?: (
    options: { hostname: string; port: number; transport: "udp" },
  ) => DenoDatagramConn;
  /** Subprocess builder. */
  Command: new (command: string, options?: DenoCommandOptions) => { spawn(): DenoChildProcess };
  /** Sends a signal to a process, or to a process group with a negative id. */
  kill(pid: number, signal: string): void;
}

/**
 * The `Deno` namespace, or an `UnsupportedRuntimeError` outside Deno: the deno adapter's entry
 * guard.
 *
 * @example
 * ```ts
 * import { denoApi } from "./api.ts";
 * console.log(denoApi().version.deno);
 * ```
 */
export function denoApi(): DenoApi {
  const deno = (globalThis as { Deno?: DenoApi }).Deno;
  if (typeof deno !== "object" || deno === null) {
    throw new UnsupportedRuntimeError("the deno adapter runs only in Deno");
  }
  return deno;
}

/**
 * A UDP socket's receive buffer (`SO_RCVBUF`) in Bun. `Bun.udpSocket` takes no option for it, but
 * its sockets show their descriptor (`fd`), and `bun:ffi` reaches libc's `setsockopt` and
 * `getsockopt`. Linux with glibc only (the option's numbers are Linux's); elsewhere, or when
 * either piece is missing, nothing is set and the size is unknown.
 *
 * @module
 */
import process from "node:process";
import { detectRuntime } from "../adapter.ts";
import { NetworkError } from "../errors.ts";

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;

/** `setsockopt` and `getsockopt` of an `int` socket-level option, or null where unavailable. */
interface SockOpt {
  set(fd: number, option: number, value: number): number;
  get(fd: number, option: number): number | null;
}

let loading: Promise<SockOpt | null> | undefined;

/** libc's socket options through `bun:ffi`, loaded once; null outside Bun on glibc Linux. */
function sockOpt(): Promise<SockOpt | null> {
  return loading ??= load().catch(() => null);
}

async function load(): Promise<SockOpt | null> {
  if (detectRuntime() !== "bun" || process.platform !== "linux") return null;
  // A specifier in a variable: `deno check` and tsc must not resolve Bun's own module.
  const specifier = "bun:ffi";
  const ffi = await import(specifier) as BunFfi;
  const { i32, u32, ptr } = ffi.FFIType;
  const libc = ffi.dlopen("libc.so.6", {
    setsockopt: { args: [i32, i32, i32, ptr, u32], returns: i32 },
    getsockopt: { args: [i32, i32, i32, ptr, ptr], returns: i32 },
  });
  const value = new Int32Array(1);
  const length = new Uint32Array(1);
  return {
    set(fd, option, v) {
      value[0] = v;
      return libc.symbols.setsockopt(fd, SOL_SOCKET, option, ffi.ptr(value), 4);
    },
    get(fd, option) {
      length[0] = 4;
      const r = libc.symbols.getsockopt(fd, SOL_SOCKET, option, ffi.ptr(value), ffi.ptr(length));
      return r === 0 ? value[0] : null;
    },
  };
}

/** The part of `bun:ffi` used here. */
interface BunFfi {
  FFIType: { i32: number; u32: number; ptr: number };
  dlopen(
    path: string,
    symbols: Record<string, { args: number[]; returns: number }>,
  ): { symbols: Record<string, (...args: unknown[]) => number> };
  ptr(view: ArrayBufferView): unknown;
}

/**
 * Asks for a receive buffer of `size` bytes on socket `fd` (when given), then returns its size as
 * the kernel reports it (Linux: twice what it granted), or undefined where this cannot be done.
 * Throws `NetworkError` when the kernel refuses (the size itself it caps, never refuses).
 *
 * @example
 * ```ts
 * import { receiveBuffer } from "./receive_buffer.ts";
 * // With a Bun UDP socket's `fd`, in Bun on glibc Linux: 2097152 (twice the 1 MiB granted).
 * const fd: unknown = undefined;
 * console.log(await receiveBuffer(fd, 1 << 20)); // undefined: no descriptor
 * ```
 */
export async function receiveBuffer(fd: unknown, size?: number): Promise<number | undefined> {
  if (typeof fd !== "number" || fd < 0) return undefined;
  const opt = await sockOpt();
  if (opt === null) return undefined;
  if (size !== undefined && opt.set(fd, SO_RCVBUF, size) !== 0) {
    throw new NetworkError(`setting the receive buffer to ${size} bytes failed`);
  }
  return opt.get(fd, SO_RCVBUF) ?? undefined;
}

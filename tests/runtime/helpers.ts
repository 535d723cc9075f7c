// Shared helpers of the runtime adapter tests: bounded waits, reading everything from a
// connection or stream, a checksum, and process state from /proc.
import { existsSync, readFileSync } from "node:fs";
import type { TcpConnection } from "../../src/runtime/types.ts";

/** Rejects if `promise` has not settled within `ms` milliseconds. */
export function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True if `promise` is still pending after `ms` milliseconds (it is not cancelled). */
export async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol("pending");
  const r = await Promise.race([
    promise.then(() => null, () => null),
    sleep(ms).then(() => marker),
  ]);
  return r === marker;
}

/** Concatenates chunks. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** Everything a byte source yields until its end. */
export async function readAll(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return concat(chunks);
}

/** Everything a connection yields until EOF, as text. */
export async function readText(source: AsyncIterable<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(await readAll(source));
}

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** FNV-1a, 32 bits, continued over several chunks: order-sensitive, cheap. */
export function fnv1a(chunk: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (let i = 0; i < chunk.length; i++) h = Math.imul(h ^ chunk[i], 0x01000193);
  return h >>> 0;
}

/** `n` pseudo-random bytes from `seed` (xorshift32), the same in every runtime. */
export function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Writes `text`, half-closes, and reads the reply until EOF. */
export async function request(conn: TcpConnection, text: string): Promise<string> {
  await conn.write(bytes(text));
  await conn.closeWrite();
  return await readText(conn);
}

/**
 * Whether process `pid` still runs: false when it is gone, or a zombie whose parent has not
 * reaped it yet (this machine's PID 1 does not reap orphans, so killed grandchildren can linger
 * as zombies that hold nothing).
 */
export function isRunning(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const text = readFileSync(stat, "utf8");
    const state = text.slice(text.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Whether `pid` exists at all, zombie or not (a direct child we failed to reap would). */
export function exists(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Polls `check` until it is true or `ms` have passed; returns its last value. */
export async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

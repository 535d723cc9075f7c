/**
 * Signalling a whole process group through `node:process`, which Node and Bun both implement
 * natively (the deno adapter uses `Deno.kill` instead).
 *
 * @module
 */
import process from "node:process";

/**
 * Sends `signal` to process group `pid` with `process.kill(-pid)`; a group that is gone is
 * ignored, an unknown signal name throws.
 *
 * @example
 * ```ts
 * import { killProcessGroup } from "./process_group.ts";
 * killProcessGroup(12345, "SIGTERM");
 * ```
 */
export function killProcessGroup(pid: number, signal: string): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as { code?: string }).code !== "ESRCH") throw e;
  }
}

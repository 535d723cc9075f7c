/**
 * Which commands a server agrees to run. Checked before anything is spawned.
 *
 * @module
 */
import type { RunMessage } from "./protocol/mod.ts";

/** What a server allows. */
export interface ExecPolicy {
  /** When set, argv[0] must be one of these names (compared exactly), and shell requests fail. */
  allow?: readonly string[];
  /** Allow `shell` requests (`/bin/sh -c`). Ignored when `allow` is set. @default {false} */
  shell?: boolean;
}

/**
 * Why `policy` refuses `run`, or undefined when it allows it.
 *
 * @example
 * ```ts
 * import { refusalOf } from "@unstuck/unstuck";
 * console.log(refusalOf({ type: "run", shell: "ls" }, {})); // "shell commands are not enabled on this server"
 * console.log(refusalOf({ type: "run", argv: ["ls"] }, { allow: ["ls"] })); // undefined
 * ```
 */
export function refusalOf(run: RunMessage, policy: ExecPolicy): string | undefined {
  const { allow } = policy;
  if (run.shell !== undefined) {
    if (allow !== undefined) return "shell commands are refused: this server has an allow-list";
    if (!policy.shell) return "shell commands are not enabled on this server";
    return undefined;
  }
  const program = run.argv?.[0] ?? "";
  if (allow !== undefined && !allow.includes(program)) {
    return `command not allowed: ${JSON.stringify(program)}`;
  }
  return undefined;
}

/**
 * The CLI's command table. Each command lives in its own file under `commands/`.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { execCommand } from "./commands/exec.ts";

/** Top-level commands, in the order help lists them. */
export const COMMANDS: Command[] = [execCommand];

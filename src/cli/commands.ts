/**
 * The CLI's command table. Each command lives in its own file under `commands/`.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { echoCommand } from "./commands/echo.ts";
import { chatCommand } from "./commands/chat.ts";
import { demoCommand } from "./commands/demo.ts";
import { structCommand } from "./commands/struct.ts";
import { execCommand } from "./commands/exec.ts";

/** Top-level commands, in the order help lists them. */
export const COMMANDS: Command[] = [
  echoCommand,
  chatCommand,
  execCommand,
  demoCommand,
  structCommand,
];

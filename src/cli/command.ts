/**
 * The shape of a CLI command. Commands form a tree: a group (`echo`) holds leaves
 * (`echo serve`, `echo send`); a leaf parses its flags and runs.
 *
 * @module
 */
import type { FlagSpec, ParsedArgs } from "./args.ts";

/** A command that runs. */
export interface LeafCommand<S extends FlagSpec = FlagSpec> {
  /** The word that selects it, e.g. `serve`. */
  name: string;
  /** One line for the parent's command list. */
  summary: string;
  /** Usage line after the program and parent names, e.g. `[--udp] [MESSAGE...]`. */
  usage: string;
  /** Extra help text shown below the flags. */
  details?: string;
  /** Its flags. */
  flags: S;
  /** Runs it; resolves to the exit code. Throw `UsageError` for bad usage. */
  run(args: ParsedArgs<S>): Promise<number>;
}

/** A command that only groups others. */
export interface GroupCommand {
  /** The word that selects it, e.g. `echo`. */
  name: string;
  /** One line for the parent's command list. */
  summary: string;
  /** Its subcommands. */
  subcommands: Command[];
}

/** Any command. */
// deno-lint-ignore no-explicit-any -- each leaf has its own flag spec
export type Command = LeafCommand<any> | GroupCommand;

/** Defines a leaf command with its flag types inferred from `flags`. */
export function defineCommand<S extends FlagSpec>(command: LeafCommand<S>): LeafCommand<S> {
  return command;
}

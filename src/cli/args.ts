/**
 * A small, strict command-line flag parser: unknown flags, missing values and malformed numbers
 * are usage errors (exit code 2), never silently ignored.
 *
 * @module
 */

/** The error for bad command-line usage; the CLI prints its message and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The kinds of value a flag takes. */
export type FlagType = "string" | "boolean" | "integer" | "list";

/** Describes one `--flag`. */
export interface FlagDef {
  /** What the flag takes: a string, nothing (boolean), an integer, or a repeatable string. */
  type: FlagType;
  /** One line of help. */
  help: string;
  /** A one-letter alias, e.g. `"p"` for `-p`. */
  short?: string;
  /** Name of the value in help, e.g. `PORT`. */
  placeholder?: string;
  /** The default, as shown in help (the command applies it). */
  defaultText?: string;
  /** Smallest integer allowed. */
  min?: number;
  /** Largest integer allowed. */
  max?: number;
}

/** A set of flag definitions, keyed by long name (without the dashes). */
export type FlagSpec = Record<string, FlagDef>;

/** The parsed value of a flag of type `T`. */
export type FlagValue<T extends FlagType> = T extends "boolean" ? boolean
  : T extends "integer" ? number | undefined
  : T extends "list" ? string[]
  : string | undefined;

/** Parsed flags, typed from their spec. */
export type FlagValues<S extends FlagSpec> = { [K in keyof S]: FlagValue<S[K]["type"]> };

/** The result of {@linkcode parseArgs}. */
export interface ParsedArgs<S extends FlagSpec> {
  /** Flag values by long name. */
  flags: FlagValues<S>;
  /** Arguments that are not flags, in order (everything after `--` included). */
  positionals: string[];
  /** True when `-h` or `--help` was given. */
  help: boolean;
}

function parseInteger(name: string, def: FlagDef, raw: string): number {
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${name} needs an integer, got '${raw}'`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} is out of range: ${raw}`);
  if (def.min !== undefined && n < def.min) {
    throw new UsageError(`--${name} must be at least ${def.min}, got ${raw}`);
  }
  if (def.max !== undefined && n > def.max) {
    throw new UsageError(`--${name} must be at most ${def.max}, got ${raw}`);
  }
  return n;
}

/**
 * Parses `argv` against `spec`. Accepts `--name value`, `--name=value`, `-x value`, `--` to end
 * flags, and `-h`/`--help`.
 *
 * @throws {UsageError} for an unknown flag, a missing or malformed value
 */
export function parseArgs<S extends FlagSpec>(argv: readonly string[], spec: S): ParsedArgs<S> {
  const values: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(spec)) {
    values[name] = def.type === "boolean" ? false : def.type === "list" ? [] : undefined;
  }
  const byShort = new Map<string, string>();
  for (const [name, def] of Object.entries(spec)) if (def.short) byShort.set(def.short, name);

  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else {
      const long = byShort.get(arg.slice(1));
      if (arg.length !== 2 || long === undefined) throw new UsageError(`unknown flag ${arg}`);
      name = long;
    }
    const def = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!def) throw new UsageError(`unknown flag --${name}`);
    if (def.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    if (def.type === "integer") values[name] = parseInteger(name, def, raw);
    else if (def.type === "list") (values[name] as string[]).push(raw);
    else values[name] = raw;
  }
  return { flags: values as FlagValues<S>, positionals, help };
}

/** Formats the flag table of a help text. */
export function formatFlags(spec: FlagSpec): string {
  const rows = Object.entries(spec).map(([name, def]) => {
    const value = def.type === "boolean" ? "" : ` ${def.placeholder ?? "VALUE"}`;
    const left = `${def.short ? `-${def.short}, ` : "    "}--${name}${value}`;
    const extra = def.defaultText ? ` (default: ${def.defaultText})` : "";
    return [left, def.help + extra + (def.type === "list" ? " (repeatable)" : "")];
  });
  rows.push(["-h, --help", "Show this help"]);
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`).join("\n");
}

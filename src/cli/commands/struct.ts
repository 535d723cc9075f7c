/**
 * `unstuck struct pack|unpack|calcsize`: Python's `struct` on the command line.
 *
 * @module
 */
import { defineCommand, type GroupCommand } from "../command.ts";
import { UsageError } from "../args.ts";
import { writeStdout } from "../../runtime/mod.ts";
import {
  calcsize,
  pack,
  type PackValue,
  pyRepr,
  pyTupleRepr,
  unpack,
  valueCodes,
} from "../../struct/mod.ts";

const INTEGER = "bBhHiIlLqQnNP";
const FLOAT = "efd";
const encoder = new TextEncoder();

/** Runs a struct call; its errors are about the user's format or values: usage errors. */
function userInput<T>(what: () => T): T {
  try {
    return what();
  } catch (error) {
    if (error instanceof Error && error.name !== "UsageError") {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

function parseInteger(text: string): number | bigint {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*)$/.exec(text);
  if (!m) throw new UsageError(`'${text}' is not an integer`);
  const magnitude = BigInt(m[2].replaceAll("_", ""));
  const n = m[1] === "-" ? -magnitude : magnitude;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : n;
}

function parseFloat64(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[+-]?\d+)?$/.test(t)) {
    throw new UsageError(`'${text}' is not a number`);
  }
  return Number(t.replaceAll("_", ""));
}

function parseBool(text: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  throw new UsageError(`'${text}' is not a boolean (true/false, 1/0)`);
}

/** The format character of each value the format packs or unpacks, in order. */
function valueChars(format: string): string[] {
  return userInput(() => valueCodes(format));
}

/** Turns the command-line strings into the values the format's items take, in order. */
function packValues(format: string, texts: readonly string[]): PackValue[] {
  const chars = valueChars(format);
  if (texts.length !== chars.length) {
    throw new UsageError(
      `format '${format}' takes ${chars.length} value${chars.length === 1 ? "" : "s"}, ` +
        `got ${texts.length}`,
    );
  }
  return chars.map((c, i) => {
    const text = texts[i];
    if (INTEGER.includes(c)) return parseInteger(text);
    if (FLOAT.includes(c)) return parseFloat64(text);
    if (c === "?") return parseBool(text);
    return encoder.encode(text); // c, s, p: the text's UTF-8 bytes
  });
}

function parseHex(text: string): Uint8Array {
  const hex = text.replace(/\s+/g, "");
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) {
    throw new UsageError(`'${text}' is not hex (two digits per byte)`);
  }
  return Uint8Array.from(
    { length: hex.length / 2 },
    (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

const packCommand = defineCommand({
  name: "pack",
  summary: "Pack values with a struct format; print the bytes as hex",
  usage: "FMT [VALUE...]",
  details: [
    "Integers take decimal, 0x, 0o or 0b; e/f/d take numbers, inf and nan; ? takes true or",
    "false; c, s and p take text (its UTF-8 bytes). Put -- before values such as -inf that",
    "start with a dash and are not negative integers.",
    "",
    "Example: unstuck struct pack '!IH' 1 2      prints 000000010002",
  ].join("\n"),
  flags: {},
  async run({ positionals }): Promise<number> {
    const [format, ...texts] = positionals;
    if (format === undefined) throw new UsageError("missing FMT");
    const values = packValues(format, texts);
    const bytes = userInput(() => pack(format, ...values));
    await writeStdout(toHex(bytes) + "\n");
    return 0;
  },
});

const unpackCommand = defineCommand({
  name: "unpack",
  summary: "Unpack hex bytes with a struct format; print the values as Python does",
  usage: "FMT HEX",
  details: [
    "HEX may hold spaces between bytes. Prints the tuple Python's struct.unpack returns.",
    "",
    "Example: unstuck struct unpack '<hd' 'ffff 000000000000f83f'      prints (-1, 1.5)",
  ].join("\n"),
  flags: {},
  async run({ positionals }): Promise<number> {
    if (positionals.length !== 2) throw new UsageError("needs FMT and HEX");
    const [format, hex] = positionals;
    const chars = valueChars(format);
    const values = userInput(() => unpack(format, parseHex(hex)));
    const reprs = values.map((v, i) => pyRepr(v, FLOAT.includes(chars[i])));
    await writeStdout(pyTupleRepr(reprs) + "\n");
    return 0;
  },
});

const calcsizeCommand = defineCommand({
  name: "calcsize",
  summary: "Print the size in bytes of a struct format",
  usage: "FMT",
  details: "Example: unstuck struct calcsize '@bi'      prints 8",
  flags: {},
  async run({ positionals }): Promise<number> {
    if (positionals.length !== 1) throw new UsageError("needs exactly one FMT");
    await writeStdout(`${userInput(() => calcsize(positionals[0]))}\n`);
    return 0;
  },
});

/** Python's struct on the command line. */
export const structCommand: GroupCommand = {
  name: "struct",
  summary: "Python's struct: pack, unpack, calcsize",
  subcommands: [packCommand, unpackCommand, calcsizeCommand],
};

// Shared by the examples: standard input as text lines, split by the library's delimiter codec.
// node:process works in Deno and Bun as well as Node, so the examples run unchanged everywhere.
import process from "node:process";
import { createFrameDecoder } from "../mod.ts";

/** Each line of stdin, without its line ending, until EOF. */
export async function* stdinLines(): AsyncGenerator<string> {
  const lines = createFrameDecoder({ codec: "delimiter", crlf: true, acceptUnterminated: true });
  const text = new TextDecoder();
  try {
    for await (const chunk of process.stdin as AsyncIterable<Uint8Array>) {
      for (const line of lines.push(chunk)) yield text.decode(line);
    }
    for (const line of lines.end()) yield text.decode(line);
  } finally {
    // A caller that stops early (on "quit") is done with stdin; Deno would otherwise keep it open.
    process.stdin.destroy();
  }
}

/** The port from the command line (`[PORT]`), or the tutorial's default. */
export function portArg(defaultPort: number): number {
  const arg = process.argv[2];
  return arg === undefined ? defaultPort : Number(arg);
}

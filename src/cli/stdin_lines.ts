/**
 * Standard input as lines, split by the library's own delimiter codec.
 *
 * @module
 */
import { createFrameDecoder } from "../framing/mod.ts";
import { readStdin } from "../runtime/mod.ts";

/**
 * Yields each line of standard input without its `\n` (or `\r\n`), the last one too when it has
 * no newline, until EOF.
 *
 * @example
 * ```ts
 * import { stdinLines } from "./stdin_lines.ts";
 * for await (const line of stdinLines(1 << 20)) console.log(line.length);
 * ```
 */
export async function* stdinLines(maxLineLength: number): AsyncGenerator<Uint8Array> {
  const decoder = createFrameDecoder({
    codec: "delimiter",
    delimiter: "\n",
    crlf: true,
    acceptUnterminated: true,
    maxFrameLength: maxLineLength,
  });
  for await (const chunk of readStdin()) yield* decoder.push(chunk);
  yield* decoder.end();
}

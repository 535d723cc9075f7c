#!/usr/bin/env node
/**
 * The `unstuck` command. Run it with `npx unstuck`, `deno run -A jsr:@unstuck/unstuck/cli`, or
 * `bun src/cli/main.ts`. This entry point is a program, not a library: importing it runs the CLI
 * with the process's arguments and exits. From code, use the services it wraps (`serveEcho`,
 * `serveChat`, `serveExec`, …, all exported by the main module).
 *
 * @module
 */
import { run } from "./run.ts";
import { exit, programArgs } from "../runtime/mod.ts";

await exit(await run(programArgs()));

#!/usr/bin/env node
/**
 * The `unstuck` command. Run it with `npx unstuck`, `deno run -A jsr:@unstuck/unstuck/cli`, or
 * `bun src/cli/main.ts`.
 *
 * @module
 */
import { run } from "./run.ts";
import { exit, programArgs } from "../runtime/system.ts";

await exit(await run(programArgs()));

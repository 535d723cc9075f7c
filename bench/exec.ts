// Exec benchmark, one runtime per run: the cost of running a command through `unstuck exec`
// against spawning it locally, measured in the same process and run.
//
// - commands per second: `true`, one after another over one connection, against spawning `true`
//   locally (with the same adapter) one after another;
// - throughput: `head -c 256M /dev/zero` through exec (every byte counted) against the same
//   command spawned locally with its stdout read.
//
// The server is `unstuck exec serve`, started as a separate process of the same runtime, as a
// user would run it. `bench/run_exec.mjs` runs this under Node, Deno and Bun and prints the table
// of docs/BENCHMARKS.md.
//
//   deno run -A bench/exec.ts [--quick] [--json]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { detectRuntime, ExecClient, getAdapter, spawn } from "../mod.ts";
import { runtimeVersion, startExecServer } from "./exec_server.ts";

const quick = process.argv.includes("--quick");
const json = process.argv.includes("--json");
const COMMANDS = quick ? 50 : 500;
const BYTES = (quick ? 32 : 256) * 1024 * 1024;
const ROUNDS = quick ? 1 : 3;

const runtime = detectRuntime();

async function localTrue(): Promise<void> {
  const proc = await spawn({ argv: ["true"] });
  const status = await proc.status;
  if (status.code !== 0) throw new Error(`true failed: ${JSON.stringify(status)}`);
}

async function remoteTrue(client: ExecClient): Promise<void> {
  const result = await client.run({ argv: ["true"] });
  if (result.code !== 0) throw new Error(`true failed: ${JSON.stringify(result)}`);
}

async function commandsPerSecond(once: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 10; i++) await once(); // warm-up
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < COMMANDS; i++) await once();
    best = Math.max(best, COMMANDS / ((performance.now() - start) / 1000));
  }
  return best;
}

const HEAD = ["head", "-c", String(BYTES), "/dev/zero"];

async function localBytes(): Promise<number> {
  const proc = await spawn({ argv: HEAD });
  let n = 0;
  for await (const chunk of proc.stdout) n += chunk.length;
  await proc.status;
  return n;
}

async function remoteBytes(client: ExecClient): Promise<number> {
  let n = 0;
  await client.run({ argv: HEAD, onStdout: (b) => void (n += b.length) });
  return n;
}

async function megabytesPerSecond(once: () => Promise<number>): Promise<number> {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const n = await once();
    if (n !== BYTES) throw new Error(`got ${n} bytes, expected ${BYTES}`);
    best = Math.max(best, n / 1e6 / ((performance.now() - start) / 1000));
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), "unstuck-bench-exec-"));
const tokenFile = join(dir, "token");
writeFileSync(tokenFile, "bench-token\n", { mode: 0o600 });
const server = await startExecServer(tokenFile, [
  ...["--timeout", "600", "--max-output", String(4 * BYTES)],
]);
try {
  const client = await ExecClient.connect({ token: "bench-token", port: server.port });
  const rows = {
    localCps: await commandsPerSecond(localTrue),
    remoteCps: await commandsPerSecond(() => remoteTrue(client)),
    localMBps: await megabytesPerSecond(localBytes),
    remoteMBps: await megabytesPerSecond(() => remoteBytes(client)),
  };
  client.close();
  const version = runtimeVersion();
  const adapter = (await getAdapter()).name;
  const result = {
    runtime,
    version,
    adapter,
    commands: COMMANDS,
    bytes: BYTES,
    rounds: ROUNDS,
    ...rows,
  };
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(`${version}: ${COMMANDS} × true, ${BYTES} bytes of /dev/zero`);
    console.log(`  true, local:   ${rows.localCps.toFixed(0)} commands/s`);
    console.log(
      `  true, exec:    ${rows.remoteCps.toFixed(0)} commands/s (${
        (rows.remoteCps / rows.localCps).toFixed(2)
      }×)`,
    );
    console.log(`  bytes, local:  ${rows.localMBps.toFixed(0)} MB/s`);
    console.log(
      `  bytes, exec:   ${rows.remoteMBps.toFixed(0)} MB/s (${
        (rows.remoteMBps / rows.localMBps).toFixed(2)
      }×)`,
    );
  }
} finally {
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

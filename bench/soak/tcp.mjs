// The soak's tcp part: per runtime, `unstuck echo serve` and then `unstuck exec serve` (each its
// own process, as a user runs it), each under 60 s of 1,000 concurrent loops of honest clients
// and hostile peers (bench/soak/tcp_load.mjs, a Node process of its own); the server's RSS before,
// at its peak and after the load, its log volume, and what the honest clients saw.
//
// Plain JavaScript, run by bench/soak/run.mjs (`--part tcp`).
// deno-lint-ignore-file explicit-module-boundary-types
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { bin, root } from "../_driver.mjs";

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The command that runs the CLI of `checkout` in `runtime` (Node: tsc's compiled copy in its
 * .build/bench).
 */
function cli(runtime, checkout) {
  if (runtime === "node") {
    return [process.execPath, [join(checkout, ".build/bench/src/cli/main.js")]];
  }
  if (runtime === "deno") return [bin("deno"), ["run", "-A", join(checkout, "src/cli/main.ts")]];
  return [bin("bun"), [join(checkout, "src/cli/main.ts")]];
}

/**
 * Resident set size of `pid`, in MiB (VmRSS, or another field of /proc/PID/status such as
 * RssAnon), or NaN once it is gone.
 */
export function rssMiB(pid, field = "VmRSS") {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds `pid` used so far (user + system). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Starts a server command of `checkout`'s CLI in `runtime` (its own process group); resolves with
 * its process, port and collected stderr once it says where it listens.
 */
export function startServer(runtime, args, checkout) {
  const [cmd, pre] = cli(runtime, checkout);
  const env = { ...process.env, NO_COLOR: "1" };
  delete env.UNSTUCK_TOKEN;
  const child = spawn(cmd, [...pre, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    env,
  });
  const server = { child, port: 0, stderrLines: 0, stderrBytes: 0, longestLine: 0, sample: [] };
  let partial = "";
  child.stderr.on("data", (b) => {
    const text = partial + b.toString();
    const lines = text.split("\n");
    partial = lines.pop();
    server.stderrLines += lines.length;
    server.stderrBytes += b.length;
    for (const line of lines) {
      server.longestLine = Math.max(server.longestLine, line.length);
      if (server.sample.length < 5) server.sample.push(line.slice(0, 300));
    }
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (b) => {
      out += b.toString();
      const m = /listening on tcp:\/\/[^\s]+:(\d+)/.exec(out);
      if (m && server.port === 0) {
        server.port = Number(m[1]);
        resolve(server);
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/**
 * SIGTERM to the server's process group (SIGKILL after 15 s); resolves once it exited, with whether
 * it was still running (served to the end) when asked to stop.
 */
export function stopServer(server) {
  const alive = server.child.exitCode === null;
  try {
    process.kill(-server.child.pid, "SIGTERM");
  } catch {
    // gone
  }
  if (!alive) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-server.child.pid, "SIGKILL");
      } catch {
        // gone
      }
      resolve(alive);
    }, 15_000);
    server.child.once("exit", () => {
      clearTimeout(timer);
      resolve(alive);
    });
  });
}

/** Runs the load against `port`; resolves with its JSON result. */
function runLoad(options) {
  const child = spawn("node", [join(root, "bench/soak/tcp_load.mjs"), JSON.stringify(options)], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (b) => (out += b.toString()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code !== 0 || !line) reject(new Error(`load failed (${code}): ${out}`));
      else resolve(JSON.parse(line));
    });
  });
}

/** One service under load: RSS before / peak / after, CPU, log volume, the load's result. */
async function soakOne(runtime, service, durationMs, tokenFile, checkout) {
  const args = service === "echo"
    // 1,000 connections need room (the default is 128), and idle attackers must not hold it for
    // the whole run (the defaults, 60 s and 30 s, are as long as the run).
    ? [
      "echo",
      "serve",
      "--port",
      "0",
      "--max-connections",
      "2000",
      "--idle-timeout",
      "10",
      "--frame-timeout",
      "5",
    ]
    : ["exec", "serve", "--port", "0", "--token-file", tokenFile];
  const server = await startServer(runtime, args, checkout);
  const pid = server.child.pid;
  await sleep(2_000);
  const before = rssMiB(pid);
  const cpuBefore = cpuSeconds(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid) || 0)), 250);
  const started = Date.now();
  const load = await runLoad({
    service,
    port: server.port,
    durationMs,
    token: service === "exec" ? "soak-token" : undefined,
  });
  const loadSeconds = (Date.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const linesDuringLoad = server.stderrLines;
  await sleep(10_000); // every connection gone, timers done
  clearInterval(sampler);
  const after = rssMiB(pid);
  const alive = await stopServer(server);
  return {
    runtime,
    service,
    durationMs,
    load,
    rss: { before, peak, after },
    serverCpuSeconds: cpu,
    loadSeconds,
    alive,
    log: {
      lines: linesDuringLoad,
      perSecond: linesDuringLoad / loadSeconds,
      bytes: server.stderrBytes,
      longestLine: server.longestLine,
      sample: server.sample,
    },
  };
}

/** The tcp part: every runtime, echo then exec; the rows, and the load average around them. */
export async function tcpSoak({ runtimes, durationMs, checkout = root }) {
  const dir = mkdtempSync(join(tmpdir(), "unstuck-soak-"));
  const tokenFile = join(dir, "token");
  writeFileSync(tokenFile, "soak-token", { mode: 0o600 });
  const load = () => loadavg().map((x) => x.toFixed(2)).join(", ");
  const loadBefore = load();
  const rows = [];
  try {
    for (const runtime of runtimes) {
      for (const service of ["echo", "exec"]) {
        process.stderr.write(`soak tcp: ${runtime} ${service}, ${durationMs / 1000} s…\n`);
        rows.push(await soakOne(runtime, service, durationMs, tokenFile, checkout));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, loadBefore, loadAfter: load() };
}

const mib = (x) => Number.isFinite(x) ? x.toFixed(0) : "?";
const pct = (a, b) => b === 0 ? "-" : `${(100 * a / b).toFixed(2)}%`;

/** The markdown table of the tcp part's results. */
export function tcpTable(results) {
  const rows = results.map((r) => {
    const h = r.load.honest;
    return `| ${r.runtime} | ${r.service} | ${r.load.loops} (${r.load.peakOpen}) | ` +
      `${h.ok}/${h.attempted} (${pct(h.ok, h.attempted)}) | ${h.corrupt} | ${h.lost} | ` +
      `${h.p50} / ${h.p99} ms | ${r.load.hostile.opened} | ${mib(r.rss.before)} / ` +
      `${mib(r.rss.peak)} / ${mib(r.rss.after)} MiB | ${r.serverCpuSeconds.toFixed(0)} s | ` +
      `${r.log.perSecond.toFixed(1)} (${r.log.longestLine}) | ${r.alive ? "yes" : "NO"} |`;
  });
  return [
    "| runtime | server | loops (peak open) | honest ok | corrupt | lost | honest p50 / p99 | hostile connections | server RSS before / peak / after | server CPU | log lines/s (longest) | served to the end |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

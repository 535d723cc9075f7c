// The UDP part of `npm run soak` (bench/soak/run.mjs): the chat room and the UDP echo server
// under attack, each run as `unstuck … serve` in one runtime, measured from outside.
//
// Chat: 200 honest members (each on its own 127.0.1.N, joining as the room asks, answering its
// join cookie) talk for SECONDS while bench/soak/attack.py floods from 5 members at 10,000
// lines/s, forges `/who` from a victim's address at 1,000/s (root only) and sends random garbage
// from 64 addresses that never join at 1,000/s. Measured: the share of honest lines delivered
// to every member and the time they took (p50, p99), server CPU (% of one core, from /proc) and
// RSS before, at peak and after, the bytes the victim got back per byte forged, and the server
// socket's kernel receive buffer (`--receive-buffer` of run.mjs sets it).
//
// Echo loop: two `echo serve --udp` servers, five datagrams forged from one to the other (root
// only), and the CPU both burn over 10 s.
//
// Plain JavaScript, run by Node as it is.
// deno-lint-ignore-file explicit-module-boundary-types
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, root } from "../_driver.mjs";

const HONEST = 200;
const HONEST_EVERY_MS = 10_000;
/** Datagrams per second of each attack (SOAK_ATTACK="flood,spoof,garbage" changes them). */
const [flood, spoof, garbage] = (process.env.SOAK_ATTACK ?? "10000,1000,1000").split(",").map(
  Number,
);
const ATTACK = { flood, spoof, garbage };
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const HELLO = Buffer.from("/join".padEnd(16, " "));
const CHALLENGE = /^\* (?:to join, send:|send) (\/join \S+)$/;

/** The command that runs the CLI of `checkout` in `runtime` (Node: tsc's copy in .build/bench). */
export function cliCommand(runtime, checkout = root) {
  if (runtime === "node") {
    return [process.execPath, [join(checkout, ".build/bench/src/cli/main.js")]];
  }
  if (runtime === "deno") {
    return [bin("deno"), ["run", "-A", "--unstable-net", join(checkout, "src/cli/main.ts")]];
  }
  return [bin("bun"), [join(checkout, "src/cli/main.ts")]];
}

/** Starts `unstuck ARGS` and resolves once it printed its `listening on udp://…` line. */
export async function startServer(runtime, args, checkout) {
  const [cmd, pre] = cliCommand(runtime, checkout);
  const child = spawn(cmd, [...pre, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (out = (out + d).slice(-4096)));
  child.stderr.setEncoding("utf8").on("data", (d) => (err = (err + d).slice(-65536)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /listening on udp:\/\/[^:]+:(\d+)/.exec(out);
    if (m) return { child, port: Number(m[1]), stderr: () => err };
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`${runtime}: the server did not start: ${out}${err}`);
    }
    await pause(20);
  }
}

/** CPU seconds (user + system) and RSS (MiB) of a process, from /proc. */
export function usage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return { cpu, rssMiB: rss / 1024 };
}

/** Datagrams the kernel dropped for the socket bound to 127.0.0.1:`port` (its buffer was full). */
export function kernelDrops(port) {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local) return Number(fields.at(-1));
  }
  return NaN;
}

/** The kernel's receive buffer (`rb` of `ss -m`, bytes) of the UDP socket on 127.0.0.1:`port`. */
export function kernelReceiveBuffer(port) {
  const ss = spawnSync("ss", ["-uanmH", `sport = :${port}`], { encoding: "utf8" });
  const rb = /\brb(\d+)/.exec(ss.stdout ?? "");
  return rb === null ? NaN : Number(rb[1]);
}

/** Datagrams the kernel dropped for the honest members' sockets (127.0.1.N): the harness's own. */
export function memberKernelDrops() {
  let drops = 0;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (/^[0-9A-F]{2}01007F:/.test(fields[1] ?? "")) drops += Number(fields.at(-1));
  }
  return drops;
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  const exited = new Promise((r) => child.once("exit", r));
  if (await Promise.race([exited.then(() => true), pause(10_000).then(() => false)])) return;
  child.kill("SIGKILL");
  await exited;
}

/**
 * An honest member on its own loopback address: joins, then counts the honest lines it gets and
 * how long each took to arrive (`sentAt`: when each honest line was sent, by its text).
 */
async function honestMember(i, port, sentAt, latencies) {
  const socket = createSocket("udp4");
  await new Promise((r) => socket.bind(0, `127.0.1.${i + 1}`, r));
  const name = `h${i}`;
  const member = { socket, name, joined: false, received: 0, sent: 0, flood: 0 };
  socket.on("message", (m) => {
    const line = m.toString();
    if (/^flood\d+: /.test(line)) member.flood++;
    const challenge = CHALLENGE.exec(line);
    if (challenge) socket.send(challenge[1], port, "127.0.0.1");
    else if (line.startsWith("* you joined as")) socket.send(`/nick ${name}`, port, "127.0.0.1");
    else if (line === `* you are now ${name}`) member.joined = true;
    else if (/^h\d+: m \d+$/.test(line)) {
      member.received++;
      const sent = sentAt.get(line);
      if (sent !== undefined) latencies.push(performance.now() - sent);
    }
  });
  socket.send(HELLO, port, "127.0.0.1");
  return member;
}

/** The `q` quantile of `values` (sorted in place), in their unit. */
function quantile(values, q) {
  values.sort((a, b) => a - b);
  return values.length === 0
    ? NaN
    : values[Math.min(values.length - 1, Math.floor(q * values.length))];
}

/**
 * The chat soak in one runtime; `seconds` of attack; `receiveBuffer`: the server's
 * `--receive-buffer` (undefined: its default).
 */
export async function chatSoak(runtime, seconds, checkout, receiveBuffer) {
  const server = await startServer(
    runtime,
    [
      "chat",
      "serve",
      "--port",
      "0",
      "--verify",
      "--max-peers",
      "2048",
      ...(receiveBuffer === undefined ? [] : ["--receive-buffer", String(receiveBuffer)]),
    ],
    checkout,
  );
  const victim = createSocket("udp4");
  await new Promise((r) => victim.bind(0, "127.0.0.1", r));
  let victimBytes = 0;
  victim.on("message", (m) => (victimBytes += m.length));
  const members = [];
  const sentAt = new Map();
  const latencies = [];
  try {
    for (let i = 0; i < HONEST; i++) {
      members.push(await honestMember(i, server.port, sentAt, latencies));
      await pause(10);
    }
    // Joins and names are broadcast to everyone: some replies get lost in that storm. Ask again.
    const deadline = Date.now() + 30_000;
    while (members.some((m) => !m.joined) && Date.now() < deadline) {
      await pause(1_000);
      for (const m of members.filter((m) => !m.joined)) {
        m.socket.send(HELLO, server.port, "127.0.0.1");
        m.socket.send(`/nick ${m.name}`, server.port, "127.0.0.1");
      }
    }
    const joined = members.filter((m) => m.joined).length;
    if (joined < HONEST) throw new Error(`${runtime}: only ${joined} of ${HONEST} members joined`);
    await pause(1_000);
    const before = usage(server.child.pid);
    const dropsBefore = kernelDrops(server.port);
    const memberDropsBefore = memberKernelDrops();
    const attack = spawn("python3", [
      join(root, "bench/soak/attack.py"),
      String(server.port),
      String(seconds),
      "5",
      String(ATTACK.flood),
      String(ATTACK.spoof),
      String(ATTACK.garbage),
      String(victim.address().port),
    ], { stdio: ["ignore", "pipe", "inherit"] });
    let attackOut = "";
    attack.stdout.setEncoding("utf8").on("data", (d) => (attackOut += d));
    const attackDone = new Promise((r) => attack.once("exit", r));
    while (!attackOut.includes("attacking") && attack.exitCode === null) await pause(20);
    const started = Date.now();
    const end = started + seconds * 1000;
    let peak = before.rssMiB;
    // Each member speaks every 10 s, staggered; nobody starts a line in the last 3 s.
    const talking = members.map((m, i) =>
      (async () => {
        await pause((i * HONEST_EVERY_MS) / HONEST);
        while (Date.now() < end - 3_000) {
          const text = `m ${m.sent++}`;
          sentAt.set(`${m.name}: ${text}`, performance.now());
          m.socket.send(text, server.port, "127.0.0.1");
          await pause(HONEST_EVERY_MS);
        }
      })()
    );
    while (Date.now() < end) {
      peak = Math.max(peak, usage(server.child.pid).rssMiB);
      await pause(1_000);
    }
    await Promise.all(talking);
    await attackDone;
    const during = usage(server.child.pid);
    const dropped = kernelDrops(server.port) - dropsBefore;
    const memberDropped = memberKernelDrops() - memberDropsBefore;
    await pause(5_000);
    const after = usage(server.child.pid);
    const sent = members.reduce((n, m) => n + m.sent, 0);
    const received = members.reduce((n, m) => n + m.received, 0);
    const attacked = JSON.parse(attackOut.split("\n").find((l) => l.startsWith("{")) ?? "{}");
    return {
      runtime,
      seconds,
      honestLines: sent,
      receiveBuffer: kernelReceiveBuffer(server.port),
      delivered: received / (sent * HONEST),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      cpuPercent: (100 * (during.cpu - before.cpu)) / ((Date.now() - 5_000 - started) / 1000),
      rssBefore: before.rssMiB,
      rssPeak: Math.max(peak, during.rssMiB),
      rssAfter: after.rssMiB,
      ...attacked,
      victimBytes,
      kernelDropped: dropped,
      memberKernelDropped: memberDropped,
      amplification: attacked.spoofed ? victimBytes / (attacked.spoofed * 4) : undefined,
      logLines: server.stderr().split("\n").filter(Boolean).length,
      floodLinesPerMember: members.reduce((n, m) => n + m.flood, 0) / HONEST,
    };
  } finally {
    for (const m of members) m.socket.close();
    victim.close();
    await stop(server.child);
  }
}

/** Two echo servers looped by five forged datagrams: CPU over `seconds`. Needs root. */
export async function echoLoop(runtime, seconds, checkout) {
  const a = await startServer(runtime, ["echo", "serve", "--udp", "--port", "0"], checkout);
  const b = await startServer(runtime, ["echo", "serve", "--udp", "--port", "0"], checkout);
  try {
    await pause(500);
    const start = [usage(a.child.pid), usage(b.child.pid)];
    const spoofer = spawnSync("python3", [
      join(root, "tests/python/spoof_udp.py"),
      "127.0.0.1",
      String(a.port),
      "127.0.0.1",
      String(b.port),
      "6c6f6f70",
      "5",
    ], { encoding: "utf8" });
    if (spoofer.status !== 0) return { runtime, skipped: spoofer.stderr.trim() };
    const t0 = Date.now();
    await pause(seconds * 1000);
    const elapsed = (Date.now() - t0) / 1000;
    const [ua, ub] = [usage(a.child.pid), usage(b.child.pid)];
    return {
      runtime,
      seconds: elapsed,
      cpuPercentA: (100 * (ua.cpu - start[0].cpu)) / elapsed,
      cpuPercentB: (100 * (ub.cpu - start[1].cpu)) / elapsed,
    };
  } finally {
    await stop(a.child);
    await stop(b.child);
  }
}

// The soak's memory part (issue 11): does an echo server's memory follow the bytes peers send, or
// the lengths they announce, and what does the runtime give back once they are gone? Per runtime
// and scenario, a fresh `unstuck echo serve` and 128 lying, stalling peers from 8 addresses
// (127.0.0.2–9, 16 each: the default limit per address), as plain node:net clients:
//
//   A  each announces a "!I" frame of 8 MiB − 1 bytes, sends 10 bytes of it, and stalls;
//   B  each sends all of it but the last byte (8 MiB − 2 bytes), and stalls.
//
// The server's RSS (/proc/PID/status) before, at its peak (sampled every 200 ms), while the peers
// stall, once they are closed, and 10 s after that; whether the server closed all of them (its
// frame timeout), and whether an honest client on 127.0.0.1 got an echo meanwhile. A checkout
// without a frame timeout (before issue 11) gets no such flag: its peers are closed by us.
//
// Plain JavaScript, run by bench/soak/run.mjs (`--part memory`).
// deno-lint-ignore-file explicit-module-boundary-types
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { rssMiB, sleep, startServer, stopServer } from "./tcp.mjs";

const MiB = 1024 * 1024;
const ANNOUNCED = 8 * MiB - 1;
const PEERS = 128;
const ADDRESSES = 8;

/**
 * The server's frame timeout per scenario, in s: 5 s for A; B's GiB takes longer than that to
 * arrive over loopback on a busy machine (7.6 s once), so that its peers would be closed before
 * they all stall.
 */
export const FRAME_TIMEOUT = { A: 5, B: 20 };

/**
 * Where `pid`'s resident memory is, from /proc/PID/smaps, in MiB: `brk`, glibc's main arena (the
 * `[heap]` mapping); `large`, anonymous mappings of at least 8 MiB (a frame's buffer mapped by
 * itself: glibc unmaps such a chunk when it is freed, so one still mapped is still live to the
 * runtime) and how many.
 */
function residentBy(pid) {
  const where = { brk: 0, large: 0, largeCount: 0 };
  let smaps;
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, "utf8");
  } catch {
    return where;
  }
  for (const mapping of smaps.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    const [range, , , , inode, name] = mapping.slice(0, mapping.indexOf("\n")).split(/\s+/);
    const rss = Number(/\nRss:\s+(\d+) kB/.exec(mapping)?.[1] ?? 0) / 1024;
    const [start, end] = range.split("-").map((x) => parseInt(x, 16));
    if (name === "[heap]") where.brk += rss;
    else if (inode === "0" && !name && end - start >= 8 * MiB) {
      where.large += rss;
      where.largeCount++;
    }
  }
  return where;
}

/**
 * Asks glibc in `pid` to give its free pages back (gdb calls `malloc_trim(0)` in it): what is
 * resident after that, the runtime still holds. False if gdb is missing or the call failed.
 */
function trimMalloc(pid) {
  const r = spawnSync("gdb", ["-p", String(pid), "-batch", "-ex", "call (int) malloc_trim(0)"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return r.status === 0 && /\$1 = [01]/.test(r.stdout ?? "");
}

/** The bytes each peer of a scenario sends before it stalls. */
function attackBytes(scenario) {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(ANNOUNCED);
  const body = scenario === "A" ? randomBytes(10) : Buffer.alloc(ANNOUNCED - 1, 0x61);
  return [header, body];
}

/** One peer: connects from `localAddress`, sends `bytes`, reads and drops whatever comes back. */
function attacker(port, localAddress, bytes) {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    const peer = { socket, sent: false, closed: false, closedByUs: false, refused: false };
    socket.resume();
    socket.on("error", () => {});
    socket.on("close", () => {
      peer.closed = true;
      resolve(peer);
    });
    socket.once("connect", () => {
      for (const part of bytes.slice(0, -1)) socket.write(part);
      socket.write(bytes.at(-1), () => {
        peer.sent = true;
        resolve(peer);
      });
    });
  });
}

/** An honest echo round trip from 127.0.0.1: the same `size` bytes back within 10 s, and how long. */
function honestRoundTrip(port, size = 1024) {
  const payload = randomBytes(size);
  const frame = Buffer.concat([Buffer.alloc(4), payload]);
  frame.writeUInt32BE(payload.length);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, localAddress: "127.0.0.1" });
    let got = Buffer.alloc(0);
    const done = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok, ms: Math.round(performance.now() - started) });
    };
    const timer = setTimeout(() => done(false), 10_000);
    socket.on("error", () => done(false));
    socket.on("close", () => done(false));
    socket.once("connect", () => socket.write(frame));
    socket.on("data", (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= frame.length) done(got.subarray(0, frame.length).equals(frame));
    });
  });
}

/** Resolves once every peer is closed, or after `ms`. */
async function allClosed(peers, ms) {
  const until = Date.now() + ms;
  while (peers.some((p) => !p.closed) && Date.now() < until) await sleep(100);
}

/**
 * One scenario on a fresh server: RSS (MiB) before, at its peak, while stalled, once the peers are
 * closed and 10 s after; how many peers the server closed; the honest round trip.
 * `frameTimeout` (s): passed to the server; 0 for a checkout without one (we close the peers).
 */
export async function memoryRun(runtime, scenario, { checkout, frameTimeout }) {
  // One place beyond the attackers' 128, so that the honest client is not refused for room (at
  // the defaults it would be: 8 addresses × 16 fill the server, docs/SECURITY.md).
  const args = ["echo", "serve", "--port", "0", "--max-connections", String(PEERS + 1)];
  if (frameTimeout > 0) args.push("--frame-timeout", String(frameTimeout));
  const server = await startServer(runtime, args, checkout);
  const pid = server.child.pid;
  await sleep(2_000);
  const rss = { before: rssMiB(pid), virtualBefore: rssMiB(pid, "VmSize") };
  let peak = rss.before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid) || 0)), 200);
  const bytes = attackBytes(scenario);
  const started = Date.now();
  const peers = await Promise.all(
    Array.from(
      { length: PEERS },
      (_, i) => attacker(server.port, `127.0.0.${2 + (i % ADDRESSES)}`, bytes),
    ),
  );
  const sendSeconds = (Date.now() - started) / 1000;
  const honest = await honestRoundTrip(server.port);
  await sleep(1_000);
  rss.stalled = rssMiB(pid);
  rss.virtualStalled = rssMiB(pid, "VmSize");
  const openWhenStalled = peers.filter((p) => !p.closed).length;
  const sentWhole = peers.filter((p) => p.sent).length;
  if (frameTimeout > 0) await allClosed(peers, (frameTimeout + 20) * 1000);
  const closedByServer = peers.filter((p) => p.closed).length;
  for (const p of peers) p.socket.destroy();
  await allClosed(peers, 5_000);
  await sleep(500);
  rss.closed = rssMiB(pid);
  rss.closedBy = residentBy(pid);
  await sleep(10_000);
  clearInterval(sampler);
  rss.later = rssMiB(pid);
  rss.laterAnon = rssMiB(pid, "RssAnon");
  rss.laterBy = residentBy(pid);
  // Honest work after the attack (100 echoes of 64 KiB): the allocations that let a runtime
  // decide to collect what the peers left.
  let honestAfter = 0;
  for (let i = 0; i < 100; i++) honestAfter += (await honestRoundTrip(server.port, 64 * 1024)).ok;
  await sleep(1_000);
  rss.honest = rssMiB(pid);
  // A diagnostic, not what a server does by itself: glibc's free pages given back.
  if (trimMalloc(pid)) {
    await sleep(500);
    rss.trimmed = rssMiB(pid);
  }
  rss.peak = Math.max(peak, rss.stalled, rss.closed, rss.later);
  const alive = await stopServer(server);
  return {
    runtime,
    scenario,
    frameTimeout,
    sendSeconds,
    sentWhole,
    openWhenStalled,
    closedByServer,
    honest,
    honestAfter,
    rss,
    alive,
    logLines: server.stderrLines,
    logSample: server.sample,
  };
}

/** Every runtime × scenario, on `checkout`'s CLI and, if given, on `before`'s (no frame timeout). */
export async function memorySoak({ runtimes, checkout, before }) {
  const rows = [];
  const runs = [["after", checkout, true], ...(before ? [["before", before, false]] : [])];
  for (const [label, dir, timeouts] of runs) {
    for (const runtime of runtimes) {
      for (const scenario of ["A", "B"]) {
        process.stderr.write(`soak memory: ${label}, ${runtime}, scenario ${scenario}…\n`);
        const frameTimeout = timeouts ? FRAME_TIMEOUT[scenario] : 0;
        rows.push({
          label,
          ...(await memoryRun(runtime, scenario, { checkout: dir, frameTimeout })),
        });
      }
    }
  }
  return rows;
}

const mib = (x) => Number.isFinite(x) ? x.toFixed(0) : "?";

/** The markdown table of the memory part's rows. */
export function memoryTable(rows) {
  const lines = rows.map((r) => {
    const { rss } = r;
    const closed = r.frameTimeout > 0
      ? `${r.closedByServer}/${PEERS}${
        r.openWhenStalled < PEERS ? ` (${PEERS - r.openWhenStalled} before the stall)` : ""
      }`
      : `— (we closed them)`;
    return `| ${r.label} | ${r.runtime} | ${r.scenario} | ${mib(rss.before)} | ${
      mib(rss.peak)
    } | ` +
      `${mib(rss.stalled)} (+${mib(rss.virtualStalled - rss.virtualBefore)}) | ${
        mib(rss.closed)
      } | ` +
      `${mib(rss.later)} | ${mib(rss.laterBy.brk)} / ${mib(rss.laterBy.large)} | ` +
      `${mib(rss.honest)} | ${mib(rss.trimmed)} | ${closed} | ` +
      `${r.honest.ok ? "yes" : "NO"}, ${r.honestAfter}/100 |`;
  });
  return [
    "| checkout | runtime | scenario | before | peak | stalled (virtual growth) | peers closed | 10 s later | of which brk heap / 8 MiB+ mappings | after 100 honest echoes | after malloc_trim | closed by the server | honest echo: while stalled, after |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ...lines,
  ].join("\n");
}

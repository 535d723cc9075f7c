#!/usr/bin/env node
// `npm run soak`: long runs of the servers under attack, outside `npm test`. Each part measures
// one service in each runtime and prints the markdown of its section of docs/BENCHMARKS.md.
//
//   node bench/soak/run.mjs [--part udp] [--runtime node,deno,bun] [--seconds 60]
//                           [--receive-buffer BYTES]   # chat serve's (default: its own, 4 MiB)
//                           [--checkout DIR]   # another checkout's CLI (e.g. before a fix)
//                           [--before DIR]     # memory: also this checkout's CLI, beside it
//
// Parts: `udp` (bench/soak/udp.mjs: the chat room and the UDP echo), `tcp` (bench/soak/tcp.mjs:
// the TCP echo and exec servers under 1,000 connections of honest clients and hostile peers),
// `memory` (bench/soak/memory.mjs: the TCP echo's RSS under 128 lying and stalling peers, and
// after they left; with `--before`, the same against an older checkout, which has no frame
// timeout; gdb, if present, for its malloc_trim column).
// A part is a function from the options to the lines it prints; add one to PARTS.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { bin, formatNumber as fmt, listOption, machine, option, root } from "../_driver.mjs";
import { chatSoak, echoLoop } from "./udp.mjs";
import { tcpSoak, tcpTable } from "./tcp.mjs";
import { FRAME_TIMEOUT, memorySoak, memoryTable } from "./memory.mjs";

/** Compiles `checkout` for Node into its .build/bench (type errors of an old checkout tolerated). */
function compileForNode(checkout) {
  const args = ["-p", "tsconfig.test.json", "--outDir", ".build/bench"];
  const tsc = spawnSync(bin("tsc"), args, { cwd: checkout, stdio: "inherit" });
  if (tsc.status !== 0 && checkout === root) throw new Error(`tsc ${args.join(" ")} failed`);
}

async function udpPart({ runtimes, seconds, checkout, receiveBuffer }) {
  const out = [];
  const chat = [];
  const loops = [];
  for (const runtime of runtimes) {
    process.stderr.write(`soak udp: chat, ${runtime}, ${seconds} s…\n`);
    chat.push(await chatSoak(runtime, seconds, checkout, receiveBuffer));
    process.stderr.write(`soak udp: echo loop, ${runtime}, 10 s…\n`);
    loops.push(await echoLoop(runtime, 10, checkout));
  }
  out.push(
    `Command: \`node bench/soak/run.mjs --part udp --seconds ${seconds}${
      receiveBuffer === undefined ? "" : ` --receive-buffer ${receiveBuffer}`
    }\` — ${machine()}.`,
    "",
    "| runtime | server's receive buffer (kernel) | honest lines | delivered | delivery p50 / p99 | flood sent | flood relayed per member | forged /who | garbage | dropped by the kernel (server / members) | victim bytes per forged byte | server CPU | RSS before / peak / after | log lines |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
  );
  for (const r of chat) {
    out.push(
      `| ${r.runtime} | ${fmt(r.receiveBuffer / 1024, 0)} KiB | ${fmt(r.honestLines)} | ${
        fmt(100 * r.delivered, 2)
      } % | ` +
        `${fmt(r.p50Ms, 1)} / ${fmt(r.p99Ms, 1)} ms | ${fmt(r.flood ?? 0)} | ` +
        `${fmt(r.floodLinesPerMember)} | ${r.spoofing ? fmt(r.spoofed) : "— (not root)"} | ` +
        `${fmt(r.garbage ?? 0)} | ${fmt(r.kernelDropped)} / ${fmt(r.memberKernelDropped)} | ` +
        `${r.amplification === undefined ? "—" : fmt(r.amplification, 2)} | ${
          fmt(r.cpuPercent, 0)
        } % | ` +
        `${fmt(r.rssBefore, 0)} / ${fmt(r.rssPeak, 0)} / ${fmt(r.rssAfter, 0)} MiB | ${
          fmt(r.logLines)
        } |`,
    );
  }
  out.push(
    "",
    "| runtime | echo loop: CPU of server A | CPU of server B |",
    "| --- | ---: | ---: |",
  );
  for (const r of loops) {
    out.push(
      r.skipped
        ? `| ${r.runtime} | — (${r.skipped}) | — |`
        : `| ${r.runtime} | ${fmt(r.cpuPercentA, 1)} % | ${fmt(r.cpuPercentB, 1)} % |`,
    );
  }
  console.error(JSON.stringify({ chat, loops }));
  return out;
}

async function tcpPart({ runtimes, seconds, checkout }) {
  const results = await tcpSoak({ runtimes, durationMs: seconds * 1000, checkout });
  console.error(JSON.stringify({ tcp: results }));
  return [
    `Command: \`node bench/soak/run.mjs --part tcp --seconds ${seconds}\` — ${machine()}; ` +
    `load average before: ${results.loadBefore}, after: ${results.loadAfter}.`,
    "",
    tcpTable(results.rows),
  ];
}

async function memoryPart({ runtimes, checkout, before }) {
  const rows = await memorySoak({ runtimes, checkout, before });
  console.error(JSON.stringify({ memory: rows }));
  return [
    `Command: \`node bench/soak/run.mjs --part memory${before ? " --before DIR" : ""}\` — ` +
    `${machine()}; RSS in MiB; \`echo serve --max-connections 129 --frame-timeout ` +
    `${FRAME_TIMEOUT.A} (A) / ${FRAME_TIMEOUT.B} (B)\`, the checkout before without a frame timeout.`,
    "",
    memoryTable(rows),
  ];
}

const PARTS = { udp: udpPart, tcp: tcpPart, memory: memoryPart };

const parts = listOption("part", Object.keys(PARTS));
const runtimes = listOption("runtime");
const seconds = Number(option("seconds", "60"));
const checkout = resolve(option("checkout", root));
const receiveBuffer = option("receive-buffer", undefined);
const before = option("before") && resolve(option("before"));
for (const part of parts) {
  if (!(part in PARTS)) throw new Error(`unknown part ${part} (one of ${Object.keys(PARTS)})`);
}
if (runtimes.includes("node")) {
  compileForNode(checkout);
  if (before && parts.includes("memory")) compileForNode(before);
}
for (const part of parts) {
  console.log(
    (await PARTS[part]({ runtimes, seconds, checkout, receiveBuffer, before })).join("\n"),
  );
}

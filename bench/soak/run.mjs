#!/usr/bin/env node
// `npm run soak`: long runs of the servers under attack, outside `npm test`. Each part measures
// one service in each runtime and prints the markdown of its section of docs/BENCHMARKS.md.
//
//   node bench/soak/run.mjs [--part udp] [--runtime node,deno,bun] [--seconds 60]
//                           [--receive-buffer BYTES]   # chat serve's (default: its own, 4 MiB)
//                           [--checkout DIR]   # another checkout's CLI (e.g. before a fix)
//
// Parts: `udp` (bench/soak/udp.mjs: the chat room and the UDP echo), `tcp` (bench/soak/tcp.mjs:
// the TCP echo and exec servers under 1,000 connections of honest clients and hostile peers).
// A part is a function from the options to the lines it prints; add one to PARTS.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { bin, formatNumber as fmt, listOption, machine, option, root } from "../_driver.mjs";
import { chatSoak, echoLoop } from "./udp.mjs";
import { tcpSoak, tcpTable } from "./tcp.mjs";

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

const PARTS = { udp: udpPart, tcp: tcpPart };

const parts = listOption("part", Object.keys(PARTS));
const runtimes = listOption("runtime");
const seconds = Number(option("seconds", "60"));
const checkout = resolve(option("checkout", root));
const receiveBuffer = option("receive-buffer", undefined);
for (const part of parts) {
  if (!(part in PARTS)) throw new Error(`unknown part ${part} (one of ${Object.keys(PARTS)})`);
}
if (runtimes.includes("node")) compileForNode(checkout);
for (const part of parts) {
  console.log((await PARTS[part]({ runtimes, seconds, checkout, receiveBuffer })).join("\n"));
}

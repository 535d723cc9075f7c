#!/usr/bin/env node
// Runs bench/tls_services.ts under Node, Deno and Bun (Node runs tsc's compiled copy in
// .build/bench), in rounds so that every runtime meets the same machine load, keeps each row's
// best, and prints the markdown of the "Services over TLS" section of docs/BENCHMARKS.md: the echo
// service over TLS beside plaintext and beside a raw TLS echo on the runtime's own API, measured in
// the same process, with the target of issue 13 (64 KiB frames, at least 0.90× the raw TLS loop);
// and exec over TLS beside plaintext.
//
//   node bench/run_tls_services.mjs [--quick] [--rounds N] [--runtime node,deno,bun]
import {
  bestOfTlsRounds,
  compileForNode,
  flag,
  formatNumber as fmt,
  listOption,
  machine,
  makeCertificate,
  option,
} from "./_driver.mjs";

const quick = flag("quick");
const rounds = Number(option("rounds", quick ? "1" : "3"));
const runtimes = listOption("runtime");
compileForNode(runtimes);
const { best, last: meta } = bestOfTlsRounds("tls_services", {
  runtimes,
  rounds,
  quick,
  cert: makeCertificate(),
  timeoutMs: 30 * 60_000,
  keyOf: (row) => `${row.section}/${row.workload}/${row.impl}/${row.transport}`,
  rateOf: (row) => row.rate,
});

const rowsOf = (runtime, section, workload) =>
  Object.values(best[runtime]).filter((r) => r.section === section && r.workload === workload);
/** The raw TLS echo on the runtime's own API (not node:tls in Deno or Bun). */
const ownRaw = (runtime, workload) =>
  rowsOf(runtime, "echo", workload).find((r) =>
    r.raw === "echo" && (runtime === "node" || !r.impl.includes("node:tls"))
  );
const mb = (rate) => fmt(rate / 1e6);
const { workloads, exec } = meta[runtimes[0]];

const out = [];
out.push(
  `Command: \`node bench/run_tls_services.mjs${quick ? " --quick" : ""}\` — ${machine()}, ` +
    `best of ${rounds} round(s), runtimes taking turns. **Echo**: server and client in one ` +
    "process on loopback, a P-256 self-signed certificate pinned by the client; the client keeps " +
    "a window of `!I` frames in flight and sends one more for each one back, until all are back: " +
    `**64 KiB** frames, ${workloads.large.window} in flight, ${
      workloads.large.total * 64 / 1024
    } MiB each way; ` +
    `**64 B** frames, ${workloads.small.window} in flight, ${fmt(workloads.small.total)} frames. ` +
    "MB/s counts payload bytes echoed (10^6 per s, one direction). Raw TLS echo " +
    "(bench/tls_echo_raw.ts): the runtime's own API (node:tls; `Deno.listenTls`/`connectTls`; " +
    "`Bun.listen`/`connect` with `tls`), a server writing back each chunk as it comes, a client " +
    "counting frames in place; and node:tls in Deno and Bun. For scale, the same frames sent one " +
    "way by bench/tls_raw.ts's loop. unstuck: `serveEcho` and " +
    "`connectEcho` (native adapter), `request()` per frame. **vs raw**: against the raw TLS echo " +
    "on the runtime's own API, same run.",
  "",
);
for (
  const [workload, title] of [["large", "Echo, 64 KiB frames"], ["small", "Echo, 64-byte frames"]]
) {
  out.push(`### ${title}`, "");
  out.push("| runtime | implementation | transport | MB/s | frames/s | vs raw TLS |");
  out.push("|---|---|---|---:|---:|---:|");
  for (const runtime of runtimes) {
    const raw = ownRaw(runtime, workload);
    for (const r of rowsOf(runtime, "echo", workload)) {
      const frames = r.rate / workloads[workload].size;
      out.push(
        `| ${meta[runtime].version} | ${r.impl} | ${
          r.transport === "tls" ? "TLS" : "plaintext"
        } | ` +
          `${mb(r.rate)} | ${fmt(frames)} | ${fmt(r.rate / raw.rate, 2)}× |`,
      );
    }
  }
  out.push("");
}
out.push("### Target (issue 13): echo over TLS, 64 KiB frames, ≥ 0.90× the raw TLS echo", "");
out.push(
  "| runtime | unstuck echo over TLS ÷ raw TLS echo (own API) | ÷ raw node:tls echo | TLS ÷ plaintext (unstuck) |",
);
out.push("|---|---|---:|---:|");
for (const runtime of runtimes) {
  const rows = rowsOf(runtime, "echo", "large");
  const tls = rows.find((r) => !r.raw && r.transport === "tls");
  const plain = rows.find((r) => !r.raw && r.transport === "plain");
  const nodeRaw = rows.find((r) => r.raw === "echo" && r.impl.includes("node:tls"));
  const x = tls.rate / ownRaw(runtime, "large").rate;
  out.push(
    `| ${runtime} | ${fmt(x, 2)}× ${x >= 0.9 ? "✓" : "✗"} | ${
      fmt(tls.rate / nodeRaw.rate, 2)
    }× | ` +
      `${fmt(tls.rate / plain.rate, 2)}× |`,
  );
}
out.push("");
out.push(
  "### Exec over TLS",
  "",
  "`unstuck exec serve` as its own process (same runtime; plaintext, and `--tls-cert`/`--tls-key`), " +
    `the library's \`ExecClient\` in the benchmark's process pinning the certificate: ${exec.commands} ` +
    "`true` one after another over one connection; " +
    `${exec.connections} × a new connection (TCP, TLS, the exec handshake with its proofs) running ` +
    `\`true\`; \`head -c ${exec.bytes / 1024 / 1024}M /dev/zero\`, every byte counted.`,
  "",
  "| runtime | `true`/s TLS | plaintext | ratio | connections/s TLS | plaintext | ratio | MB/s TLS | plaintext | ratio |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
);
for (const runtime of runtimes) {
  const cell = (workload) => {
    const rows = rowsOf(runtime, "exec", workload);
    const t = rows.find((r) => r.transport === "tls").rate;
    const p = rows.find((r) => r.transport === "plain").rate;
    const f = workload === "bytes" ? mb : (x) => fmt(x);
    return `${f(t)} | ${f(p)} | ${fmt(t / p, 2)}×`;
  };
  out.push(
    `| ${meta[runtime].version} | ${cell("true")} | ${cell("connect")} | ${cell("bytes")} |`,
  );
}
console.log(out.join("\n"));

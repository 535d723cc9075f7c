// struct and framing in a browser: their entry points (./struct, ./framing) bundled by
// `bun build --target=browser` and run in headless Chromium, which reports what it computed to a
// local HTTP server. Runtime adapters and services are not for browsers; tests/project.test.ts
// checks that struct and framing reach nothing of node:*, Deno or Bun.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { RUNTIME } from "./_helpers/cli.ts";
import { projectPath, readJson } from "./_helpers/paths.ts";

const CHROMIUM = "chromium";
const hasChromium = spawnSync(CHROMIUM, ["--version"], { stdio: "ignore" }).status === 0;
const RESULT_TIMEOUT_MS = 60_000;

const dir = projectPath(".build", "browser", RUNTIME);
const profile = mkdtempSync(join(tmpdir(), "unstuck-chromium-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

/** The page's script: every check runs in the browser; the outcome is POSTed back as JSON. */
function entry(struct: string, framing: string): string {
  return `
import { calcsize, pack, Struct, StructError, unpack } from "${struct}";
import {
  createFrameDecoder,
  decodeFrames,
  encodeFrame,
  FrameDecoderStream,
  TruncatedFrameError,
} from "${framing}";

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const enc = new TextEncoder();
const dec = new TextDecoder();

async function checks() {
  const out = { userAgent: navigator.userAgent };
  // struct: CPython's bytes and values, through the interpreter and then generated code.
  const values = [-2, 4000000000, true, enc.encode("abc"), 1.5];
  const packed = [];
  for (let i = 0; i < 50; i++) packed.push(hex(pack("<hI?3sd", ...values)));
  out.packed = [...new Set(packed)];
  const back = unpack("<hI?3sd", pack("<hI?3sd", ...values));
  out.unpacked = back.map((v) => (v instanceof Uint8Array ? hex(v) : String(v)));
  out.bigint = String(new Struct(">Q").unpack(pack(">Q", 2n ** 64n - 1n))[0]);
  out.calcsize = calcsize("@ihq");
  try {
    pack("!h", 40000);
  } catch (e) {
    out.structError = e instanceof StructError ? e.message : String(e);
  }
  // framing: frames cut anywhere come out whole, by push, by async iteration, by Web stream.
  const messages = ["hello", "wörld", ""];
  const wire = Uint8Array.from(messages.flatMap((m) => [...encodeFrame(enc.encode(m))]));
  const decoder = createFrameDecoder();
  out.pushed = [];
  for (let i = 0; i < wire.length; i++) {
    for (const f of decoder.push(wire.subarray(i, i + 1))) out.pushed.push(dec.decode(f));
  }
  decoder.end();
  async function* chunks(size) {
    for (let i = 0; i < wire.length; i += size) yield wire.subarray(i, i + size);
  }
  out.iterated = [];
  for await (const f of decodeFrames(chunks(3))) out.iterated.push(dec.decode(f));
  const varint = { codec: "length", header: "varint" };
  const varintWire = Uint8Array.from(
    messages.flatMap((m) => [...encodeFrame(enc.encode(m), varint)]),
  );
  const readable = new ReadableStream({
    start(controller) {
      for (let i = 0; i < varintWire.length; i += 2) controller.enqueue(varintWire.slice(i, i + 2));
      controller.close();
    },
  }).pipeThrough(new FrameDecoderStream(varint));
  out.streamed = [];
  for await (const f of readable) out.streamed.push(dec.decode(f));
  const cut = createFrameDecoder();
  cut.push(wire.subarray(0, 6));
  try {
    cut.end();
  } catch (e) {
    out.truncated = e instanceof TruncatedFrameError ? e.name : String(e);
  }
  return out;
}

const report = (body) => fetch("/result", { method: "POST", body: JSON.stringify(body) });
checks().then(report, (e) => report({ error: String(e && e.stack || e) }));
`;
}

/** Serves the page and its bundle; resolves with what the page POSTs to /result. */
function serve(bundle: string): { server: Server; result: Promise<Record<string, unknown>> } {
  let got!: (body: Record<string, unknown>) => void;
  const result = new Promise<Record<string, unknown>>((resolve) => (got = resolve));
  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/result") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d: string) => (body += d));
      req.on("end", () => {
        res.end("ok");
        got(JSON.parse(body));
      });
      return;
    }
    if (req.url === "/bundle.js") {
      res.setHeader("content-type", "text/javascript");
      res.end(bundle);
      return;
    }
    if (req.url === "/") {
      res.setHeader("content-type", "text/html");
      res.end(
        '<!doctype html><title>unstuck</title><script type="module" src="/bundle.js"></script>',
      );
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  return { server, result };
}

describe("struct and framing in a browser", () => {
  it(
    "bundle for the browser and run there: a struct round trip and framed decodes",
    { skip: hasChromium ? false : "chromium is not installed (bash .ci/run installs it)" },
    async () => {
      mkdirSync(dir, { recursive: true });
      const exports = readJson<{ exports: Record<string, string> }>("deno.json").exports;
      const source = (subpath: string): string => `../../../${exports[subpath].slice(2)}`;
      writeFileSync(join(dir, "entry.js"), entry(source("./struct"), source("./framing")));
      const built = spawnSync(
        projectPath("node_modules", ".bin", "bun"),
        ["build", join(dir, "entry.js"), "--target=browser", "--outfile", join(dir, "bundle.js")],
        { encoding: "utf8", timeout: 120_000 },
      );
      assert.equal(built.status, 0, `bun build:\n${built.stdout}${built.stderr}`);
      const bundle = readFileSync(join(dir, "bundle.js"), "utf8");
      // Nothing a browser lacks was pulled in (bun build would polyfill node:* modules).
      assert.doesNotMatch(bundle, /node:|\brequire\(|\bprocess\.|\bDeno\.|\bBun\./);

      const { server, result } = serve(bundle);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      const chromium = spawn(CHROMIUM, [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        `http://127.0.0.1:${port}/`,
      ], { detached: true, stdio: "ignore" });
      const exited = new Promise<string>((resolve) => {
        chromium.on("exit", (code, signal) => resolve(`chromium exited (${code ?? signal})`));
        chromium.on("error", (error) => resolve(`chromium did not start: ${error.message}`));
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(resolve, RESULT_TIMEOUT_MS, `no result within ${RESULT_TIMEOUT_MS} ms`);
      });
      let out: Record<string, unknown> | string;
      try {
        out = await Promise.race([result, exited, timeout]);
      } finally {
        clearTimeout(timer);
        try {
          process.kill(-chromium.pid!, "SIGKILL"); // its whole process group
        } catch { /* already gone */ }
        await exited;
        await new Promise((resolve) => server.close(resolve));
      }
      assert.equal(typeof out, "object", String(out));
      const r = out as Record<string, unknown>;
      assert.equal(r.error, undefined, String(r.error));
      assert.match(String(r.userAgent), /HeadlessChrome/);
      // CPython: struct.pack('<hI?3sd', -2, 4000000000, True, b'abc', 1.5).hex()
      assert.deepEqual(r.packed, ["feff00286bee01616263000000000000f83f"]);
      assert.deepEqual(r.unpacked, ["-2", "4000000000", "true", "616263", "1.5"]);
      assert.equal(r.bigint, "18446744073709551615");
      assert.equal(r.calcsize, 16);
      assert.match(String(r.structError), /format requires -32768 <= number <= 32767/);
      for (const way of ["pushed", "iterated", "streamed"]) {
        assert.deepEqual(r[way], ["hello", "wörld", ""], way);
      }
      assert.equal(r.truncated, "TruncatedFrameError");
    },
  );
});

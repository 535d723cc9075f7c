// TLS servers of every runtime (their native adapter, in tests/runtime/peers/interop_peer.ts)
// against clients nobody here wrote: Python's ssl module (a framed echo, trusting only the pinned
// certificate) and `openssl s_client` (the protocol, the certificate it was shown, and the RFC 9266
// tls-exporter value, which must equal the one the server computed for the same session).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { spawn } from "../../mod.ts";
import type { AdapterName } from "../../mod.ts";
import { projectPath } from "../_helpers/paths.ts";
import { concat, eventually, within } from "./helpers.ts";
import { testCerts } from "./tls_certs.ts";
import { useInteropServers } from "./interop_server.ts";

const RUNTIMES: AdapterName[] = ["node", "deno", "bun"];
const PYTHON_CLIENT = projectPath("tests/runtime/peers/tls_echo_client.py");

/** Runs the Python client against `port`, trusting only `cafile`; returns its JSON line. */
function python(port: number, cafile: string): Record<string, unknown> {
  const r = spawnSync("python3", [PYTHON_CLIENT, String(port), cafile], {
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(r.status, 0, `tls_echo_client.py: ${r.error ?? r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
}

/**
 * Runs `openssl s_client` against `port` with `args`; keeps its stdin open until `done(output)`
 * says it saw enough (or 10 s passed), then closes it. Returns what it printed, as bytes.
 */
async function sClient(
  port: number,
  args: string[],
  done: (output: string) => boolean,
): Promise<{ out: Uint8Array; text: string; code: number | null }> {
  const proc = await spawn({
    argv: ["openssl", "s_client", "-connect", `127.0.0.1:${port}`, ...args],
    stdin: true,
    timeoutMs: 30_000,
  });
  const chunks: Uint8Array[] = [];
  const reading = (async () => {
    for await (const chunk of proc.stdout) chunks.push(chunk);
  })();
  const stderr = new Response(proc.stderr).text();
  await eventually(() => done(new TextDecoder("latin1").decode(concat(chunks))), 10_000);
  await proc.closeStdin();
  const status = await within(proc.status, 20_000, "s_client exit");
  await reading;
  const out = concat(chunks);
  return { out, text: new TextDecoder("latin1").decode(out) + (await stderr), code: status.code };
}

/** Where `needle` starts in `haystack`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The PEM body of the first certificate in `text`, without line breaks. */
function pemBody(text: string): string {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return (m?.[1] ?? "").replace(/\s+/g, "");
}

describe("TLS servers and clients nobody here wrote", () => {
  const certs = testCerts();
  const servers = useInteropServers(RUNTIMES);

  for (const runtime of RUNTIMES) {
    // Deno's node:tls (its TLS in both adapters) has no exporter: its binding frame is empty.
    const binding = runtime === "deno" ? 0 : 32;

    it(`${runtime} server, Python ssl client: framed echo over TLS 1.3, pinned; another certificate refused`, () => {
      const port = servers.get(runtime)!.tls;
      const pinned = python(port, certs.pinned.certFile);
      assert.deepEqual({ ...pinned, cipher: undefined }, {
        ok: true,
        protocol: "TLSv1.3",
        cipher: undefined,
        pinned: true,
        binding,
        frames: 104,
      });
      const other = python(port, certs.other.certFile);
      assert.equal(other.ok, false);
      assert.match(String(other.verification), /certificate/);
      assert.equal(python(port, certs.pinned.certFile).ok, true, "the server serves on");
    });

    it(`${runtime} server, openssl s_client: TLS 1.3, the pinned certificate, the same exporter value`, async () => {
      const port = servers.get(runtime)!.tls;
      const { out, text, code } = await sClient(port, [
        "-CAfile",
        certs.pinned.certFile,
        "-verify_return_error",
        "-verify_ip",
        "127.0.0.1",
        "-showcerts",
        "-keymatexport",
        "EXPORTER-Channel-Binding",
        "-keymatexportlen",
        "32",
      ], (output) => output.includes("Keying material") && output.includes("Verify return code"));
      assert.equal(code, 0, text);
      assert.match(text, /New, TLSv1\.3, Cipher is /);
      assert.match(text, /Verify return code: 0 \(ok\)/);
      assert.equal(pemBody(text), pemBody(readFileSync(certs.pinned.certFile, "utf8")));
      const hex = /Keying material: ([0-9A-F]{64})/.exec(text)?.[1];
      assert.ok(hex, "s_client printed the exporter value");
      const header = new Uint8Array([0, 0, 0, binding]);
      const sent = binding === 0 ? header : concat([
        header,
        Uint8Array.from(
          hex.match(/../g)!.map((b) => parseInt(b, 16)),
        ),
      ]);
      // The server's first frame is its own tls-exporter value for this session.
      assert.ok(indexOf(out, sent) >= 0, `the server's binding frame is OpenSSL's value ${hex}`);
    });

    it(`${runtime} server, openssl s_client: TLS 1.2 is accepted, TLS 1.1 refused`, async () => {
      const port = servers.get(runtime)!.tls;
      const ca = ["-CAfile", certs.pinned.certFile, "-verify_return_error"];
      const v12 = await sClient(port, ["-tls1_2", ...ca], (o) => o.includes("Verify return code"));
      assert.equal(v12.code, 0, v12.text);
      assert.match(v12.text, /New, TLSv1\.2, Cipher is ECDHE-ECDSA-/);
      const v11 = await sClient(
        port,
        ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", ...ca],
        (o) => o.includes("New, "),
      );
      assert.notEqual(v11.code, 0, v11.text);
      assert.match(v11.text, /New, \(NONE\), Cipher is \(NONE\)|alert protocol version/);
    });
  }
});

// A client written in Python from docs/PROTOCOL.md alone (tests/python/exec_client.py) talks to
// our server: the protocol document is complete enough to implement.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecServer } from "../../../mod.ts";
import { projectPath } from "../../_helpers/paths.ts";
import { pseudoRandom, startServer, tempDir, TOKEN } from "./_helpers.ts";

const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
after(() => tmp.remove());

interface PythonResult {
  status: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

describe("python3 client from docs/PROTOCOL.md", () => {
  let server: ExecServer;
  before(async () => (server = await startServer({ timeoutMs: 1_000 })));
  after(() => server.close());

  // The server runs in this process, so the client must not block it: run it asynchronously.
  function python(args: string[], input?: Uint8Array): Promise<PythonResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("python3", [
        projectPath("tests/python/exec_client.py"),
        "--port",
        String(server.addr.port),
        "--token-file",
        tokenFile,
        ...args,
      ]);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.on("error", reject);
      child.on("close", (status) => {
        clearTimeout(timer);
        resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      });
      child.stdin.end(input ?? new Uint8Array(0));
    });
  }

  it("runs a command", async () => {
    const r = await python(["--", "sh", "-c", "echo hi; echo oops >&2; exit 3"]);
    assert.equal(r.stdout.toString(), "hi\n");
    assert.equal(r.stderr.toString(), "oops\n");
    assert.equal(r.status, 3);
  });

  it("streams stdin", async () => {
    const r = await python(["--stdin", "--", "wc", "-c"], pseudoRandom(100_000, 11));
    assert.equal(r.stdout.toString().trim(), "100000");
    assert.equal(r.status, 0);
  });

  it("gets refused shell commands and timeouts right", async () => {
    const refused = await python(["--shell", "--", "true"]);
    assert.equal(refused.status, 127);
    assert.match(refused.stderr.toString(), /shell commands are not enabled/);
    assert.equal((await python(["--", "sleep", "30"])).status, 124);
  });
});

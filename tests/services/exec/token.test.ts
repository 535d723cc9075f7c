// Loading the shared token from a file or the environment, and the warning for a token file that
// others can read.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecTokenError, loadToken } from "../../../mod.ts";

const dir = mkdtempSync(join(tmpdir(), "unstuck-token-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function tokenFile(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

describe("exec token loading", () => {
  it("reads a file and trims its trailing line break", async () => {
    assert.deepEqual(await loadToken({ tokenFile: tokenFile("a", "s3cret\n") }), {
      token: "s3cret",
    });
    assert.deepEqual(await loadToken({ tokenFile: tokenFile("b", "s3 cret\r\n\n") }), {
      token: "s3 cret",
    });
    assert.deepEqual(await loadToken({ tokenFile: tokenFile("c", " x ") }), { token: " x " });
  });

  it("prefers the file over the environment", async () => {
    const loaded = await loadToken({ tokenFile: tokenFile("d", "file"), envToken: "env" });
    assert.equal(loaded.token, "file");
  });

  it("falls back to the environment", async () => {
    assert.deepEqual(await loadToken({ envToken: "env" }), { token: "env" });
  });

  it("warns when group or others can read the file", async () => {
    for (const mode of [0o640, 0o604, 0o644]) {
      const loaded = await loadToken({ tokenFile: tokenFile(`m${mode}`, "t\n", mode) });
      assert.equal(loaded.token, "t");
      assert.match(loaded.warning ?? "", /readable by group or others \(mode 06[04][04]\)/);
    }
    const quiet = await loadToken({ tokenFile: tokenFile("q", "t\n", 0o400) });
    assert.equal(quiet.warning, undefined);
  });

  it("refuses no token, an empty one, and an unreadable file", async () => {
    await assert.rejects(loadToken({ envToken: undefined }), /no token/);
    await assert.rejects(loadToken({ envToken: "" }), ExecTokenError);
    await assert.rejects(loadToken({ tokenFile: tokenFile("e", "\n") }), /is empty/);
    await assert.rejects(loadToken({ tokenFile: join(dir, "missing") }), (err: unknown) => {
      assert.ok(err instanceof ExecTokenError);
      assert.match(err.message, /cannot read token file/);
      return true;
    });
  });
});

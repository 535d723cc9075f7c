// Token files others may change are refused: writable by group or others, or owned by another
// user (as root, "the user" is the effective uid; another owner is made with chown). `exec serve`
// then does not start and `exec run` does not connect: exit 1 and one line on stderr. A file that
// others can only read is used, with a warning, by both.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { ExecTokenError, ExecTokenFileError, loadToken } from "../../../mod.ts";
import { killAll, runCli, startCli, startServer } from "../../_helpers/cli.ts";
import { tempDir } from "./_helpers.ts";

const tmp = tempDir();
after(() => {
  killAll();
  tmp.remove();
});

const ROOT = process.geteuid?.() === 0;
const OTHER_UID = 4321;
const NO_ENV_TOKEN = { UNSTUCK_TOKEN: undefined };

let files = 0;
/** A token file with these permission bits, owned by `uid` when given. */
function tokenFile(mode: number, owner?: { uid?: number; gid?: number }): string {
  const path = join(tmp.dir, `token-${++files}`);
  writeFileSync(path, "token-files-test\n");
  chmodSync(path, mode);
  if (owner) chownSync(path, owner.uid ?? process.geteuid!(), owner.gid ?? process.getegid!());
  return path;
}

const WRITABLE =
  /^token file \S+ is writable by group or others \(mode 0\d{3}\); run: chmod 600 \S+$/;
const FOREIGN = new RegExp(
  `^token file \\S+ belongs to uid ${OTHER_UID}, not to this user \\(uid ${process.geteuid?.()}\\)`,
);

describe("exec token files: loadToken", () => {
  it("refuses a file that group or others can write", async () => {
    for (const mode of [0o620, 0o602, 0o660, 0o666, 0o622]) {
      await assert.rejects(loadToken({ tokenFile: tokenFile(mode) }), (err: unknown) => {
        assert.ok(err instanceof ExecTokenFileError && err instanceof ExecTokenError);
        assert.match(err.message, WRITABLE, mode.toString(8));
        return true;
      });
    }
  });

  it("refuses a file owned by another user, whatever its mode", {
    skip: !ROOT && "needs root to chown",
  }, async () => {
    for (const mode of [0o600, 0o400]) {
      await assert.rejects(
        loadToken({ tokenFile: tokenFile(mode, { uid: OTHER_UID }) }),
        (err: unknown) => {
          assert.ok(err instanceof ExecTokenFileError);
          assert.match(err.message, FOREIGN);
          return true;
        },
      );
    }
  });

  it("accepts our own file in another group that cannot write it; warns when others can read", {
    skip: !ROOT && "needs root to chown",
  }, async () => {
    assert.deepEqual(await loadToken({ tokenFile: tokenFile(0o600, { gid: OTHER_UID }) }), {
      token: "token-files-test",
    });
    const readable = await loadToken({ tokenFile: tokenFile(0o644) });
    assert.equal(readable.token, "token-files-test");
    assert.match(readable.warning ?? "", /readable by group or others \(mode 0644\)/);
  });
});

describe("exec token files: the CLI", () => {
  /** `exec serve` and `exec run` with `file`: both must exit 1 with one line naming the cause. */
  async function refusedByBoth(file: string, cause: RegExp): Promise<void> {
    const serve = await runCli(["exec", "serve", "--port", "0", "--token-file", file], {
      env: NO_ENV_TOKEN,
    });
    const run = await runCli(["exec", "run", "--port", "1", "--token-file", file, "--", "true"], {
      env: NO_ENV_TOKEN,
    });
    for (const [name, r] of [["serve", serve], ["run", run]] as const) {
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, "", name);
      const lines = r.stderr.split("\n");
      assert.deepEqual(lines.length, 2, `${name}: one line: ${r.stderr}`);
      const prefix = `unstuck exec ${name}: error: `;
      assert.ok(lines[0].startsWith(prefix), lines[0]);
      assert.match(lines[0].slice(prefix.length), cause);
    }
  }

  it("serve and run refuse a token file others can write (exit 1, one line)", async () => {
    await refusedByBoth(tokenFile(0o664), WRITABLE);
  });

  it("serve and run refuse a token file owned by another user", {
    skip: !ROOT && "needs root to chown",
  }, async () => {
    await refusedByBoth(tokenFile(0o600, { uid: OTHER_UID }), FOREIGN);
  });

  it("serve and run use a token file others can read, and warn", async () => {
    const file = tokenFile(0o644);
    const args = ["exec", "serve", "--port", "0", "--token-file", file];
    const { proc, port } = await startServer([], startCli(args, NO_ENV_TOKEN));
    try {
      assert.match(
        proc.stderr,
        /^unstuck exec serve: warning: token file \S+ is readable by group or others \(mode 0644\); run: chmod 600 \S+\n/,
      );
      const r = await runCli(
        ["exec", "run", "--port", String(port), "--token-file", file, "--", "echo", "ok"],
        { env: NO_ENV_TOKEN },
      );
      assert.equal(r.stdout, "ok\n", r.stderr);
      assert.match(
        r.stderr,
        /^unstuck exec run: warning: token file \S+ is readable by group or others \(mode 0644\)/,
      );
      assert.equal(r.code, 0);
    } finally {
      proc.signal("SIGTERM");
      await proc.wait();
    }
  });
});

// Exec commands are contained (docs/SECURITY.md, "exec: local containment"): they die with the
// server even when it is killed with SIGKILL, grandchildren included; with a cgroup (the default
// where one is writable, as on this project's machines) so do processes that left the command's
// process group (setsid), at the timeout, at the client's disconnect and with the server; with
// `--cgroup off` those survive, which is the documented limit. No cgroup leaf is left behind.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { ExecClient } from "../../../mod.ts";
import {
  cliCommand,
  killAll,
  runCli,
  Running,
  RUNTIME,
  startCli,
  startServer as startCliServer,
} from "../../_helpers/cli.ts";
import { CGROUP_PARENT, escapeScript, killPids, leavesOf } from "../../runtime/contain_helpers.ts";
import { connectClient, eventually, isRunning, startServer, tempDir, within } from "./_helpers.ts";
import { sleep } from "../../runtime/helpers.ts";

const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, "containment-test-token\n", { mode: 0o600 });
after(() => {
  killAll();
  tmp.remove();
});

/** The cgroup modes this machine can test: both when a cgroup is writable, else "off" only. */
const MODES = CGROUP_PARENT === null ? ["off"] as const : ["auto", "off"] as const;
/** `exec serve` on port 0 with the test token file and `--cgroup MODE`. */
function serveArgs(mode: string): string[] {
  return ["exec", "serve", "--port", "0", "--token-file", tokenFile, "--cgroup", mode];
}

/** A command that starts a grandchild and an escaped (setsid) one, prints the pids and waits. */
const TREE = `sleep 100 & child=$!; ${escapeScript(100)}; echo $$ $child $escaped; wait`;

/**
 * Starts `sh -c script` through `client`; resolves with the numbers of the first line it prints
 * (pids) and the run's end (which rejects when the connection dies).
 */
async function startCommand(client: ExecClient, script: string, timeoutMs?: number) {
  let report!: (line: string) => void;
  const line = new Promise<string>((resolve) => (report = resolve));
  let out = "";
  const run = client.run({
    argv: ["sh", "-c", script],
    timeoutMs,
    onStdout: (b) => {
      out += new TextDecoder().decode(b);
      if (out.includes("\n")) report(out.split("\n")[0]);
    },
  });
  const ended = run.then((result) => result, (err: unknown) => err as Error);
  const pids = (await within(line, 10_000, "the command's pids")).split(" ").map(Number);
  return { pids, ended };
}

describe("exec containment: the server killed with SIGKILL", () => {
  const adapters = RUNTIME === "node" ? [undefined] : [undefined, "node"];
  for (const adapter of adapters) {
    for (const cgroup of MODES) {
      const label = `${adapter ?? RUNTIME} adapter, --cgroup ${cgroup}`;
      it(`takes its commands and their grandchildren along (${label})`, async () => {
        const args = serveArgs(cgroup);
        if (adapter) args.push("--adapter", adapter);
        const { proc, port } = await startCliServer(
          [],
          startCli(args, { UNSTUCK_TOKEN: undefined }),
        );
        const server = proc.child.pid!;
        const connect = () =>
          within(ExecClient.connect({ token: "containment-test-token", port }), 5_000, "connect");
        const [first, second] = [await connect(), await connect()];
        const pids: number[] = [];
        try {
          const sleeper = await startCommand(first, "echo $$; exec sleep 100");
          const tree = await startCommand(second, TREE);
          const [leader, grandchild, escaped] = tree.pids;
          pids.push(sleeper.pids[0], leader, grandchild, escaped);
          for (const pid of pids) assert.ok(isRunning(pid), `${pid} runs`);
          if (cgroup === "auto") assert.equal(leavesOf(server).length, 2);

          process.kill(server, "SIGKILL");
          await proc.wait();
          const roles = { sleeper: pids[0], leader, grandchild };
          for (const [role, pid] of Object.entries(roles)) {
            assert.ok(await eventually(() => !isRunning(pid), 5_000), `the ${role} still runs`);
          }
          if (cgroup === "off") {
            await sleep(300);
            assert.ok(isRunning(escaped), "without a cgroup the setsid'd process survives");
          } else {
            assert.ok(await eventually(() => !isRunning(escaped), 5_000), "escaped still runs");
            assert.ok(await eventually(() => leavesOf(server).length === 0, 5_000), "leaves");
          }
          // The clients see the connection die.
          assert.ok((await within(sleeper.ended, 5_000, "run 1")) instanceof Error);
          assert.ok((await within(tree.ended, 5_000, "run 2")) instanceof Error);
        } finally {
          first.close();
          second.close();
          killPids(pids);
        }
      });
    }
  }
});

describe("exec containment: a setsid'd grandchild", () => {
  for (const cgroup of MODES) {
    const fate = cgroup === "off" ? "survives (the documented limit)" : "is killed";
    it(`${fate} at the time limit (cgroup ${cgroup})`, async () => {
      await using server = await startServer({ timeoutMs: 500, cgroup });
      await using client = await connectClient(server);
      const { pids: [, escaped], ended } = await startCommand(
        client,
        `${escapeScript(30)}; echo $$ $escaped; wait`,
      );
      try {
        if (cgroup === "off") {
          await sleep(1_000); // past the limit: the group is dead, the escaped process is not
          assert.ok(isRunning(escaped), "it left the group, so the group kill missed it");
          process.kill(escaped, "SIGKILL");
        }
        const result = await within(ended, 5_000, "the run");
        assert.ok(!(result instanceof Error) && result.timedOut, String(result));
        assert.ok(await eventually(() => !isRunning(escaped), 2_000), "it still runs");
        assert.deepEqual(leavesOf(), []);
      } finally {
        killPids([escaped]);
      }
    });

    it(`${fate} when the client disconnects (cgroup ${cgroup})`, async () => {
      await using server = await startServer({ cgroup });
      const client = await connectClient(server);
      const { pids: [leader, escaped], ended } = await startCommand(
        client,
        // Away from the pipes, as a daemon would be: only a cgroup can still find it.
        `{ ${escapeScript(30)}; } >/dev/null 2>&1; echo $$ $escaped; wait`,
      );
      try {
        client.close();
        assert.ok((await within(ended, 5_000, "the run")) instanceof Error);
        assert.ok(await eventually(() => !isRunning(leader), 5_000), "the leader still runs");
        if (cgroup === "off") {
          await sleep(300);
          assert.ok(isRunning(escaped), "it left the group, so the group kill missed it");
        } else {
          assert.ok(await eventually(() => !isRunning(escaped), 5_000), "it still runs");
          assert.ok(await eventually(() => leavesOf().length === 0, 5_000), "leaves");
        }
      } finally {
        killPids([escaped]);
      }
    });
  }
});

describe("exec serve --cgroup", () => {
  it("refuses an unknown mode as bad usage", async () => {
    const r = await runCli(serveArgs("on"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--cgroup must be auto, required or off, got 'on'/);
  });

  it(`starts with "required" where a cgroup is writable, else refuses to (exit 1, one line)`, async () => {
    const args = serveArgs("required");
    if (CGROUP_PARENT === null) {
      const r = await runCli(args);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^unstuck exec serve: error: no writable cgroup v2 hierarchy[^\n]*\n$/,
      );
      return;
    }
    const { proc } = await startCliServer([], startCli(args));
    assert.doesNotMatch(proc.stderr, /warning/);
    proc.signal("SIGTERM");
    assert.equal((await proc.wait()).code, 0);
  });
});

describe("exec serve as an unprivileged user, where no cgroup is writable", () => {
  const skip = process.geteuid?.() !== 0 && "needs root to run the server as nobody";
  const NOBODY = 65534;
  const home = tempDir(); // the runtimes' caches, and the token file nobody owns
  chmodSync(home.dir, 0o755);
  const ownToken = join(home.dir, "token");
  writeFileSync(ownToken, "containment-test-token\n", { mode: 0o600 });
  after(() => home.remove());

  /** `exec serve` run by nobody (with setpriv), as a user would start it. */
  function serveAsNobody(mode: string): Running {
    chownSync(ownToken, NOBODY, NOBODY);
    const [cmd, pre] = cliCommand();
    const args = ["exec", "serve", "--port", "0", "--token-file", ownToken, "--cgroup", mode];
    return new Running("setpriv", [
      ...[`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"],
      // Reading and searching any file (a checkout under a 0700 temp dir, as CI's clone is),
      // and nothing more: the cgroup tree stays unwritable.
      ...["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"],
      ...["env", `HOME=${home.dir}`, cmd, ...pre, ...args],
    ], { UNSTUCK_TOKEN: undefined });
  }

  it(
    "warns at start; killed, it takes its commands along, all but the setsid'd one",
    { skip },
    async () => {
      const { proc, port } = await startCliServer([], serveAsNobody("auto"));
      assert.match(proc.stderr, /^unstuck exec serve: warning: no writable cgroup v2 hierarchy: /m);
      const client = await within(
        ExecClient.connect({ token: "containment-test-token", port }),
        5_000,
        "connect",
      );
      const pids: number[] = [];
      try {
        const tree = await startCommand(client, TREE);
        pids.push(...tree.pids);
        const [leader, grandchild, escaped] = tree.pids;
        process.kill(proc.child.pid!, "SIGKILL");
        await proc.wait();
        for (const [role, pid] of Object.entries({ leader, grandchild })) {
          assert.ok(await eventually(() => !isRunning(pid), 5_000), `the ${role} still runs`);
        }
        await sleep(300);
        assert.ok(isRunning(escaped), "without a cgroup the setsid'd process survives");
      } finally {
        client.close();
        killPids(pids);
      }
    },
  );

  it("refuses to start with --cgroup required (exit 1, one line)", { skip }, async () => {
    const proc = serveAsNobody("required");
    proc.endInput();
    const r = await proc.wait(30_000);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^unstuck exec serve: error: no writable cgroup v2 hierarchy[^\n]*\n$/);
  });
});

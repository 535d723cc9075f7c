// How server commands end when they cannot serve: a port in use, or a listening socket that
// failed while serving. Either way: one line on stderr, exit status 1.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { killAll, runCli, RUNTIME, startCli, startServer } from "../_helpers/cli.ts";

after(killAll);

describe("server commands that cannot serve", () => {
  for (const udp of [false, true]) {
    const flags = udp ? ["--udp"] : [];
    const name = ["echo serve", ...flags].join(" ");
    it(`${name}: a port in use is one line naming EADDRINUSE, exit 1`, async () => {
      const { proc, port } = await startServer(["echo", "serve", ...flags]);
      try {
        const second = await runCli(["echo", "serve", ...flags, "--port", String(port)]);
        assert.equal(second.code, 1, second.stderr);
        assert.equal(second.stdout, "");
        const lines = second.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, second.stderr);
        assert.match(lines[0], /^unstuck echo serve: error: .*EADDRINUSE/);
        assert.ok(lines[0].includes(`127.0.0.1:${port}`), lines[0]);
      } finally {
        proc.signal("SIGTERM");
        await proc.wait();
      }
    });
  }

  // A real failure of the listening socket: `ss -K` destroys it in the kernel. Only the deno
  // adapter can see that (docs/RUNTIME.md), so this runs under Deno, as root.
  const skip = RUNTIME !== "deno"
    ? "only the deno adapter sees a destroyed listener"
    : process.getuid?.() !== 0 || spawnSync("ss", ["-V"]).status !== 0
    ? "needs root and ss (iproute2) to destroy a socket"
    : false;
  for (const command of [["echo", "serve"], ["exec", "serve"]]) {
    it(`${command.join(" ")}: a destroyed listener is one line, exit 1`, { skip }, async () => {
      const env = { UNSTUCK_TOKEN: "a-token-long-enough-for-this-test" };
      const { proc, port } = await startServer(
        command,
        startCli([...command, "--port", "0"], env),
      );
      const ss = spawnSync("ss", ["-K", "state", "listening", "sport", "=", `:${port}`]);
      assert.equal(ss.status, 0, String(ss.stderr));
      const done = await proc.wait();
      assert.equal(done.code, 1, done.stderr);
      const lines = done.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, done.stderr);
      assert.match(
        lines[0],
        new RegExp(
          `^unstuck ${command.join(" ")}: error: listener on 127\\.0\\.0\\.1:${port} failed, ` +
            "the server stopped: EINVAL: ",
        ),
      );
    });
  }
});

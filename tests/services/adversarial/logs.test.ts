// Logs under attack, from the CLI servers on every adapter of this runtime: a flood of one cause
// gets a few lines a second and a count of the rest (written and counted add up to every
// event: nothing goes unsaid), and a value from the network is logged cut short (a 7 MiB argv
// was logged whole).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { availableAdapters, encodeFrame, ExecClient } from "../../../mod.ts";
import { killAll, startCli, startServer } from "../../_helpers/cli.ts";
import { tempDir, TOKEN } from "../exec/_helpers.ts";
import { sleep, within } from "../../runtime/helpers.ts";
import { Peer } from "./_peer.ts";

const tmp = tempDir();
const tokenFile = join(tmp.dir, "token");
writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
after(() => {
  killAll();
  tmp.remove();
});

const FLOOD = 200;

/** The lines of `stderr` that match `re`, and the counts of the "N more suppressed" lines. */
function tally(stderr: string, cause: string, re: RegExp): { lines: number; suppressed: number } {
  const all = stderr.split("\n");
  const lines = all.filter((l) => re.test(l)).length;
  let suppressed = 0;
  for (const l of all) {
    const m = new RegExp(`^${cause}: (\\d+) more suppressed in the last \\d+ s$`).exec(l);
    if (m) suppressed += Number(m[1]);
  }
  return { lines, suppressed };
}

for (const adapter of availableAdapters()) {
  describe(`logs under attack (${adapter} adapter)`, () => {
    it(`exec serve: ${FLOOD} wrong MACs make a few lines a second and a count`, async () => {
      const args = [
        "exec",
        "serve",
        "--token-file",
        tokenFile,
        "--penalty",
        "0",
        "--adapter",
        adapter,
      ];
      const { proc, port } = await startServer(
        args,
        startCli([...args, "--port", "0"], {
          UNSTUCK_TOKEN: undefined,
        }),
      );
      const started = performance.now();
      for (let sent = 0; sent < FLOOD;) {
        // Four at a time from each of five addresses: as many handshakes as one may have pending.
        const batch = Array.from({ length: Math.min(20, FLOOD - sent) }, async (_, i) => {
          const peer = await Peer.open(port, `127.0.0.${2 + (i % 5)}`);
          await peer.authenticate("wrong token");
          await within(peer.closed, 10_000, "answered");
          peer.destroy();
        });
        sent += batch.length;
        await Promise.all(batch);
      }
      const seconds = (performance.now() - started) / 1000;
      proc.signal("SIGTERM");
      await proc.wait();
      const cause = "exec serve: rejected \\(auth-failed\\)";
      const { lines, suppressed } = tally(proc.stderr, cause, /rejected="authentication failed"/);
      console.log(
        `exec serve (${adapter}): ${FLOOD} wrong MACs in ${
          seconds.toFixed(1)
        } s -> ${lines} lines, ` +
          `${suppressed} counted as suppressed`,
      );
      assert.equal(lines + suppressed, FLOOD, "every event written or counted");
      assert.ok(lines <= 3 * (Math.ceil(seconds) + 1), `${lines} lines in ${seconds} s`);
    });

    it("exec serve: a 7 MiB argv is logged as its first 200 characters and its size", async () => {
      const args = ["exec", "serve", "--token-file", tokenFile, "--adapter", adapter];
      const { proc, port } = await startServer(
        args,
        startCli([...args, "--port", "0"], {
          UNSTUCK_TOKEN: undefined,
        }),
      );
      const client = await ExecClient.connect({ token: TOKEN, port });
      // Too long for any kernel to exec: refused, and logged with the argv it asked for.
      const huge = "x".repeat(7 * 1024 * 1024);
      await client.run({ argv: ["true", huge] }).catch(() => {});
      client.close();
      await proc.until((_o, err) => /argv=/.test(err), "the command's log line", 10_000);
      proc.signal("SIGTERM");
      await proc.wait();
      const line = proc.stderr.split("\n").find((l) => l.includes("argv="))!;
      assert.ok(line.length < 600, `a log line of ${line.length} characters`);
      assert.match(line, /argv=\["true","x{190,}… \(7340\d{3} bytes\)/);
    });

    it(`echo serve: ${FLOOD} frames over the limit make a few lines a second and a count`, async () => {
      const args = ["echo", "serve", "--max-frame", "10", "--adapter", adapter];
      const { proc, port } = await startServer(args);
      const started = performance.now();
      for (let sent = 0; sent < FLOOD;) {
        // Ten at a time: fewer than one address may hold.
        const batch = Array.from({ length: Math.min(10, FLOOD - sent) }, async () => {
          const peer = await Peer.open(port, "127.0.0.2");
          await peer.write(encodeFrame(new Uint8Array(11)));
          await within(peer.closed, 10_000, "closed");
          peer.destroy();
        });
        sent += batch.length;
        await Promise.all(batch);
      }
      const seconds = (performance.now() - started) / 1000;
      await sleep(100);
      proc.signal("SIGTERM");
      await proc.wait();
      const { lines, suppressed } = tally(
        proc.stderr,
        "echo serve: FrameTooLargeError",
        /FrameTooLargeError: frame length 11 exceeds/,
      );
      console.log(
        `echo serve (${adapter}): ${FLOOD} bad frames in ${
          seconds.toFixed(1)
        } s -> ${lines} lines, ` +
          `${suppressed} counted as suppressed`,
      );
      assert.equal(lines + suppressed, FLOOD, "every event written or counted");
      assert.ok(lines <= 3 * (Math.ceil(seconds) + 1), `${lines} lines in ${seconds} s`);
    });
  });
}

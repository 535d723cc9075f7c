// `--receive-buffer` of `chat serve` and `echo serve --udp`: the kernel's receive buffer of the
// server's socket, read from the kernel (`ss -m`); where the runtime cannot set it (Deno) or the
// system grants less, one stderr line says so.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { killAll, runCli, RUNTIME, startServer } from "../_helpers/cli.ts";
import { kernelReceiveBuffer, receiveBufferMax } from "../_helpers/kernel_udp.ts";

after(killAll);

const skip = kernelReceiveBuffer(0) === undefined
  ? "needs Linux and iproute2's ss to read a socket's buffer"
  : false;

describe("--receive-buffer", () => {
  for (const command of [["chat", "serve"], ["echo", "serve", "--udp"]]) {
    const name = command.join(" ");
    it(`${name}: in --help with its default`, async () => {
      const help = await runCli([...command, "--help"]);
      assert.match(
        help.stdout,
        /--receive-buffer BYTES +UDP: kernel receive .*\(default: 4194304\)/,
      );
    });

    it(
      `${name}: sets the socket's buffer, or says on stderr that it could not`,
      { skip },
      async () => {
        const max = receiveBufferMax();
        const asked = Math.min(1024 * 1024, Math.floor(max / 2));
        const { proc, port } = await startServer([...command, "--receive-buffer", String(asked)]);
        await using _s = proc;
        if (RUNTIME === "deno") {
          await proc.until(
            (_o, e) => e.includes(`receive buffer of ${asked} bytes not set`),
            "the stderr line saying Deno cannot set it",
          );
        } else {
          assert.equal(kernelReceiveBuffer(port), 2 * asked);
        }
        // More than the system grants: the server says what it holds.
        const capped = await startServer([...command, "--receive-buffer", String(4 * max)]);
        await using _c = capped.proc;
        const note = RUNTIME === "deno"
          ? `receive buffer of ${4 * max} bytes not set`
          : `receive buffer: asked for ${4 * max} bytes, the kernel holds ${2 * max}`;
        await capped.proc.until((_o, e) => e.includes(note), "the stderr line about the buffer");
        assert.equal(capped.proc.stderr.split("\n").filter(Boolean).length, 1, capped.proc.stderr);
      },
    );
  }

  it("is for --udp in echo serve (exit 2)", async () => {
    const r = await runCli(["echo", "serve", "--receive-buffer", "65536"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--receive-buffer is for --udp/);
  });
});

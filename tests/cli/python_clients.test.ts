// The tutorial's own Python clients (cleaned up in tests/python/) against our servers, started
// from the CLI: the UDP echo client, two chat clients, and a struct.pack('i') framing client.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { killAll, Running, startServer } from "../_helpers/cli.ts";
import { projectPath } from "../_helpers/paths.ts";

after(killAll);

function python(script: string, args: string[]): Running {
  return new Running("python3", ["-u", projectPath("tests/python", script), ...args]);
}

async function runPython(script: string, args: string[], input: string): Promise<string> {
  const proc = python(script, args);
  proc.write(input);
  proc.endInput();
  const done = await proc.wait(20_000);
  assert.equal(done.code, 0, `${script} failed:\n${done.stderr}`);
  return done.stdout;
}

describe("the tutorial's Python clients against unstuck servers", () => {
  it("udp_echo_client.py against `echo serve --udp --upper`", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--udp", "--upper"]);
    await using _ = proc;
    const out = await runPython(
      "udp_echo_client.py",
      ["127.0.0.1", String(port)],
      "hello\n\nudp world\n",
    );
    const address = `('127.0.0.1', ${port})`;
    assert.equal(out, `HELLO ${address}\nUDP WORLD ${address}\n`);
  });

  it("two chat_client.py against `chat serve`", async () => {
    const { proc, port } = await startServer(["chat", "serve"]);
    await using _ = proc;
    const args = ["127.0.0.1", String(port)];
    await using one = python("chat_client.py", args);
    await using two = python("chat_client.py", args);
    await one.untilLine(/^joined from /);
    await two.untilLine(/^joined from /);
    one.write("/nick one\n");
    await one.untilLine(/^\* you are now one$/);
    two.write("/nick two\n");
    await two.untilLine(/^\* you are now two$/);
    await one.untilLine(/^\* 127\.0\.0\.1:\d+ joined$/);
    await one.untilLine(/^\* 127\.0\.0\.1:\d+ is now two$/);
    two.write("hi one\n");
    await one.untilLine(/^two: hi one$/);
    await two.untilLine(/^two: hi one$/);
    one.write("/who\n");
    await one.untilLine(/^\* in room: one, two$/);
    two.write("quit\n");
    const done = await two.wait();
    assert.equal(done.code, 0, done.stderr);
    await one.untilLine(/^\* two left$/);
    one.endInput();
    assert.equal((await one.wait()).code, 0);
  });

  it("length_header_client.py (struct.pack('i')) against `echo serve --header i`", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--header", "i", "--upper"]);
    await using _ = proc;
    const out = await runPython(
      "length_header_client.py",
      ["127.0.0.1", String(port)],
      "dir\nipconfig /all\n",
    );
    assert.equal(out, "DIR\nIPCONFIG /ALL\n");
  });

  it("length_header_client.py round-trips a large message unchanged without --upper", async () => {
    const { proc, port } = await startServer(["echo", "serve", "--header", "i"]);
    await using _ = proc;
    const out = await runPython(
      "length_header_client.py",
      ["127.0.0.1", String(port), "--big", String(5 * 1024 * 1024)],
      "hello\n",
    );
    assert.equal(out, `big: ${5 * 1024 * 1024} bytes ok\nhello\n`);
  });
});

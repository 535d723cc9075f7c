// Every program in examples/ runs, in this runtime, as its first comment says: server and client
// pairs talk on loopback, and the length-header server also serves the tutorial's Python client.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { killAll, Running, RUNTIME, startServer } from "./_helpers/cli.ts";
import { projectPath } from "./_helpers/paths.ts";

after(killAll);

/** Starts an example the way its first comment says, for this runtime. */
function example(name: string, args: string[] = []): Running {
  switch (RUNTIME) {
    case "deno":
      return new Running(process.execPath, [
        "run",
        "-A",
        projectPath("examples", `${name}.ts`),
        ...args,
      ]);
    case "bun":
      return new Running(process.execPath, [projectPath("examples", `${name}.ts`), ...args]);
    default:
      // The test build's copy (scripts/test.mjs compiled it with tsconfig.test.json, the config
      // `npm run build:examples` uses too): src is compiled once per test run.
      return new Running(process.execPath, [
        projectPath(".build/node/examples", `${name}.js`),
        ...args,
      ]);
  }
}

async function finish(proc: Running, input?: string): Promise<string> {
  if (input !== undefined) proc.write(input);
  proc.endInput();
  const done = await proc.wait(15_000);
  assert.equal(done.code, 0, done.stderr);
  return done.stdout;
}

describe("examples/", () => {
  it("each example's first comment gives the command for Deno, Bun and Node", () => {
    const files = readdirSync(projectPath("examples")).filter((f) => /^[a-z].*\.ts$/.test(f));
    assert.equal(files.length, 8);
    for (const file of files) {
      const head = readFileSync(projectPath("examples", file), "utf8").split("\n").slice(0, 3);
      const name = file.slice(0, -3);
      assert.equal(head[0], `// Run: deno run -A examples/${file} [PORT]`);
      assert.equal(head[1], `//      bun examples/${file} [PORT]`);
      assert.equal(
        head[2],
        `//      npm run build:examples && node .build/examples/examples/${name}.js [PORT]`,
      );
    }
  });

  it("udp_echo_server + udp_echo_client", async () => {
    const { proc, port } = await startServer([], example("udp_echo_server", ["0"]));
    await using _ = proc;
    const out = await finish(example("udp_echo_client", [String(port)]), "hello\n\nworld\n");
    assert.equal(out, "HELLO\nWORLD\n");
    await proc.untilLine(/^hello 127\.0\.0\.1:\d+$/);
  });

  it("udp_chat_server + two udp_chat_clients", async () => {
    const { proc, port } = await startServer([], example("udp_chat_server", ["0"]));
    await using _ = proc;
    await using one = example("udp_chat_client", [String(port)]);
    one.write("/nick one\n");
    await one.untilLine(/^\* you are now one$/);
    await using two = example("udp_chat_client", [String(port)]);
    two.write("/nick two\nhello one\n");
    await one.untilLine(/^two: hello one$/);
    proc.write("from the operator\n");
    await two.untilLine(/^server: from the operator$/);
    two.write("quit\n");
    assert.equal((await two.wait()).code, 0);
    await one.untilLine(/^\* two left$/);
    await finish(one);
    await proc.untilLine(/^two: hello one$/);
  });

  it("sticky_server + sticky_client: the reads hold both writes, boundaries lost", async () => {
    const { proc, port } = await startServer([], example("sticky_server", ["0"]));
    await finish(example("sticky_client", [String(port)]));
    const out = await finish(proc);
    // Stuck together (the usual case) or apart: timing decides, and the program says which.
    const m = /^data1: b'(\w*)'\ndata2: b'(\w*)'\n(.*)$/m.exec(out);
    assert.ok(m, out);
    assert.equal(m[1] + m[2], "helloworld");
    assert.match(m[3], m[1] === "helloworld" ? /stuck together/ : /arrived apart/);
  });

  it("length_header_server + length_header_client, and the tutorial's Python client", async () => {
    const { proc, port } = await startServer([], example("length_header_server", ["0"]));
    await using _ = proc;
    const out = await finish(
      example("length_header_client", [String(port)]),
      "dir\nipconfig /all\n",
    );
    assert.equal(out, "DIR\nIPCONFIG /ALL\n");
    const py = new Running("python3", [
      projectPath("tests/python/length_header_client.py"),
      "127.0.0.1",
      String(port),
    ]);
    assert.equal(await finish(py, "ls -la\n"), "LS -LA\n");
  });
});

// `unstuck demo`, spawned as the README's quick start runs it.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { killAll, runCli } from "../_helpers/cli.ts";

after(killAll);

describe("unstuck demo", () => {
  it("shows stuck writes, framed messages and a large message reassembled; exits 0", async () => {
    const r = await runCli(["demo"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const out = r.stdout;
    assert.match(out, /^1\. Raw TCP\./m);
    assert.match(out, /server read 1: b'helloworld'\n.*Two writes, one read/);
    assert.match(out, /decoded messages: "hello", "world"/);
    assert.match(out, /It arrived in (\d+) reads/);
    assert.ok(Number(/It arrived in (\d+) reads/.exec(out)![1]) > 1);
    assert.match(out, /reassembled 1 message of 4194304 bytes, identical to what was sent/);
  });

  it("runs on the node adapter too (--adapter node)", async () => {
    const r = await runCli(["demo", "--adapter", "node"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(node adapter\)/);
    assert.match(r.stdout, /decoded messages: "hello", "world"/);
  });
});

// `unstuck struct`, spawned as a user runs it; expected outputs are CPython 3.11's.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { killAll, runCli } from "../_helpers/cli.ts";

after(killAll);

async function ok(args: string[]): Promise<string> {
  const r = await runCli(["struct", ...args]);
  assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  assert.equal(r.stderr, "");
  return r.stdout;
}

async function usage(args: string[], pattern: RegExp): Promise<void> {
  const r = await runCli(["struct", ...args]);
  assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1);
  assert.match(r.stderr, pattern);
}

describe("unstuck struct", () => {
  it("pack prints hex, as struct.pack(...).hex()", async () => {
    // struct.pack('!IH', 1, 2).hex(), struct.pack('i', 1024).hex(), …
    assert.equal(await ok(["pack", "!IH", "1", "2"]), "000000010002\n");
    assert.equal(await ok(["pack", "i", "1024"]), "00040000\n");
    assert.equal(
      await ok(["pack", "<q?3sf", "--", "-5", "true", "abc", "-inf"]),
      "fbffffffffffffff01616263000080ff\n",
    );
    assert.equal(await ok(["pack", ">Q", "18446744073709551615"]), "ffffffffffffffff\n");
    assert.equal(await ok(["pack", "@bi", "0x7f", "-1"]), "7f000000ffffffff\n");
    assert.equal(await ok(["pack", "<2hx", "1", "2"]), "0100020000\n");
    assert.equal(await ok(["pack", "5p", "hi"]), "0268690000\n");
    assert.equal(await ok(["pack", "<e", "1.5"]), "003e\n");
  });

  it("unpack prints the tuple Python prints", async () => {
    assert.equal(await ok(["unpack", "<hd", "ffff 000000000000f83f"]), "(-1, 1.5)\n");
    assert.equal(
      await ok(["unpack", "<q?3sfe", "fbffffffffffffff01616263000080ff003c"]),
      "(-5, True, b'abc', -inf, 1.0)\n",
    );
    assert.equal(await ok(["unpack", "!I", "00000100"]), "(256,)\n");
    assert.equal(await ok(["unpack", ">Q", "ffffffffffffffff"]), "(18446744073709551615,)\n");
    assert.equal(await ok(["unpack", "<f", "cdcccc3d"]), "(0.10000000149011612,)\n");
    assert.equal(await ok(["unpack", "c3x", "27000000"]), `(b"'",)\n`);
  });

  it("calcsize prints the size, alignment included", async () => {
    assert.equal(await ok(["calcsize", "@bi"]), "8\n");
    assert.equal(await ok(["calcsize", "=bi"]), "5\n");
    assert.equal(await ok(["calcsize", "!I"]), "4\n");
    assert.equal(await ok(["calcsize", "@l"]), "8\n");
  });

  it("bad formats, values and hex are usage errors with Python's message", async () => {
    await usage(
      ["pack", "i", "99999999999"],
      /'i' format requires -2147483648 <= number <= 2147483647/,
    );
    await usage(["pack", "2i", "1"], /format '2i' takes 2 values, got 1/);
    await usage(["pack", "i", "one"], /'one' is not an integer/);
    await usage(["pack", "?", "maybe"], /'maybe' is not a boolean/);
    await usage(["pack", "d", "1,5"], /'1,5' is not a number/);
    await usage(["calcsize", "Z"], /bad char in struct format/);
    await usage(["unpack", "!I", "0001"], /unpack requires a buffer of 4 bytes/);
    await usage(["unpack", "!I", "zz"], /'zz' is not hex/);
    await usage(["unpack", "!I"], /needs FMT and HEX/);
    await usage(["pack"], /missing FMT/);
  });
});

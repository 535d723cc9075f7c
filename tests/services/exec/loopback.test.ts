// `exec serve` warns when it listens beyond this machine: which hosts count as loopback.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isLoopback } from "../../../src/cli/commands/exec.ts";

describe("exec serve's loopback check", () => {
  it("tells loopback addresses from the others", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) {
      assert.equal(isLoopback(h), true, h);
    }
    for (
      const h of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.0.0.1.example.com", "example.com"]
    ) {
      assert.equal(isLoopback(h), false, h);
    }
  });
});

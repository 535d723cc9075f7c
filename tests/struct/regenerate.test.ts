// Keeps the committed CPython fixture honest: where python3 3.11 is on the machine, runs the
// seeded generator again and demands byte-identical cases. CI has no python3 at test time; the
// test then says so (it prints which path ran) and checks only that the fixture is the
// generator's. Either way the replay itself is tests/struct/cpython.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { projectPath } from "../_helpers/paths.ts";

const GENERATOR = "tests/python/gen_struct_cases.py";
const FIXTURE = projectPath("tests", "fixtures", "struct_cases.json");

function casesPart(text: string): string {
  const at = text.indexOf('"cases": [');
  assert.ok(at > 0, "fixture has no cases array");
  return text.slice(at);
}

describe("struct fixture", () => {
  it("is what the generator writes", () => {
    const committed = readFileSync(FIXTURE, "utf8");
    assert.match(committed, new RegExp(`^\\{"generator": "${GENERATOR}"`));
    const probe = spawnSync("python3", ["--version"], { encoding: "utf8", timeout: 10_000 });
    const version = probe.status === 0 ? (probe.stdout || probe.stderr).trim() : "";
    if (!/^Python 3\.11\./.test(version)) {
      console.log(
        `struct fixture: ${
          version ? `${version} is not 3.11` : "python3 not found"
        }; not regenerated, replayed as committed`,
      );
      return;
    }
    const run = spawnSync("python3", [projectPath(GENERATOR), "--stdout"], {
      cwd: projectPath(),
      encoding: "utf8",
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.status, 0, `generator failed: ${run.stderr}`);
    assert.ok(casesPart(run.stdout) === casesPart(committed), "fixture differs from a fresh run");
    console.log(`struct fixture: regenerated with ${version}, identical to the committed one`);
  });
});

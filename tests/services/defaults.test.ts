// Each service owns its defaults: one frozen object per service, which its options' docs name and
// the CLI's help is generated from (no default is written twice).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { CHAT_DEFAULTS, ECHO_DEFAULTS, EXEC_DEFAULTS } from "../../mod.ts";
import { projectPath, ROOT } from "../_helpers/paths.ts";

const OBJECTS: Record<string, object> = { ECHO_DEFAULTS, CHAT_DEFAULTS, EXEC_DEFAULTS };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("service defaults", () => {
  it("are frozen, one object per service, with the tutorial's ports and loopback", () => {
    for (const [name, defaults] of Object.entries(OBJECTS)) {
      assert.ok(Object.isFrozen(defaults), name);
    }
    assert.deepEqual(
      [ECHO_DEFAULTS.port, CHAT_DEFAULTS.port, EXEC_DEFAULTS.port],
      [8080, 8081, 8082],
    );
    for (const d of [ECHO_DEFAULTS, CHAT_DEFAULTS, EXEC_DEFAULTS]) {
      assert.equal(d.hostname, "127.0.0.1");
    }
    assert.equal(ECHO_DEFAULTS.maxFrameLength, 8 * 1024 * 1024);
  });

  it("every `@default {X_DEFAULTS.key}` in src/services names a key that exists", () => {
    const missing: string[] = [];
    let named = 0;
    for (const file of sources(projectPath("src", "services"))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/@default \{(\w+_DEFAULTS)\.(\w+)\}/g)) {
        named++;
        const object = OBJECTS[m[1]];
        if (!object || !(m[2] in object)) missing.push(`${relative(ROOT, file)}: ${m[0]}`);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(named >= 20, `only ${named} options document their default by the object`);
  });

  it("the CLI writes no default of its own: every shown default is computed", () => {
    const literal: string[] = [];
    for (const file of sources(projectPath("src", "cli"))) {
      for (const [i, line] of readFileSync(file, "utf8").split("\n").entries()) {
        // A string or a number written out, instead of a value read from a defaults object
        // (--adapter's default is no value but the running runtime's adapter).
        if (/defaultText: (["'`]|String\(\d)/.test(line) && !line.includes("runtime's")) {
          literal.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        }
      }
    }
    assert.deepEqual(literal, []);
  });
});

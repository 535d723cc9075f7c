// The npm package as `npm pack` (and `npm publish`) makes it, scripts and all: its package.json
// carries no install script (the checkout's `prepare` builds dist/ on `npm ci` and would make npm
// warn everyone who installs the package), installing it says nothing about scripts, and the
// checkout's package.json is as it was. tests/cli/npx.test.ts checks the installed bin, import
// and types.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { projectPath, ROOT } from "./_helpers/paths.ts";

const tmp = mkdtempSync(join(tmpdir(), "unstuck-packing-"));
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "preprepare", "prepare"];

after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a command to its end (bounded) and fails unless it exits 0; returns stdout and stderr. */
function run(cmd: string, args: string[], cwd = ROOT): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}:\n${r.stdout}${r.stderr}${r.error ?? ""}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

describe("npm pack", () => {
  const manifest = projectPath("package.json");
  const before = readFileSync(manifest, "utf8");
  let tarball = "";

  it("packs a package.json without install scripts, and leaves the checkout's as it was", () => {
    // As `npm publish` does: with the lifecycle scripts (prepack builds dist/).
    const out = run("npm", ["pack", "--json", "--pack-destination", tmp]).stdout;
    tarball = join(tmp, JSON.parse(out.slice(out.indexOf("[")))[0].filename);
    assert.equal(readFileSync(manifest, "utf8"), before, "package.json differs after npm pack");
    assert.ok(!existsSync(projectPath(".build", "package.json.before-pack")));
    const packed = JSON.parse(
      run("tar", ["-xzOf", tarball, "package/package.json"]).stdout,
    ) as { scripts?: Record<string, string>; bin: Record<string, string> };
    for (const name of INSTALL_SCRIPTS) {
      assert.equal(packed.scripts?.[name], undefined, `the packed package.json has ${name}`);
    }
    const listed = run("tar", ["-tzf", tarball]).stdout.split("\n");
    assert.ok(listed.includes(`package/${packed.bin.unstuck.replace(/^\.\//, "")}`));
  });

  it("installs into an empty project without a word about install scripts", () => {
    assert.ok(tarball, "no tarball (the pack test failed)");
    const app = join(tmp, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), '{ "private": true, "type": "module" }\n');
    const { stdout, stderr } = run("npm", ["install", "--offline", "--no-audit", tarball], app);
    assert.doesNotMatch(stdout + stderr, /install-scripts|prepare|allowScripts/, stdout + stderr);
    assert.match(run("npx", ["--no-install", "unstuck", "--version"], app).stdout, /^unstuck /);
  });

  it("every entry point imports under Node and type-checks with tsc, from the installed package", () => {
    const app = join(tmp, "app");
    assert.ok(existsSync(join(app, "node_modules", "unstuck")), "not installed (the test above)");
    // One name each entry point must have; the root's values must be the entry points' own.
    const entries: Record<string, string> = {
      "unstuck": "pack",
      "unstuck/struct": "pack",
      "unstuck/framing": "createFrameDecoder",
      "unstuck/runtime": "connect",
      "unstuck/echo": "serveEcho",
      "unstuck/chat": "joinChat",
      "unstuck/exec": "ExecClient",
      "unstuck/exec/protocol": "encodeControl",
    };
    const lines = Object.entries(entries).map(([spec, name], i) =>
      `import * as m${i} from "${spec}";\n` +
      `if (typeof m${i}.${name} !== "function") throw new Error("${spec} lacks ${name}");\n`
    );
    writeFileSync(
      join(app, "entries.mjs"),
      lines.join("") +
        "if (m0.pack !== m1.pack || m0.connect !== m3.connect) throw new Error('two copies');\n" +
        "console.log('ok');\n",
    );
    assert.equal(run("node", ["entries.mjs"], app).stdout, "ok\n");
    // ./cli is the program: importing it runs the CLI with the process's arguments.
    writeFileSync(join(app, "cli.mjs"), 'import "unstuck/cli";\n');
    assert.match(run("node", ["cli.mjs", "--version"], app).stdout, /^unstuck \d+\.\d+\.\d+\n$/);
    writeFileSync(
      join(app, "entries.mts"),
      [
        'import { pack, type StructValue } from "unstuck/struct";',
        'import { createFrameDecoder, type FramingOptions } from "unstuck/framing";',
        'import { connect, type NetAddress, type TcpConnection } from "unstuck/runtime";',
        'import { ECHO_DEFAULTS, type EchoServerOptions, serveEcho } from "unstuck/echo";',
        'import { CHAT_DEFAULTS, type ChatClient, joinChat } from "unstuck/chat";',
        'import { EXEC_DEFAULTS, ExecClient, type ExecResult } from "unstuck/exec";',
        'import { encodeControl, type RunMessage, signProof } from "unstuck/exec/protocol";',
        'import * as all from "unstuck";',
        "const v: StructValue = pack('!I', 5).length;",
        "const f: FramingOptions = { codec: 'length' };",
        "const a: NetAddress = { hostname: ECHO_DEFAULTS.hostname, port: CHAT_DEFAULTS.port };",
        "const o: EchoServerOptions = { port: EXEC_DEFAULTS.port };",
        "const r: RunMessage = { type: 'run', argv: ['true'] };",
        "type T = [TcpConnection, ChatClient, ExecResult];",
        "export const used = [v, f, a, o, r, createFrameDecoder, connect, serveEcho, joinChat,",
        "  ExecClient, encodeControl, signProof, all.VERSION] as const;",
        "export type { T };",
        "",
      ].join("\n"),
    );
    const typecheck = (...flags: string[]): void =>
      void run(projectPath("node_modules/.bin/tsc"), [
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--target",
        "es2022",
        ...flags,
        "entries.mts",
      ], app);
    // The published declarations type-check on their own (no @types/node in the project)…
    typecheck("--lib", "esnext,dom", "--types", "");
    // …and with Node's types instead of the DOM lib, as a Node project without "dom" has them.
    typecheck(
      "--lib",
      "esnext",
      "--typeRoots",
      projectPath("node_modules/@types"),
      "--types",
      "node",
    );
  });

  it("a pack that died before postpack is undone by the next one", () => {
    const strip = (): void => void run("node", ["scripts/pack_manifest.mjs", "strip"]);
    try {
      strip();
      strip(); // as after a pack that never ran postpack
      assert.doesNotMatch(readFileSync(manifest, "utf8"), /"prepare"/);
    } finally {
      run("node", ["scripts/pack_manifest.mjs", "restore"]);
    }
    assert.equal(readFileSync(manifest, "utf8"), before);
  });
});

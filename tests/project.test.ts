// Guards on the shape of the project itself: versions agree, mod.ts only re-exports, runtime-
// specific code stays inside the adapter folder (src/runtime/), and the layers keep their edges.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { projectPath, readJson, ROOT } from "./_helpers/paths.ts";
import * as root from "../mod.ts";
import { VERSION } from "../mod.ts";

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("project", () => {
  it("has one version in deno.json, package.json and src/version.ts", () => {
    assert.equal(readJson<{ version: string }>("deno.json").version, VERSION);
    assert.equal(readJson<{ version: string }>("package.json").version, VERSION);
  });

  it("mod.ts holds re-exports only", () => {
    const text = readFileSync(projectPath("mod.ts"), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const statements = text.split(";").map((s) => s.trim()).filter(Boolean);
    for (const s of statements) {
      assert.match(s, /^export (type )?(\*|\{[^}]*\}) from "\.\/src\/[^"]+\.ts"$/, s);
    }
  });

  it("keeps runtime-specific code inside src/runtime/", () => {
    const offenders: string[] = [];
    for (const file of walk(projectPath("src"))) {
      const rel = relative(ROOT, file).replaceAll("\\", "/");
      if (rel.startsWith("src/runtime/")) continue;
      const text = readFileSync(file, "utf8");
      const bad = /\bDeno\.|\bBun\.|typeof Deno|typeof Bun|from "node:|import\("node:/.exec(text);
      if (bad) offenders.push(`${rel}: ${bad[0]}`);
    }
    assert.deepEqual(offenders, []);
  });

  it("services read frames through framed(), never a decoder of their own", () => {
    const offenders: string[] = [];
    for (const file of walk(projectPath("src/services"))) {
      const text = code(readFileSync(file, "utf8"));
      const bad = /\b(?:createFrameDecoder|decodeFrames|createDecoderCore)\b/.exec(text);
      if (bad) offenders.push(`${relative(ROOT, file).replaceAll("\\", "/")}: ${bad[0]}`);
    }
    assert.deepEqual(offenders, []);
  });
});

// The layers, lowest first. A file may import its own layer's files freely; another layer only
// through that layer's mod.ts, and only a lower one. src/version.ts imports nothing and anyone may
// import it; the root mod.ts may import the layers' mod.ts and the package's entry points.
const LAYERS = ["struct", "framing", "runtime", "services", "cli"] as const;
const VERSION_FILE = "src/version.ts";

/** Source text with comments blanked out (line breaks kept, so line numbers hold). */
function code(text: string): string {
  const blank = (s: string): string => s.replace(/[^\n]/g, " ");
  // Strings first, so that "//" inside one (a URL) is no comment; then block and line comments.
  return text.replace(
    /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (m, str) => (str ? m : blank(m)),
  );
}

/** One import or export-from of a file: its specifier and the line it is on. */
interface Edge {
  file: string;
  line: number;
  text: string;
  specifier: string | undefined;
}

function edges(file: string): Edge[] {
  const source = readFileSync(projectPath(file), "utf8");
  const text = code(source);
  const lines = source.split("\n");
  const out: Edge[] = [];
  const add = (index: number, specifier: string | undefined): void => {
    const line = text.slice(0, index).split("\n").length;
    out.push({ file, line, text: lines[line - 1].trim(), specifier });
  };
  const patterns = [
    /\b(?:import|export)\b(?:\s+type)?[^;"'`]*?\bfrom\s*["']([^"']+)["']/g, // … from "x"
    /\bimport\s*["']([^"']+)["']/g, // import "x"
    /\bimport\s*\(\s*(?:["']([^"']+)["']\s*\)|(?!["']))/g, // import("x"), or a computed one
  ];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) add(m.index!, m[1]);
  }
  return out;
}

/** Every .ts file under `dir` (relative to the root, with forward slashes). */
function tsFiles(dir: string): string[] {
  return walk(projectPath(dir)).map((f) => relative(ROOT, f).replaceAll("\\", "/"));
}

function layerOf(file: string): string | undefined {
  const m = /^src\/([^/]+)\//.exec(file);
  return m ? m[1] : undefined;
}

/** The file a relative specifier names, relative to the root; undefined for a bare one. */
function target(edge: Edge): string | undefined {
  if (edge.specifier === undefined || !edge.specifier.startsWith(".")) return undefined;
  return relative(ROOT, resolve(ROOT, dirname(edge.file), edge.specifier)).replaceAll("\\", "/");
}

/**
 * The only computed imports allowed, by file: what they load and why it cannot be written out.
 * Any other computed import is a violation (the check cannot follow it).
 */
const COMPUTED_IMPORTS: Readonly<Record<string, string>> = {
  "src/runtime/bun/receive_buffer.ts":
    "bun:ffi, Bun's own module, in the bun adapter; written out, deno check and tsc would resolve it",
};

/** What is wrong with one import, or undefined when it keeps the rules. */
function violation(edge: Edge, entries: ReadonlySet<string>): string | undefined {
  if (edge.specifier === undefined) {
    return edge.file in COMPUTED_IMPORTS
      ? undefined
      : "a computed import, which this check cannot follow";
  }
  if (!edge.specifier.startsWith(".")) {
    if (edge.specifier.startsWith("node:") && layerOf(edge.file) === "runtime") return undefined;
    return "a bare specifier (the library has no dependencies; node:* only in src/runtime/)";
  }
  const to = target(edge)!;
  if (edge.file === VERSION_FILE) return "src/version.ts imports nothing";
  if (to === VERSION_FILE) return undefined;
  const from = layerOf(edge.file);
  const into = layerOf(to);
  if (into === undefined || !LAYERS.includes(into as typeof LAYERS[number])) {
    return `${to} is in no layer`;
  }
  if (from === undefined) {
    // The root mod.ts: the layers' mod.ts, or an entry point of the package.
    return to === `src/${into}/mod.ts` || entries.has(to) ? undefined : `skips src/${into}/mod.ts`;
  }
  if (from === into) return undefined;
  const rank = (layer: string): number => LAYERS.indexOf(layer as typeof LAYERS[number]);
  if (rank(into) > rank(from)) return `runs up from ${from} to ${into}`;
  if (to !== `src/${into}/mod.ts`) return `skips src/${into}/mod.ts`;
  return undefined;
}

/** The package's entry points (deno.json's exports), relative to the root. */
function entryPoints(): Set<string> {
  const exports = readJson<{ exports: Record<string, string> }>("deno.json").exports;
  return new Set(Object.values(exports).map((p) => p.replace(/^\.\//, "")));
}

describe("project: layers", () => {
  const files = ["mod.ts", ...tsFiles("src")];

  it("finds the imports of every kind (static, type-only, export-from, dynamic)", () => {
    const all = files.flatMap(edges);
    assert.ok(all.length > 300, `only ${all.length} imports found`);
    const texts = all.map((e) => e.text);
    assert.ok(texts.some((t) => /^import type /.test(t)), "no import type");
    assert.ok(texts.some((t) => /^export \{/.test(t) || /^export \*/.test(t)), "no export-from");
    assert.ok(texts.some((t) => /import\(/.test(t)), "no dynamic import");
    // Imports in JSDoc examples are no imports of the file.
    assert.ok(!all.some((e) => e.specifier === "@unstuck/unstuck"), "an example counted");
  });

  it("imports another layer only through its mod.ts, and never a higher one", () => {
    const entries = entryPoints();
    const offenders = files.flatMap(edges).flatMap((edge) => {
      const why = violation(edge, entries);
      return why === undefined ? [] : [`${edge.file}:${edge.line}: ${edge.text} -- ${why}`];
    });
    assert.deepEqual(offenders, [], `\n${offenders.join("\n")}`);
  });

  it("the check catches an import that skips a mod.ts or runs up a layer", () => {
    const entries = entryPoints();
    const edge = (file: string, specifier: string): Edge => ({
      file,
      line: 1,
      text: "",
      specifier,
    });
    assert.match(violation(edge("src/services/x.ts", "../framing/options.ts"), entries)!, /skips/);
    assert.match(violation(edge("src/framing/x.ts", "../runtime/mod.ts"), entries)!, /runs up/);
    assert.match(violation(edge("src/struct/x.ts", "../cli/mod.ts"), entries)!, /runs up/);
    assert.match(violation(edge("mod.ts", "./src/runtime/adapter.ts"), entries)!, /skips/);
    assert.match(violation(edge("src/framing/x.ts", "node:fs"), entries)!, /bare/);
    assert.match(
      violation({ ...edge("src/cli/x.ts", ""), specifier: undefined }, entries)!,
      /computed/,
    );
    assert.equal(violation(edge("src/services/x.ts", "../framing/mod.ts"), entries), undefined);
    assert.equal(violation(edge("src/services/echo/x.ts", "../errors.ts"), entries), undefined);
    assert.equal(violation(edge("src/cli/x.ts", "../version.ts"), entries), undefined);
  });

  it("struct and framing reach nothing of node:*, Deno, Bun or process (they run in browsers)", () => {
    const seen = new Set<string>();
    const queue = ["src/struct/mod.ts", "src/framing/mod.ts"];
    const offenders: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = code(readFileSync(projectPath(file), "utf8"));
      const bad =
        /\b(?:Deno|Bun)\s*(?:\.|\?\.|\[)|typeof\s+(?:Deno|Bun)\b|\bprocess\s*\.|\bBuffer\b/
          .exec(text);
      if (bad) offenders.push(`${file}: ${bad[0]}`);
      for (const edge of edges(file)) {
        const to = target(edge);
        if (to === undefined) offenders.push(`${file}:${edge.line}: ${edge.text}`);
        else queue.push(to);
      }
    }
    assert.ok(seen.size > 20, `only ${seen.size} files reached`);
    assert.ok(![...seen].some((f) => f.startsWith("src/runtime/")), "reaches the runtime layer");
    assert.deepEqual(offenders, []);
  });
});

// Names a layer's mod.ts exports for the layers above only: the root mod.ts leaves them out.
const INTERNAL: Record<string, readonly string[]> = {
  framing: ["integerOption"],
  runtime: [
    "checkContainment",
    "effectiveUid",
    "environment",
    "exit",
    "getEnv",
    "onShutdownSignal",
    "programArgs",
    "readOwnedTextFile",
    "readStdin",
    "readTextFile",
    "writeStderr",
    "writeStdout",
  ],
  services: [
    "echoFraming",
    "LogLimiter",
    "MAX_TIMER_MS",
    "refusesPlaintext",
    "runDemo",
    "timerDelay",
    "withTimeout",
  ],
};

describe("project: public surface", () => {
  it("mod.ts exports every layer's public values, and none of its internal ones", async () => {
    const exported = new Set(Object.keys(root));
    const problems: string[] = [];
    for (const layer of ["struct", "framing", "runtime", "services"]) {
      const names = Object.keys(await import(`../src/${layer}/mod.ts`));
      const internal = INTERNAL[layer] ?? [];
      for (const name of internal) {
        if (!names.includes(name)) problems.push(`${layer}: internal ${name} is not exported`);
        if (exported.has(name)) problems.push(`mod.ts exports ${layer}'s internal ${name}`);
      }
      for (const name of names) {
        if (!internal.includes(name) && !exported.has(name)) {
          problems.push(`mod.ts lacks ${name} (src/${layer}/mod.ts)`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it("mod.ts exports nothing of the exec wire protocol but its errors (that is ./exec/protocol)", async () => {
    const protocol = Object.keys(await import("../src/services/exec/protocol/mod.ts"));
    assert.ok(protocol.includes("encodeControl") && protocol.includes("signProof"));
    const leaked = protocol.filter((name) => name in root && !name.endsWith("Error"));
    assert.deepEqual(leaked, []);
  });

  it("deno.json and package.json export the same entry points; npm's with types, from dist/", () => {
    const deno = readJson<{ exports: Record<string, string> }>("deno.json").exports;
    const npm = readJson<{
      exports: Record<string, { types: string; default: string } | string>;
      sideEffects: string[] | false;
    }>("package.json");
    assert.deepEqual(Object.keys(deno), [
      ".",
      "./struct",
      "./framing",
      "./runtime",
      "./echo",
      "./chat",
      "./exec",
      "./exec/protocol",
      "./cli",
    ]);
    assert.deepEqual(Object.keys(npm.exports), [...Object.keys(deno), "./package.json"]);
    for (const [subpath, source] of Object.entries(deno)) {
      const built = source.replace(/^\.\//, "./dist/").replace(/\.ts$/, "");
      assert.deepEqual(npm.exports[subpath], { types: `${built}.d.ts`, default: `${built}.js` });
    }
    // Bundlers may drop any module whose exports go unused, except the CLI: a program, which
    // runs when imported.
    assert.deepEqual(npm.sideEffects, ["./dist/src/cli/main.js"]);
    assert.equal(deno["./cli"], "./src/cli/main.ts");
  });
});

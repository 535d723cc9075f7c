// Throughput of unstuck's struct against its peers, in the runtime that runs this file:
// python-struct (npm) and a hand-written DataView function for the same format (the ceiling of
// the approach). CPython is measured by bench/struct_cpython.py; bench/run_struct.mjs runs
// everything and prints the one table of docs/BENCHMARKS.md.
//
//   deno run -A bench/struct.ts        bun bench/struct.ts
//   node bench/run_struct.mjs --only node   (Node 20 runs the tsc-compiled copy)
//
// Flags: --json (one JSON line per measurement), --ms N (CPU time per sample, default 300),
// --format F (only that format).
// Rates are per second of CPU time, which other processes on a shared machine disturb less.
// Every measured function returns a number that is summed into a checksum, and the checksum is
// compared with the expected one, so dead-code elimination cannot fake a result.
import { Buffer } from "node:buffer";
import process from "node:process";
import pyStruct from "python-struct";
import { Struct } from "../mod.ts";
import { setCodegen } from "../src/struct/compile.ts";

const args = process.argv.slice(2);
const JSON_OUT = args.includes("--json");
const msArg = args.indexOf("--ms");
const SAMPLE_MS = msArg >= 0 ? Number(args[msArg + 1]) : 300;
const SAMPLES = 3;
const formatArg = args.indexOf("--format");
const ONLY_FORMAT = formatArg >= 0 ? args[formatArg + 1] : undefined;

const text20 = "hello, struct world!";
const bytes20 = new TextEncoder().encode(text20);

type Values = readonly unknown[];

interface Case {
  format: string;
  /** Our values (8-byte ints as bigint, s as bytes). */
  values: Values;
  /** python-struct's values (8-byte ints as numbers, s as a string). */
  peerValues: unknown[];
  /** unstuck's calls with the values passed one by one, as a caller writes them. */
  ours(
    s: Struct,
  ): { pack(v: Values): Uint8Array; packInto(b: Uint8Array, o: number, v: Values): void };
  /** The hand-written DataView code a careful programmer would write for the format. */
  hand: {
    pack(v: Values): Uint8Array;
    unpack(b: Uint8Array): unknown[];
    packInto(b: Uint8Array, off: number, v: Values): void;
  };
}

// packInto keeps its DataView while the target buffer stays the same, as careful code would.
let lastTarget: Uint8Array | undefined;
let lastView: DataView | undefined;
function viewOf(b: Uint8Array): DataView {
  if (b !== lastTarget) {
    lastTarget = b;
    lastView = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  return lastView!;
}

type N = number;
type B = bigint;
type U = Uint8Array;

const cases: Case[] = [
  {
    format: "<IHHqd",
    values: [3735928559, 4660, 65000, 1700000000123n, 3.141592653589793],
    peerValues: [3735928559, 4660, 65000, 1700000000123, 3.141592653589793],
    ours: (s) => ({
      pack: (v) => s.pack(v[0] as N, v[1] as N, v[2] as N, v[3] as B, v[4] as N),
      packInto: (b, o, v) =>
        s.packInto(b, o, v[0] as N, v[1] as N, v[2] as N, v[3] as B, v[4] as N),
    }),
    hand: {
      pack(v) {
        const out = new Uint8Array(24);
        const dv = new DataView(out.buffer);
        dv.setUint32(0, v[0] as N, true);
        dv.setUint16(4, v[1] as N, true);
        dv.setUint16(6, v[2] as N, true);
        dv.setBigInt64(8, v[3] as B, true);
        dv.setFloat64(16, v[4] as N, true);
        return out;
      },
      unpack(b) {
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        return [
          dv.getUint32(0, true),
          dv.getUint16(4, true),
          dv.getUint16(6, true),
          dv.getBigInt64(8, true),
          dv.getFloat64(16, true),
        ];
      },
      packInto(b, off, v) {
        const dv = viewOf(b);
        dv.setUint32(off, v[0] as N, true);
        dv.setUint16(off + 4, v[1] as N, true);
        dv.setUint16(off + 6, v[2] as N, true);
        dv.setBigInt64(off + 8, v[3] as B, true);
        dv.setFloat64(off + 16, v[4] as N, true);
      },
    },
  },
  {
    format: "!I",
    values: [305419896],
    peerValues: [305419896],
    ours: (s) => ({
      pack: (v) => s.pack(v[0] as N),
      packInto: (b, o, v) => s.packInto(b, o, v[0] as N),
    }),
    hand: {
      pack(v) {
        const out = new Uint8Array(4);
        new DataView(out.buffer).setUint32(0, v[0] as N, false);
        return out;
      },
      unpack(b) {
        return [new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, false)];
      },
      packInto(b, off, v) {
        viewOf(b).setUint32(off, v[0] as N, false);
      },
    },
  },
  {
    format: "<20sHd",
    values: [bytes20, 443, 2.5],
    peerValues: [text20, 443, 2.5],
    ours: (s) => ({
      pack: (v) => s.pack(v[0] as U, v[1] as N, v[2] as N),
      packInto: (b, o, v) => s.packInto(b, o, v[0] as U, v[1] as N, v[2] as N),
    }),
    hand: {
      pack(v) {
        const out = new Uint8Array(30);
        out.set(v[0] as U);
        const dv = new DataView(out.buffer);
        dv.setUint16(20, v[1] as N, true);
        dv.setFloat64(22, v[2] as N, true);
        return out;
      },
      unpack(b) {
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        return [b.slice(0, 20), dv.getUint16(20, true), dv.getFloat64(22, true)];
      },
      packInto(b, off, v) {
        b.set(v[0] as U, off);
        const dv = viewOf(b);
        dv.setUint16(off + 20, v[1] as N, true);
        dv.setFloat64(off + 22, v[2] as N, true);
      },
    },
  },
];

/** A number from an unpacked value, for the checksum. */
function num(x: unknown): number {
  if (typeof x === "number") return x;
  if (typeof x === "bigint") return Number(x & 0xffffn);
  if (x instanceof Uint8Array) return x[3];
  return Number((x as { low?: number }).low ?? 0);
}

/** CPU time this process has used, in milliseconds (user + system). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs `fn` for SAMPLES samples of SAMPLE_MS of CPU time each; returns the best rate (ops per
 * CPU second, which other processes on the machine disturb less than wall time) and verifies
 * the checksum.
 */
function measure(
  fn: (i: number) => number,
  expect: (i: number) => number,
  sampleMs = SAMPLE_MS,
): number {
  let i = 0;
  const warm = cpuMs() + sampleMs / 2;
  while (cpuMs() < warm) {
    for (let k = 0; k < 1000; k++, i++) fn(i);
  }
  let best = 0;
  for (let s = 0; s < SAMPLES; s++) {
    let sum = 0;
    let want = 0;
    let n = 0;
    const start = cpuMs();
    const end = start + sampleMs;
    let now = start;
    while (now < end) {
      for (let k = 0; k < 2000; k++, n++) sum += fn(n);
      now = cpuMs();
    }
    for (let k = 0; k < n; k++) want += expect(k);
    if (sum !== want) throw new Error(`checksum ${sum} != ${want}`);
    best = Math.max(best, (n / (now - start)) * 1000);
  }
  return best;
}

interface Row {
  runtime: string;
  format: string;
  op: "pack" | "unpack" | "packInto";
  impl: "unstuck" | "unstuck interpreter" | "python-struct" | "hand DataView";
  opsPerSec: number;
}

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.version}`;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// Every implementation is called from the same loop in measure(); calling a few functions
// through it first makes that call site polymorphic for all of them, not just the later ones.
for (let k = 0; k < 4; k++) measure(() => k, () => k, 1);

const rows: Row[] = [];
const runtime = runtimeName();
for (const c of cases) {
  if (ONLY_FORMAT !== undefined && c.format !== ONLY_FORMAT) continue;
  const s = new Struct(c.format);
  // The same struct without generated code (what a host that forbids new Function gets).
  setCodegen(false);
  const plain = new Struct(c.format);
  setCodegen(true);
  const v = c.values;
  const packed = s.pack(...(v as never[]));
  // The peers must produce the same bytes and values, or the comparison is meaningless.
  if (!same(c.hand.pack(v), packed)) throw new Error(`hand pack differs: ${c.format}`);
  if (!same(new Uint8Array(pyStruct.pack(c.format, c.peerValues)), packed)) {
    throw new Error(`python-struct pack differs: ${c.format}`);
  }
  const peerBuf = Buffer.from(packed);
  const firstByte = (): number => packed[0];
  const target = new Uint8Array(packed.length + 16);
  const unpackSum = num(s.unpack(packed)[0]) + s.unpack(packed).length;
  const peerSum = num(pyStruct.unpack(c.format, peerBuf)[0]) + v.length;
  const checked = (r: unknown[]): number => num(r[0]) + r.length;
  const into = (f: (b: Uint8Array, o: number, v: Values) => void) => (i: number): number => {
    f(target, i & 15, v);
    return target[i & 15];
  };
  const [ours, interp] = [c.ours(s), c.ours(plain)];
  const runs: [Row["op"], Row["impl"], (i: number) => number, (i: number) => number][] = [
    ["pack", "unstuck", () => ours.pack(v)[0], firstByte],
    ["pack", "unstuck interpreter", () => interp.pack(v)[0], firstByte],
    ["pack", "python-struct", () => pyStruct.pack(c.format, c.peerValues)[0], firstByte],
    ["pack", "hand DataView", () => c.hand.pack(v)[0], firstByte],
    ["unpack", "unstuck", () => checked(s.unpack(packed)), () => unpackSum],
    ["unpack", "unstuck interpreter", () => checked(plain.unpack(packed)), () => unpackSum],
    ["unpack", "python-struct", () => checked(pyStruct.unpack(c.format, peerBuf)), () => peerSum],
    ["unpack", "hand DataView", () => checked(c.hand.unpack(packed)), () => unpackSum],
    ["packInto", "unstuck", into(ours.packInto), firstByte],
    ["packInto", "unstuck interpreter", into(interp.packInto), firstByte],
    ["packInto", "hand DataView", into(c.hand.packInto), firstByte],
  ];
  for (const [op, impl, fn, expect] of runs) {
    rows.push({ runtime, format: c.format, op, impl, opsPerSec: measure(fn, expect) });
    if (JSON_OUT) console.log(JSON.stringify(rows[rows.length - 1]));
  }
}

if (!JSON_OUT) {
  console.log(
    `struct benchmark, ${runtime} (ops per CPU second, best of ${SAMPLES} × ${SAMPLE_MS} ms)\n`,
  );
  console.log("| format | op | unstuck | unstuck interpreter | python-struct | hand DataView |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const c of cases.filter((c) => rows.some((r) => r.format === c.format))) {
    for (const op of ["pack", "unpack", "packInto"] as const) {
      const get = (impl: Row["impl"]): string => {
        const r = rows.find((x) => x.format === c.format && x.op === op && x.impl === impl);
        return r ? Math.round(r.opsPerSec).toLocaleString("en-US") : "—";
      };
      console.log(
        `| \`${c.format}\` | ${op} | ${get("unstuck")} | ${get("unstuck interpreter")} | ${
          get("python-struct")
        } | ${get("hand DataView")} |`,
      );
    }
  }
}

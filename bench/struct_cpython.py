#!/usr/bin/env python3
"""CPython's struct.Struct on the workloads of bench/struct.ts (same formats, same values).

    python3 bench/struct_cpython.py [--json] [--ms N]

Each op runs in a bound-method loop (as timeit does): best of 3 samples of N ms of CPU time
(time.process_time, as bench/struct.ts measures process CPU time).
"""
import json
import struct
import sys
import time

JSON_OUT = "--json" in sys.argv
SAMPLE_MS = int(sys.argv[sys.argv.index("--ms") + 1]) if "--ms" in sys.argv else 300
SAMPLES = 3

CASES = [
    ("<IHHqd", (3735928559, 4660, 65000, 1700000000123, 3.141592653589793)),
    ("!I", (305419896,)),
    ("<20sHd", (b"hello, struct world!", 443, 2.5)),
]


def measure(loop):
    """loop(n) runs the op n times; returns the best ops/s."""
    loop(20000)
    best = 0.0
    for _ in range(SAMPLES):
        n = 0
        start = time.process_time()
        end = start + SAMPLE_MS / 1000
        now = start
        while now < end:
            loop(5000)
            n += 5000
            now = time.process_time()
        best = max(best, n / (now - start))
    return best


def loops(s, values):
    pack, unpack, pack_into = s.pack, s.unpack, s.pack_into
    packed = pack(*values)
    target = bytearray(len(packed) + 16)

    def do_pack(n):
        for _ in range(n):
            pack(*values)

    def do_unpack(n):
        for _ in range(n):
            unpack(packed)

    def do_pack_into(n):
        for i in range(n):
            pack_into(target, i & 15, *values)

    assert unpack(packed) == values
    return {"pack": do_pack, "unpack": do_unpack, "packInto": do_pack_into}


rows = []
runtime = "CPython " + sys.version.split()[0]
for fmt, values in CASES:
    for op, loop in loops(struct.Struct(fmt), values).items():
        row = {"runtime": runtime, "format": fmt, "op": op, "impl": "CPython",
               "opsPerSec": measure(loop)}
        rows.append(row)
        if JSON_OUT:
            print(json.dumps(row), flush=True)
if not JSON_OUT:
    print(f"struct benchmark, {runtime} (ops per CPU second, best of {SAMPLES} x {SAMPLE_MS} ms)\n")
    for r in rows:
        print(f"{r['format']:8} {r['op']:8} {r['opsPerSec']:>14,.0f}")

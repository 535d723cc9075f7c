#!/usr/bin/env python3
"""Writes tests/fixtures/struct_cases.json: what CPython 3.11's struct module returns or raises
for several thousand inputs, for tests/struct/cpython.test.ts to replay in Node, Deno and Bun.

    python3 tests/python/gen_struct_cases.py            # rewrite the fixture
    python3 tests/python/gen_struct_cases.py --stdout   # print it instead

Seeded, so the output depends only on this file and the Python version. Every input is one a
JavaScript caller can express: Python ints become numbers or bigints, bytes and bytearray become
Uint8Array; inputs with no JavaScript twin (a read-only bytes object for pack_into) are left out.
An integral JavaScript number is a Python int in unstuck's API, so a finite integral float
argument (other than -0.0) reaches CPython as the int it equals (see js()). Nor is -0.0 passed
for an integer format: JavaScript's -0 is an integral number, the int 0 there.

Encoding of values: {"i": "<decimal>"} int, {"f": "<repr>"} float (repr keeps nan, inf, -0.0
and every bit of the double; an integral one was an int for CPython), {"b": bool},
{"y": "<hex>"} bytes, {"mv": "<hex>"} memoryview (a DataView), {"s": str}, {"n": null} None,
{"l": [...]} list, {"d": {...}} dict. Buffers are hex strings. An error is
{"type": <exception class>, "message": <str(e)>}, with struct.error named "StructError".

    python3 tests/python/gen_struct_cases.py --fuzz N [--seed S]   # N random cases instead

writes a fixture of N random calls (random formats, values of every type and range, buffers and
offsets), for a differential run: UNSTUCK_STRUCT_CASES=<file> with tests/struct/cpython.test.ts.
"""
import json
import math
import random
import re
import struct
import sys

SEED = 20251126
rng = random.Random(SEED)
ORDERS = ["", "@", "=", "<", ">", "!"]
INT_CHARS = "bBhHiIlLqQnNP"
ALL_CHARS = "xcbB?hHiIlLqQnNPefdsp"
cases = []


class Integral(int):
    """A finite integral float, as the JavaScript number it is passed as: an int for CPython
    (unstuck takes an integral number for a Python int), encoded as the float for JavaScript."""


def js(v):
    """The Python value a JavaScript caller's value stands for (see Integral)."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and str(v) != "-0.0":
        return Integral(v)
    return v


def enc(v):
    if isinstance(v, Integral):
        return {"f": repr(float(v))}
    if isinstance(v, bool):
        return {"b": v}
    if isinstance(v, int):
        return {"i": str(v)}
    if isinstance(v, float):
        return {"f": repr(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"y": bytes(v).hex()}
    if isinstance(v, memoryview):
        return {"mv": v.tobytes().hex()}
    if isinstance(v, str):
        return {"s": v}
    if v is None:
        return {"n": None}
    if isinstance(v, list):
        return {"l": [enc(x) for x in v]}
    if isinstance(v, dict):
        return {"d": {k: enc(x) for k, x in v.items()}}
    raise TypeError(f"cannot encode {v!r}")


def err(e):
    name = type(e).__name__
    return {"type": "StructError" if name == "error" else name, "message": str(e)}


def add(case, fn):
    try:
        case["ok"] = fn()
    except Exception as e:  # every exception CPython raises is part of the expected result
        case["err"] = err(e)
    cases.append(case)


def representable(fmt):
    """Sizes beyond 2**53 - 1 are valid in CPython but not representable as a JavaScript number
    (unstuck throws a RangeError for them, tested on its own); they are left out here."""
    try:
        return struct.calcsize(fmt) <= 2 ** 53 - 1
    except Exception:
        return True


def calcsize(fmt):
    if representable(fmt):
        add({"op": "calcsize", "fmt": fmt}, lambda: struct.calcsize(fmt))


def pack(fmt, *args):
    args = [js(a) for a in args]
    add({"op": "pack", "fmt": fmt, "args": [enc(a) for a in args]},
        lambda: struct.pack(fmt, *args).hex())


def unpack(fmt, buf):
    add({"op": "unpack", "fmt": fmt, "buf": buf.hex()},
        lambda: [enc(v) for v in struct.unpack(fmt, buf)])


def unpack_from(fmt, buf, *offset):
    case = {"op": "unpack_from", "fmt": fmt, "buf": buf.hex()}
    if offset:
        case["offset"] = enc(offset[0])
    add(case, lambda: [enc(v) for v in struct.unpack_from(fmt, buf, *offset)])


def pack_into(fmt, buf, offset, *args):
    offset = js(offset)
    args = [js(a) for a in args]
    target = bytearray(buf)
    case = {"op": "pack_into", "fmt": fmt, "buf": bytes(buf).hex(), "offset": enc(offset),
            "args": [enc(a) for a in args]}

    def run():
        struct.pack_into(fmt, target, offset, *args)
        return target.hex()

    add(case, run)
    if "err" in case:
        case["after"] = target.hex()


def iter_unpack(fmt, buf):
    add({"op": "iter_unpack", "fmt": fmt, "buf": buf.hex()},
        lambda: [[enc(v) for v in t] for t in struct.iter_unpack(fmt, buf)])


def struct_attrs(fmt):
    if representable(fmt):
        add({"op": "struct", "fmt": fmt},
            lambda: {"format": struct.Struct(fmt).format, "size": struct.Struct(fmt).size})


def rand_bytes(n):
    return rng.randbytes(n)


# ---------------------------------------------------------------------------------------------
# Values a format accepts, for round trips.

def int_range(order, c):
    size = struct.calcsize(order + c)
    if c == "P":
        return -(2 ** 63), 2 ** 64 - 1
    if c in "bhilqn":
        return -(2 ** (size * 8 - 1)), 2 ** (size * 8 - 1) - 1
    return 0, 2 ** (size * 8) - 1


def rand_int(lo, hi):
    r = rng.random()
    if r < 0.15:
        return rng.choice([lo, hi, 0])
    if r < 0.5:
        return rng.randint(max(lo, -1000), min(hi, 1000))
    return rng.randint(lo, hi)


def rand_float(c):
    """A random float of the format's precision; never NaN (JavaScript cannot carry its sign)."""
    v = random_float(c)
    return 0.5 if math.isnan(v) else v


def random_float(c):
    r = rng.random()
    if c == "e":
        if r < 0.5:
            return struct.unpack("<e", rng.randbytes(2))[0]
        return rng.choice([1, -1]) * rng.uniform(0, 65504)
    if c == "f":
        if r < 0.5:
            return struct.unpack("<f", rng.randbytes(4))[0]
        return rng.uniform(-1e30, 1e30)
    if r < 0.5:
        return struct.unpack("<d", rng.randbytes(8))[0]
    return rng.uniform(-1e300, 1e300)


def rand_value(order, c, n):
    """A valid value for format char c (n: the count, for s and p)."""
    if c in INT_CHARS:
        return rand_int(*int_range(order, c))
    if c in "efd":
        if rng.random() < 0.1:  # an int: what a JavaScript caller's integral number is
            limit = {"e": 65504, "f": 2 ** 127, "d": 2 ** 1000}[c]
            return rand_int(-limit, limit)
        return rand_float(c)
    if c == "?":
        return rng.choice([True, False])
    if c == "c":
        return rand_bytes(1)
    if c == "s":
        return rand_bytes(rng.choice([0, n // 2, n, n + 3]))
    if c == "p":
        return rand_bytes(rng.choice([0, max(0, n - 1), n, n + 3, 300]))
    raise ValueError(c)


def zero_p_at_end(fmt):
    """True when a 0p of fmt sits at the end of the struct: CPython 3.11 writes its stray 0xff
    past the struct there (into a pack_into buffer), a CPython bug unstuck does not copy."""
    order = fmt[:1] if fmt[:1] in "@=<>!" else ""
    body = fmt[len(order):]
    try:
        size = struct.calcsize(fmt)
    except struct.error:
        return False
    return any(m.group(1) != "" and int(m.group(1)) == 0 and m.group(2) == "p"
               and struct.calcsize(order + body[:m.start()]) == size
               for m in re.finditer(r"(\d*)(\S)", body))


def rand_format():
    order = rng.choice(ORDERS)
    chars = "xcbB?hHiIlLqQefdsp" + ("nNP" if order in ("", "@") else "")
    items = []
    for _ in range(rng.randint(1, 6)):
        c = rng.choice(chars)
        count = rng.choice([None, None, None, 0, 1, 2, 3, 5]) if c not in "sp" else rng.choice(
            [None, 0, 1, 2, 5, 10, 20])
        items.append((c, count))
    text = order + "".join(
        ("" if count is None else str(count)) + c + rng.choice(["", "", "", " ", "\t"])
        for c, count in items)
    return text, values_for(order, items, rand_value)


def values_for(order, items, value):
    """The values for a format's (char, count) items: value(order, c, n) for each one."""
    values = []
    for c, count in items:
        n = 1 if count is None else count
        if c in "sp":
            values.append(value(order, c, n))
        elif c != "x":
            values.extend(value(order, c, n) for _ in range(n))
    return values


# ---------------------------------------------------------------------------------------------
# 1. Every format char in every byte order: size, boundary ints, wrong types, raw bytes.

BOUNDS = sorted({0, 1, -1, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 1, -(2 ** 53) - 1, 2 ** 100, -(2 ** 100)}
                | {s * 2 ** b + d for b in (7, 8, 15, 16, 31, 32, 63, 64) for s in (1, -1)
                   for d in (-1, 0, 1)})
WRONG = [1.5, -0.5, float("nan"), float("inf"), float("-inf"), "a", "", None, b"a", b"",
         bytearray(b"ab"), True, False, [], [1], {}, 2 ** 1100, -(2 ** 1100)]

for order in ORDERS:
    for c in ALL_CHARS:
        fmt = order + c
        calcsize(fmt)
        for n in (0, 1, 2, 3, 7):
            calcsize(f"{order}{n}{c}")
        if c in INT_CHARS:
            for v in BOUNDS:
                pack(fmt, v)
        for v in WRONG:
            if c == "x":
                continue
            pack(fmt, v)
        size = struct.calcsize(fmt) if c not in "nNP" or order in ("", "@") else 1
        for pattern in (b"\x00", b"\xff", b"\x7f", b"\x80", b"\x01"):
            unpack(fmt, (pattern * size)[:size])
            unpack(fmt, pattern + b"\x00" * (size - 1))
            unpack(fmt, b"\x00" * (size - 1) + pattern)
        for _ in range(4):
            unpack(fmt, rand_bytes(size))
        unpack(f"{order}3{c}", rand_bytes(3 * size))

# ---------------------------------------------------------------------------------------------
# 2. Floats: half-float rounding, overflow, infinities, NaN, -0.0; f overflow (std vs native).

HALF_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 65504.0, 65504.00000001, 65519.99999999, 65520.0,
              -65520.0, 65536.0, 1e300, -1e300, 2.0 ** -24, 2.0 ** -25,
              2.0 ** -25 * (1 + 2 ** -52), 2.0 ** -26, 1.5 * 2.0 ** -24, 2.5 * 2.0 ** -24,
              3.5 * 2.0 ** -24, 2.0 ** -14, 2.0 ** -14 - 2.0 ** -25, 2.0 ** -14 - 2.0 ** -24,
              1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 1 + 2.0 ** -11 + 2.0 ** -40, 2047.5, 2048.5,
              2049.0, 2051.0, 4095.0, 5e-324, -5e-324, 1.401298464324817e-45,
              float("inf"), float("-inf"), float("nan"), 0.1, 1 / 3, math.pi]
FLOAT_EDGES = [3.4028234663852886e+38, 3.4028235677973362e+38, 3.4028235677973366e+38,
               3.402823567797337e+38, -3.4028235677973366e+38, 1e39, 1.17549435e-38,
               1.4e-45, 7e-46, 7.1e-46, 1e-50, 16777217.0, 16777219.0, 1e300, 2.0 ** 128,
               1.7976931348623157e+308, 2.2250738585072014e-308, 5e-324]
for order in ORDERS:
    for c in "efd":
        fmt = order + c
        for v in HALF_EDGES + FLOAT_EDGES:
            pack(fmt, v)
        # Ints: where they overflow, CPython's message is "int too large to convert".
        for v in (3, -7, 2 ** 60 + 1, 2 ** 1023, 2 ** 1024, -(2 ** 1024), 65504, 65519, 65520,
                  -65520, -98730, 2 ** 24 + 1, 2 ** 104, 2 ** 128 - 2 ** 104, 2 ** 128,
                  -(2 ** 128), 10 ** 39, 2 ** 53 + 1, -(2 ** 53) - 1):
            pack(fmt, v)
        pack(fmt, True)
        for _ in range(60):
            pack(fmt, rand_float(c))
for order in ("<", ">"):
    for bits in (0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0x7BFF, 0xFBFF, 0x7C00,
                 0xFC00, 0x7C01, 0x7E00, 0xFE00, 0x7FFF):
        unpack(order + "e", struct.pack(order + "H", bits))
    for _ in range(150):
        unpack(order + "e", rand_bytes(2))
    for bits in (0x7F800000, 0xFF800000, 0x7FC00000, 0x00000001, 0x80000000, 0x7F7FFFFF):
        unpack(order + "f", struct.pack(order + "I", bits))

# ---------------------------------------------------------------------------------------------
# 3. Bytes: s and p with every length relation, pascal clamping at 255, 0s, 0p, c.

for n in (0, 1, 2, 3, 5, 255, 256, 257, 300):
    for length in sorted({0, 1, max(0, n - 2), max(0, n - 1), n, n + 1, 300}):
        value = bytes(rng.randrange(256) for _ in range(length))
        pack(f"{n}s", value)
        pack(f"{n}p", value)
        pack(f"<{n}sB", bytearray(value), 7)
    for first in sorted({0, 1, min(max(0, n - 1), 255), min(n, 255), 255}):
        body = bytes([first]) + rand_bytes(max(0, n - 1))
        unpack(f"{n}p", body[:n])
        unpack(f"{n}s", body[:n])
for fmt, args in [("0s", [b"abc"]), ("0p", [b"abc"]), ("0p", [b""]), ("0px", [b""]),
                  ("0p2x", [b"ab"]), ("x0p", [b"a"]), ("0pc", [b"", b"z"]), ("h0ph", [1, b"", 2]),
                  ("0s0s", [b"a", b"b"]), ("0p", ["str"]), ("0s", [5]), ("3s", [memoryview(b"a")])]:
    pack(fmt, *args)
# 0p's stray 0xff inside the struct stays where the next item writes nothing (an empty s) and
# goes where it writes its first byte (a value, p's length byte).
for fmt, args in [("=2B0p s 1x", [0, 0, b"", b""]), ("0ps", [b"", b""]), ("0ps", [b"", b"a"]),
                  ("0p3s", [b"", b""]), ("0p3s", [b"", bytearray(b"ab")]),
                  ("0p0s2s", [b"", b"", b""]), ("0p0s2s", [b"", b"z", b"y"]),
                  ("0p0p2s", [b"", b"", b""]), ("0pp", [b"", b""]), ("0p2p", [b"", b"a"]),
                  ("0p?", [b"", False]), ("0pb", [b"", 0]), ("0ph", [b"", 0]),
                  ("@b0pi", [1, b"", 2]),
                  ("<0pe", [b"", 0.0]), ("0ps", [b"", "x"]), ("0ps", [b"a", 5]),
                  (">h0p2s0p", [1, b"", b"", b""]), ("0p 300s", [b"", b""])]:
    pack(fmt, *args)
pack_into("0p2s", bytearray(b"\xaa" * 5), 1, b"", b"")
pack_into("h0ps", bytearray(b"\xaa" * 6), 1, 1, b"", b"")
pack_into("h0p3s", bytearray(b"\xaa" * 7), 1, 1, b"", b"a")
pack_into("0ps", bytearray(b"\xaa" * 3), 0, b"", "x")
pack_into("0p2sh", bytearray(b"\xaa" * 6), 0, b"", b"", "x")
for fmt in ("0p", "h0p", "0ph", "0s", "0sh", "1p", "2p"):
    unpack(fmt, rand_bytes(struct.calcsize(fmt)))
pack_into("0px", bytearray(b"\xaa" * 4), 1, b"")
pack_into("h0pb", bytearray(b"\xaa" * 6), 1, 1, b"", 2)

# ---------------------------------------------------------------------------------------------
# 4. '?' truthiness, and bool bytes.

for order in ORDERS:
    for v in (0, 1, 2, -1, 2 ** 70, 0.0, -0.0, 0.5, float("nan"), "", "a", None, [], [0], {},
              {"a": 1}, b"", b"\x00", True, False):
        pack(order + "?", v)
    for byte in (0, 1, 2, 0x7F, 0x80, 0xFF):
        unpack(order + "?", bytes([byte]))

# ---------------------------------------------------------------------------------------------
# 5. Format syntax: repeat counts, whitespace, alignment, and every parse error.

FORMATS = [
    "", " ", "<", "@", "3", "<3", "3 h", "h 3", "h3", "0q", "bq", "b0q", "@b0q", "<b0q", "=b0q",
    "llh0l", "0s", "0p", "h\0h", "h\0", "\0", "y", "<y", "2x", "x", " \t\n\r\x0b\x0ch",
    "\x1ch", "99999999999999999999h", "99999999999999999999", "99999999999999999999y",
    "y99999999999999999999h", "9223372036854775807x", "9223372036854775808x",
    "4611686018427387904h", "1152921504606846976q", "9223372036854775807xh",
    "9223372036854775807xq", "@9223372036854775801xq", "9007199254740991x", "9007199254740992x",
    "é", "h é", "hé€x", "h\U0001F600", "h\U0001F600\u20ac", "\x85h", "\xa0h", "ci", "ic", "?d",
    "bi", "b?", "be", "bf", "bd", "bP", "bn", "bN", "bl", "<<h", "h<", "!!", "b 2 h", "01h",
    "00h", "000000000000000000000001h", " <h", "<h ", "< h", "3c3b3B3?", "h h", "10x",
    "@cIcHcQcd", "=cIcHcQcd", "iP", "2e2f2d", "qbQ", "?h?i?q", "5p5s", "0i", "@0i", "@c0i",
    "1000000000000?", "<4h 2x 4s", "\t\nI\t", "ffffffff", "d" * 30, "bB" * 20,
]
for fmt in FORMATS:
    calcsize(fmt)
    struct_attrs(fmt)
# Bytes formats are not supported (formats are strings in JavaScript), so b"h" is not here.
for bad in (5, None, 1.5, [1]):
    add({"op": "calcsize", "fmt": enc(bad), "fmtIsValue": True}, lambda: struct.calcsize(bad))
for fmt in ("3c3b3B3?", "<4h 2x 4s", "@cIcHcQcd", "=cIcHcQcd", "?h?i?q", "5p5s", "@c0i", "h h"):
    size = struct.calcsize(fmt)
    unpack(fmt, rand_bytes(size))
    unpack_from(fmt, rand_bytes(size + 3), 3)

# ---------------------------------------------------------------------------------------------
# 6. Item counts, buffer sizes and offsets.

for fmt, n in (("hh", 2), ("x", 0), ("", 0), ("3s", 1), ("<4h 2x 4s", 5), ("1000000000000?", 10 ** 12)):
    for got in sorted({0, 1, n - 1, n + 1, 3} - {n}):
        if 0 <= got <= 10:
            pack(fmt, *([1] * got))
            pack_into(fmt, bytearray(8), 0, *([1] * got))
add({"op": "pack_into", "fmt": "i", "missing": "buffer"}, lambda: struct.pack_into("i"))
add({"op": "pack_into", "fmt": "i", "missing": "offset"},
    lambda: struct.pack_into("i", bytearray(4)))
add({"op": "pack_into", "fmt": "y", "missing": "buffer"}, lambda: struct.pack_into("y"))

for fmt in ("i", "<h", ">q", "", "3s", "<IHHqd", "x"):
    size = struct.calcsize(fmt)
    for length in sorted({0, max(0, size - 1), size, size + 1, size + 5, 2 * size}):
        buf = rand_bytes(length)
        unpack(fmt, buf)
        iter_unpack(fmt, buf)
        unpack_from(fmt, buf)
        for off in sorted({0, 1, 2, length - size, length - size + 1, length, length + 1, -1, -2,
                           -size, -size - 1, -length, -length - 1, -length + 1}):
            unpack_from(fmt, buf, off)
            values = [rand_value("<" if fmt[:1] in "<>" else "@", c, 3) for c in
                      struct.Struct(fmt).format.lstrip("<>").replace("3s", "s")
                      if c not in "x"] if fmt else []
            if fmt == "3s":
                values = [b"abc"]
            pack_into(fmt, bytearray(buf), off, *values)
for off in (1.5, float("nan"), "1", None, True, False, [], 2 ** 63, -(2 ** 63) - 1, 2 ** 63 - 1,
            -(2 ** 63), 2 ** 70, 2 ** 53 + 1, -(2 ** 53) - 1):
    unpack_from("h", b"abcd", off)
    pack_into("h", bytearray(4), off, 1)
for buf in ("abcd", None, 5, [1, 2], 1.5, {}):
    add({"op": "unpack", "fmt": "h", "buf": enc(buf), "bufIsValue": True},
        lambda: struct.unpack("h", buf))
    add({"op": "unpack_from", "fmt": "h", "buf": enc(buf), "bufIsValue": True},
        lambda: struct.unpack_from("h", buf))
    add({"op": "iter_unpack", "fmt": "h", "buf": enc(buf), "bufIsValue": True},
        lambda: list(struct.iter_unpack("h", buf)))
    add({"op": "iter_unpack", "fmt": "0h", "buf": enc(buf), "bufIsValue": True},
        lambda: list(struct.iter_unpack("0h", buf)))
    add({"op": "pack_into", "fmt": "h", "buf": enc(buf), "bufIsValue": True, "offset": enc(0),
         "args": [enc(1)]}, lambda: struct.pack_into("h", buf, 0, 1))
# Errors part-way through pack_into leave the values before the bad one written.
for fmt, args in (("hxhh", [1, 2, "x"]), ("3sh", [b"a", "x"]), ("<iqd", [5, 2 ** 64, 1.0]),
                  ("bbbb", [1, 2, 3, 300]), (">HHe", [1, 2, 1e10]), ("?c", [1, b"ab"])):
    pack_into(fmt, bytearray(b"\xaa" * 24), 1, *args)
# Big-endian q and Q overflow in _PyLong_AsByteArray, which has written the low 8 bytes by then
# (a negative value for Q it refuses before writing anything).
for fmt in (">q", "!q", ">Q", "!Q", ">hqb", "!Qh"):
    for v in (2 ** 63, -(2 ** 63) - 1, 2 ** 64, 2 ** 64 + 5, 2 ** 70 + 0x0102, -(2 ** 70) - 5, -1):
        args = [7, v, 9] if len(fmt) == 4 else [v, 9] if fmt.endswith("h") else [v]
        pack_into(fmt, bytearray(b"\xaa" * 16), 2, *args)
# A bad format is reported before a bad buffer.
add({"op": "unpack", "fmt": "y", "buf": enc("abc"), "bufIsValue": True},
    lambda: struct.unpack("y", "abc"))

# ---------------------------------------------------------------------------------------------
# 7. Random formats: round trips through every entry point.

for _ in range(700):
    fmt, values = rand_format()
    size = struct.calcsize(fmt)
    calcsize(fmt)
    pack(fmt, *values)
    packed = struct.pack(fmt, *values)
    unpack(fmt, packed)
    unpack(fmt, rand_bytes(size))
    lead = rng.randint(0, 5)
    buf = bytearray(rand_bytes(lead + size + rng.randint(0, 5)))
    offset = rng.choice([lead, lead - len(buf)])
    if not zero_p_at_end(fmt):
        pack_into(fmt, buf, offset, *values)
    # the same start from either end: lead bytes in, or size + 2 bytes before the end
    unpack_from(fmt, rand_bytes(lead) + packed + rand_bytes(2), rng.choice([lead, -size - 2]))
    if size:
        iter_unpack(fmt, packed * rng.randint(0, 3))
    if rng.random() < 0.3 and values:
        pack(fmt, *values[:-1])
    if rng.random() < 0.3:
        pack(fmt, *values, 0)

# ---------------------------------------------------------------------------------------------
# --fuzz N: N random calls instead of the cases above, for a differential run.

def fuzz_value(order, c, n):
    """Mostly a valid value for c; else one of any type and range."""
    if rng.random() < 0.85:
        return rand_value(order, c, n)
    r = rng.random()
    if r < 0.3:
        if c in INT_CHARS:
            lo, hi = int_range(order, c)
            far = rng.randint(1, 2 ** 70)
            return rng.choice([lo - 1, hi + 1, lo - far, hi + far])
        return rng.choice([rng.randint(-(2 ** 20), 2 ** 20), rng.randint(-(2 ** 140), 2 ** 140),
                           rng.randint(-(2 ** 1100), 2 ** 1100)])
    if r < 0.55:
        return rng.choice([random_float(rng.choice("efd")), float(rng.randint(-(2 ** 20), 2 ** 20)),
                           float(rng.randint(-(2 ** 140), 2 ** 140)), rng.uniform(-1e6, 1e6),
                           -0.0 if c not in INT_CHARS else 0.0, math.inf, -math.inf, math.nan])
    if r < 0.8:
        # bytes, not bytearray, which CPython's c refuses and a Uint8Array cannot tell apart
        return rand_bytes(rng.choice([0, 1, 2, rng.randint(0, 300)]))
    return rng.choice(WRONG)


def fuzz_format():
    order = rng.choice(ORDERS)
    chars = "xcbB?hHiIlLqQefdsp" + ("nNP" if order in ("", "@") else "")
    items = []
    for _ in range(rng.randint(0, 6)):
        c = rng.choice(chars) if rng.random() < 0.98 else rng.choice("yZ%")
        count = rng.choice([None, None, 0, 1, 2, 3, 7, 300 if c in "sp" else 4])
        items.append((c, count))
    text = order + "".join(("" if k is None else str(k)) + c + rng.choice(["", "", " "])
                           for c, k in items)
    try:
        struct.calcsize(text)
    except struct.error:
        return text, []
    return text, values_for(order, items, fuzz_value)


def fuzz_case():
    fmt, values = fuzz_format()
    try:
        size = struct.calcsize(fmt)
    except struct.error:
        size = 0
    if rng.random() < 0.1:
        values = values[:-1] if values and rng.random() < 0.5 else values + [0]
    op = rng.choice(["pack", "pack", "pack", "pack_into", "pack_into", "unpack", "unpack_from",
                     "iter_unpack", "calcsize", "struct"])
    if op == "pack":
        pack(fmt, *values)
    elif op == "pack_into":
        lead = rng.randint(0, 4)
        buf = bytearray(rand_bytes(max(0, lead + size + rng.randint(-1, 4))))
        offset = rng.choice([lead, lead - len(buf), len(buf) + 1, -len(buf) - 1])
        if not zero_p_at_end(fmt):
            pack_into(fmt, buf, offset, *values)
        else:
            pack(fmt, *values)
    elif op == "unpack":
        unpack(fmt, rand_bytes(max(0, size + rng.choice([0, 0, 0, -1, 1]))))
    elif op == "unpack_from":
        lead = rng.randint(0, 4)
        unpack_from(fmt, rand_bytes(max(0, lead + size + rng.randint(-1, 4))),
                    rng.choice([lead, -size - 1]))
    elif op == "iter_unpack":
        iter_unpack(fmt, rand_bytes(size * rng.randint(0, 3) + rng.choice([0, 0, 1])))
    elif op == "struct":
        struct_attrs(fmt)
    else:
        calcsize(fmt)


if "--fuzz" in sys.argv[1:]:
    argv = sys.argv[1:]
    SEED = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else SEED + 1
    rng.seed(SEED)
    cases.clear()
    while len(cases) < int(argv[argv.index("--fuzz") + 1]):
        fuzz_case()

out = {
    "generator": "tests/python/gen_struct_cases.py",
    "python": sys.version.split()[0],
    "seed": SEED,
    "count": len(cases),
}
text = json.dumps(out, ensure_ascii=True)[:-1] + ', "cases": [\n' + ",\n".join(
    json.dumps(c, ensure_ascii=True, sort_keys=True) for c in cases) + "\n]}\n"
if "--stdout" in sys.argv[1:] or "--fuzz" in sys.argv[1:]:
    sys.stdout.write(text)
else:
    with open("tests/fixtures/struct_cases.json", "w", encoding="ascii") as f:
        f.write(text)
    print(f"wrote {len(cases)} cases to tests/fixtures/struct_cases.json", file=sys.stderr)

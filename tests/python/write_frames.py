#!/usr/bin/env python3
"""Writes length-prefixed frames to stdout the way the original tutorial's Python programs did:
struct.pack(FORMAT, len(data)) + data, one write per frame.

usage: python3 tests/python/write_frames.py FORMAT     (FORMAT: '!I' or 'i')

tests/framing/interop.test.ts decodes the output with unstuck. Its committed copies live in
tests/fixtures/framing/python_frames_*.bin (regenerate them with this script when it changes).
"""
import struct
import sys

SIZES = [0, 1, 5, 255, 256, 1000]


def payloads():
    yield b"hello"
    for k, size in enumerate(SIZES):
        yield bytes((i * 31 + k) % 256 for i in range(size))


def main():
    fmt = sys.argv[1]
    out = sys.stdout.buffer
    for data in payloads():
        out.write(struct.pack(fmt, len(data)) + data)
    out.flush()


if __name__ == "__main__":
    main()

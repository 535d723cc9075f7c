#!/usr/bin/env python3
"""The tutorial's length-header client, cleaned up.

Each message goes out as `struct.pack('i', len(data)) + data`, and each reply is read the same
way: first exactly 4 header bytes, then exactly that many payload bytes, however the stream
splits them. Run it against `unstuck echo serve --header i`:

    python3 tests/python/length_header_client.py [HOST] [PORT] [--big N] < lines.txt

Prints each reply on its own line; `--big N` first sends one N-byte message and prints
`big: N bytes ok` when the same bytes come back. Changes from the tutorial: the requests are
framed too (the tutorial sent the command bare), and the tutorial's `recv(4)`, which may return
fewer than 4 bytes, became a loop that reads exactly what is needed.
"""
import struct
import sys
from socket import AF_INET, SOCK_STREAM, socket

args = [a for a in sys.argv[1:] if not a.startswith("--")]
host = args[0] if len(args) > 0 else "127.0.0.1"
port = int(args[1]) if len(args) > 1 else 8080
big = int(sys.argv[sys.argv.index("--big") + 1]) if "--big" in sys.argv else 0


def recv_exact(sock: socket, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = sock.recv(min(size, 65536))
        if not chunk:
            raise ConnectionError("server closed the connection mid-frame")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def request(sock: socket, data: bytes) -> bytes:
    sock.sendall(struct.pack("i", len(data)) + data)
    (total_size,) = struct.unpack("i", recv_exact(sock, 4))
    return recv_exact(sock, total_size)


cs = socket(AF_INET, SOCK_STREAM)
cs.settimeout(10)
cs.connect((host, port))
if big:
    payload = bytes(i % 251 for i in range(big))
    reply = request(cs, payload)
    print("big: %d bytes %s" % (len(reply), "ok" if reply == payload else "MISMATCH"), flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if not cmd:
        continue
    print(request(cs, cmd.encode("utf-8")).decode("utf-8"), flush=True)
cs.close()

#!/usr/bin/env python3
"""Connects COUNT times to 127.0.0.1:PORT and resets each connection at once.

SO_LINGER with a zero timeout makes close() send RST instead of FIN. The tests run this with
spawnSync, which blocks the server's thread (and its accept loop with it), so every connection
completes its handshake in the kernel's backlog and is reset there, before the server accepts it.

    python3 connect_reset.py PORT [COUNT]
"""
import socket
import struct
import sys

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.connect(("127.0.0.1", port))
    s.close()

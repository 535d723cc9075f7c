#!/usr/bin/env python3
"""A framed echo client over TLS on Python's ssl module alone, for `unstuck echo serve --tls-cert`.

Trusts only CAFILE (`create_default_context(cafile=)` loads no default store then), checks the
name 127.0.0.1 against the server's certificate, sends `!I` frames (empty, one byte, 76,800
bytes, and 100 small ones, pipelined), and reads each one back. Prints one JSON line: the TLS
version, whether the server's certificate is CAFILE's, how many frames came back equal.

    python3 echo_tls_client.py PORT CAFILE
"""
import json
import socket
import ssl
import struct
import sys

port = int(sys.argv[1])
cafile = sys.argv[2]


def recv_exact(sock, size):
    chunks = []
    while size > 0:
        chunk = sock.recv(min(size, 65536))
        if not chunk:
            raise ConnectionError("the server closed the connection mid-frame")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


context = ssl.create_default_context(cafile=cafile)
with open(cafile, "rb") as f:
    pinned = ssl.PEM_cert_to_DER_cert(f.read().decode())
with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
    with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        payloads = [b"", b"x", bytes(range(256)) * 300] + [f"small {i}".encode() for i in range(100)]
        sock.sendall(b"".join(struct.pack("!I", len(p)) + p for p in payloads))
        echoed = 0
        for p in payloads:
            (size,) = struct.unpack("!I", recv_exact(sock, 4))
            if recv_exact(sock, size) != p:
                raise ValueError(f"frame {echoed} came back different")
            echoed += 1
        print(json.dumps({
            "protocol": sock.version(),
            "pinned": sock.getpeercert(binary_form=True) == pinned,
            "frames": echoed,
        }))

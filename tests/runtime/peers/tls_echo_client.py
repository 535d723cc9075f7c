#!/usr/bin/env python3
"""A framed echo client over TLS, written on Python's ssl module only (a client nobody here wrote).

Trusts only CAFILE (the server's pinned self-signed certificate: `create_default_context(cafile=)`
loads no default store then), checks the name 127.0.0.1 against it, needs TLS 1.2 or later. The
server (tests/runtime/peers/interop_peer.ts) first sends one `!I` frame holding its RFC 9266
tls-exporter value (or nothing), then echoes `!I` frames. Prints one JSON line: the protocol, the
cipher, whether the server's certificate is CAFILE's, the binding frame's length, the frames echoed.

    python3 tls_echo_client.py PORT CAFILE
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


def recv_frame(sock):
    (size,) = struct.unpack("!I", recv_exact(sock, 4))
    return recv_exact(sock, size)


context = ssl.create_default_context(cafile=cafile)
context.minimum_version = ssl.TLSVersion.TLSv1_2
with open(cafile, "rb") as f:
    pinned = ssl.PEM_cert_to_DER_cert(f.read().decode())
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            binding = recv_frame(sock)
            payloads = [b"", b"x", bytes(range(256)) * 300, b"hello from python ssl"]
            payloads += [f"small {i}".encode() for i in range(100)]
            for p in payloads:
                sock.sendall(struct.pack("!I", len(p)) + p)
            echoed = 0
            for p in payloads:
                if recv_frame(sock) != p:
                    raise ValueError(f"frame {echoed} came back different")
                echoed += 1
            print(json.dumps({
                "ok": True,
                "protocol": sock.version(),
                "cipher": sock.cipher()[0],
                "pinned": sock.getpeercert(binary_form=True) == pinned,
                "binding": len(binding),
                "frames": echoed,
            }))
except ssl.SSLCertVerificationError as e:
    print(json.dumps({"ok": False, "verification": e.verify_message}))

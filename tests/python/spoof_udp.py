#!/usr/bin/env python3
"""Sends UDP datagrams with a forged IPv4 source address (needs root: a raw socket).

    python3 tests/python/spoof_udp.py SRC_IP SRC_PORT DST_IP DST_PORT HEX_PAYLOAD [COUNT]

Builds each IPv4 and UDP header by hand (IPPROTO_RAW implies IP_HDRINCL; the UDP checksum is 0,
"none", which IPv4 allows) and sends COUNT copies (default 1). Exits 77 when raw sockets are not
allowed, so that a test can skip with that reason.
"""
import socket
import struct
import sys

src, sport, dst, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
payload = bytes.fromhex(sys.argv[5])
count = int(sys.argv[6]) if len(sys.argv) > 6 else 1


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
header = struct.pack(
    "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
    socket.inet_aton(src), socket.inet_aton(dst),
)
header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
try:
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
except PermissionError:
    print("raw sockets need root (CAP_NET_RAW)", file=sys.stderr)
    sys.exit(77)
for _ in range(count):
    raw.sendto(header + udp, (dst, 0))

#!/usr/bin/env python3
"""The attackers of the UDP chat soak, at set rates, for a set time (bench/soak/udp.mjs runs it).

    python3 bench/soak/attack.py PORT SECONDS FLOODERS FLOOD_RATE SPOOF_RATE GARBAGE_RATE VICTIM_PORT

- FLOODERS members (each on its own 127.0.2.N, so the per-host cap does not stop them), which
  join as the room asks (answering its join cookie), then send FLOOD_RATE lines a second between
  them, far over the room's rate limit;
- SPOOF_RATE `/who` datagrams a second forged from 127.0.0.1:VICTIM_PORT (a raw socket: root
  only; none otherwise), the amplification attack;
- GARBAGE_RATE datagrams a second of random bytes from 64 sockets on 127.0.4.N that never join.

Prints one JSON line: what it sent, and whether forging was possible.
"""
import json
import os
import random
import re
import socket
import struct
import sys
import time

port, seconds, flooders = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
flood_rate, spoof_rate, garbage_rate = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
victim_port = int(sys.argv[7])
room = ("127.0.0.1", port)
HELLO = b"/join".ljust(16)


def join(sock: socket.socket, name: str) -> None:
    sock.settimeout(5)
    sock.sendto(HELLO, room)
    while True:
        line = sock.recvfrom(65535)[0].decode("utf-8", "replace")
        m = re.match(r"^\* (?:to join, send:|send) (/join \S+)$", line)
        if m:
            sock.sendto(m.group(1).encode(), room)
        elif line.startswith("* you joined as"):
            break
    sock.sendto(("/nick " + name).encode(), room)
    sock.setblocking(False)


floods = []
for i in range(flooders):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.2.%d" % (i + 1), 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    join(s, "flood%d" % i)
    floods.append(s)

garbage = []
for i in range(64):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.4.%d" % (i + 1), 0))
    s.setblocking(False)
    garbage.append(s)


def forged(payload: bytes) -> bytes:
    udp = struct.pack("!HHHH", victim_port, port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.1"))
    return ip + udp


raw = None
if spoof_rate > 0:
    try:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    except PermissionError:
        raw = None
spoofed_who = forged(b"/who")

print("attacking", flush=True)
sent = {"flood": 0, "spoofed": 0, "garbage": 0, "spoofing": raw is not None}
start = time.monotonic()
tick = 0.01
n = 0
while True:
    now = time.monotonic() - start
    if now >= seconds:
        break
    n += 1
    for k in range(flood_rate // 100):
        try:
            floods[k % len(floods)].sendto(b"flood " + b"x" * 40, room)
            sent["flood"] += 1
        except (BlockingIOError, ConnectionRefusedError):
            pass
    if raw is not None:
        for _ in range(spoof_rate // 100):
            raw.sendto(spoofed_who, ("127.0.0.1", 0))
            sent["spoofed"] += 1
    for _ in range(garbage_rate // 100):
        try:
            random.choice(garbage).sendto(os.urandom(random.randint(1, 200)), room)
            sent["garbage"] += 1
        except (BlockingIOError, ConnectionRefusedError):
            pass
    # Drain what the room sends the flooders, so that their sockets stay cheap.
    for s in floods:
        try:
            while True:
                s.recv(65535)
        except (BlockingIOError, ConnectionRefusedError):
            pass
    delay = start + n * tick - time.monotonic()
    if delay > 0:
        time.sleep(delay)
print(json.dumps(sent), flush=True)

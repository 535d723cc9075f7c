#!/usr/bin/env python3
"""The tutorial's UDP echo client, cleaned up.

Sends each line of stdin as one datagram to the echo server and prints the reply with the
address it came from. Run it against `unstuck echo serve --udp --upper`:

    python3 tests/python/udp_echo_client.py [HOST] [PORT] < lines.txt

Changes from the tutorial: host and port from the command line, stdin instead of a prompt (so it
ends at EOF), a receive timeout instead of waiting forever for a lost datagram, and a buffer big
enough for any datagram instead of 1024 bytes.
"""
import sys
from socket import AF_INET, SOCK_DGRAM, socket

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 8080

udp_cs = socket(AF_INET, SOCK_DGRAM)
udp_cs.settimeout(5)
for line in sys.stdin:
    msg = line.strip()
    if not msg:
        continue
    udp_cs.sendto(msg.encode("utf-8"), (host, port))
    reply, addr = udp_cs.recvfrom(65535)
    print(reply.decode("utf-8"), addr, flush=True)
udp_cs.close()

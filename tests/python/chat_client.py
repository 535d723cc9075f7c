#!/usr/bin/env python3
"""The tutorial's UDP chat client, cleaned up.

Sends each line of stdin to the chat room and prints every datagram the room sends, as it
arrives. Run two or more against `unstuck chat serve`:

    python3 tests/python/chat_client.py [HOST] [PORT]

Type `quit` (as in the tutorial) or end stdin to leave. Changes from the tutorial: host and port
from the command line, and a receiving thread, so that what the others say shows up when they
say it instead of one datagram per line you send; `quit` tells the room (`/quit`) before leaving.
"""
import sys
import threading
from socket import AF_INET, SOCK_DGRAM, socket

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 8081

udp_cs = socket(AF_INET, SOCK_DGRAM)
udp_cs.bind(("127.0.0.1", 0))


def receive() -> None:
    while True:
        try:
            back_msg, _addr = udp_cs.recvfrom(65535)
        except OSError:  # the socket was closed: we are leaving
            return
        print(back_msg.decode("utf-8", errors="replace"), flush=True)


threading.Thread(target=receive, daemon=True).start()
print("joined from %s:%d" % udp_cs.getsockname(), flush=True)
for line in sys.stdin:
    msg = line.strip()
    if msg == "quit":
        break
    if not msg:
        continue
    udp_cs.sendto(msg.encode("utf-8"), (host, port))
udp_cs.sendto(b"/quit", (host, port))
udp_cs.close()

#!/usr/bin/env python3
"""A client for `unstuck exec serve` (protocol unstuck-exec/2), written from docs/PROTOCOL.md alone
(standard library only: socket, ssl, hmac, hashlib).

    python3 exec_client.py [--host H] [--port P] [--token-file F] [--stdin] [--shell]
                           [--tls] [--tls-ca F] [--tls-server-name N] [--show-binding] -- CMD [ARG...]

--tls-ca and --tls-server-name imply --tls. Python's ssl module has no TLS exporter, so over TLS
this client binds its proofs to the server's certificate (tls-server-cert); over plaintext to
nothing (none). --show-binding prints the binding used to stderr ("binding: NAME").

Exit status as `unstuck exec run`: the remote code, 128+N for signal N, 124 on timeout, 127 when
the command was refused, 255 when the connection, TLS or authentication (either side's) failed,
2 for bad usage.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import struct
import sys
import threading

MAX_PAYLOAD = 8 * 1024 * 1024
CHUNK = 64 * 1024
SIGNALS = {"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6,
           "SIGBUS": 7, "SIGFPE": 8, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12,
           "SIGPIPE": 13, "SIGALRM": 14, "SIGTERM": 15}


PROTOCOL = "unstuck-exec/2"
CLIENT_LABEL = b"unstuck-exec/2 client"
SERVER_LABEL = b"unstuck-exec/2 server"


class ProtocolError(Exception):
    pass


def recv_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None if not data else _truncated()
        data += chunk
    return bytes(data)


def _truncated():
    raise ProtocolError("connection closed inside a frame")


def read_frame(sock):
    """Returns (type, body), or None when the server closed the connection."""
    header = recv_exact(sock, 4)
    if header is None:
        return None
    (length,) = struct.unpack("!I", header)
    if length < 1 or length > MAX_PAYLOAD:
        raise ProtocolError(f"bad frame length {length}")
    payload = recv_exact(sock, length)
    if payload is None:
        _truncated()
    return payload[0], payload[1:]


def send_frame(sock, lock, type_byte, body=b""):
    with lock:
        sock.sendall(struct.pack("!I", len(body) + 1) + bytes([type_byte]) + body)


def send_control(sock, lock, message):
    send_frame(sock, lock, 0x00, json.dumps(message).encode("utf-8"))


def read_control(sock):
    frame = read_frame(sock)
    if frame is None:
        raise ProtocolError("the server closed the connection")
    type_byte, body = frame
    if type_byte != 0x00:
        raise ProtocolError(f"expected a control message, got type {type_byte:#04x}")
    return json.loads(body.decode("utf-8"))


def load_token(path):
    if path is not None:
        with open(path, "r", encoding="utf-8") as f:
            token = f.read().rstrip("\r\n")
    else:
        token = os.environ.get("UNSTUCK_TOKEN")
    if not token:
        raise SystemExit("no token: pass --token-file or set UNSTUCK_TOKEN")
    return token


def decode_nonce(text):
    nonce = base64.b64decode(text, validate=True)
    if len(nonce) != 32:
        raise ProtocolError("a nonce is not 32 bytes")
    return nonce


def field(data):
    return struct.pack("!I", len(data)) + data


def proof(token, label, server_nonce, client_nonce, offer, binding, value):
    message = (field(label) + field(server_nonce) + field(client_nonce)
               + field(",".join(offer).encode("utf-8")) + field(binding.encode("utf-8"))
               + field(value))
    return hmac.new(token.encode("utf-8"), message, hashlib.sha256).digest()


def choose_binding(offer, tls):
    """The first offered binding we can compute: over TLS the certificate (no exporter here)."""
    usable = ["tls-server-cert"] if tls else ["none"]
    for name in offer:
        if name in usable:
            return name
    raise ProtocolError(f"no usable channel binding in the server's offer {offer!r}")


def binding_value(sock, binding):
    if binding == "none":
        return b""
    return hashlib.sha256(sock.getpeercert(binary_form=True)).digest()


def handshake(sock, lock, token, tls):
    hello = read_control(sock)
    if hello.get("type") != "hello":
        raise ProtocolError(hello.get("message", f"unexpected greeting {hello!r}"))
    if hello.get("protocol") != PROTOCOL:
        raise ProtocolError(f"the server speaks {hello.get('protocol')!r}, not {PROTOCOL}")
    server_nonce = decode_nonce(hello["nonce"])
    bindings = read_control(sock)
    if bindings.get("type") != "bindings" or not isinstance(bindings.get("offer"), list):
        raise ProtocolError(f"expected the binding offer, got {bindings!r}")
    offer = bindings["offer"]
    binding = choose_binding(offer, tls)
    value = binding_value(sock, binding)
    client_nonce = os.urandom(32)
    mac = proof(token, CLIENT_LABEL, server_nonce, client_nonce, offer, binding, value)
    send_control(sock, lock, {
        "type": "auth",
        "nonce": base64.b64encode(client_nonce).decode("ascii"),
        "binding": binding,
        "mac": base64.b64encode(mac).decode("ascii"),
    })
    answer = read_control(sock)
    if answer.get("type") != "ready":
        raise ProtocolError(answer.get("message", f"unexpected answer {answer!r}"))
    expected = proof(token, SERVER_LABEL, server_nonce, client_nonce, offer, binding, value)
    try:
        got = base64.b64decode(answer.get("mac", ""), validate=True)
    except ValueError:
        got = b""
    # Nothing more is sent to a server that has not proved it holds the token.
    if not hmac.compare_digest(got, expected):
        raise ProtocolError("the server's proof is wrong: it does not hold the token, or the "
                            "connection is relayed")
    return binding


def pump_stdin(sock, lock, done):
    """Sends our stdin as 0x03 frames, then exactly one 0x04 (early if the command ended)."""
    try:
        while not done.is_set():
            data = os.read(sys.stdin.fileno(), CHUNK)
            if not data:
                break
            with lock:
                if done.is_set():
                    return
                sock.sendall(struct.pack("!I", len(data) + 1) + b"\x03" + data)
    finally:
        end_stdin(sock, lock, done)


def end_stdin(sock, lock, done):
    with lock:
        if getattr(done, "end_sent", False):
            return
        done.end_sent = True
        done.set()
        try:
            sock.sendall(struct.pack("!I", 1) + b"\x04")
        except OSError:
            pass


def exit_status(message):
    if message["timedOut"]:
        return 124
    if message["signal"] is not None:
        return 128 + SIGNALS[message["signal"]] if message["signal"] in SIGNALS else 1
    return message["code"] & 0xFF


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--token-file")
    parser.add_argument("--stdin", action="store_true")
    parser.add_argument("--shell", action="store_true")
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--tls-ca")
    parser.add_argument("--tls-server-name")
    parser.add_argument("--show-binding", action="store_true")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    token = load_token(args.token_file)

    tls = args.tls or args.tls_ca is not None or args.tls_server_name is not None
    try:
        sock = socket.create_connection((args.host, args.port), timeout=10)
        if tls:
            context = ssl.create_default_context(cafile=args.tls_ca)
            sock = context.wrap_socket(sock, server_hostname=args.tls_server_name or args.host)
        sock.settimeout(None)
        lock = threading.Lock()
        binding = handshake(sock, lock, token, tls)
        if args.show_binding:
            print(f"binding: {binding}", file=sys.stderr)
    except (OSError, ProtocolError, ValueError) as e:
        print(f"exec_client: {e}", file=sys.stderr)
        return 255

    run = {"type": "run"}
    if args.shell:
        run["shell"] = " ".join(args.command)
    else:
        run["argv"] = args.command
    if args.stdin:
        run["stdin"] = True
    done = threading.Event()
    try:
        send_control(sock, lock, run)
        if args.stdin:
            threading.Thread(target=pump_stdin, args=(sock, lock, done), daemon=True).start()
        while True:
            frame = read_frame(sock)
            if frame is None:
                raise ProtocolError("the server closed the connection")
            type_byte, body = frame
            if type_byte == 0x01:
                sys.stdout.buffer.write(body)
                sys.stdout.buffer.flush()
            elif type_byte == 0x02:
                sys.stderr.buffer.write(body)
                sys.stderr.buffer.flush()
            elif type_byte == 0x00:
                message = json.loads(body.decode("utf-8"))
                if message.get("type") == "exit":
                    status = exit_status(message)
                    break
                if message.get("type") == "error":
                    print(f"exec_client: {message['message']}", file=sys.stderr)
                    status = 127
                    break
                raise ProtocolError(f"unexpected message {message!r}")
            else:
                raise ProtocolError(f"unexpected frame type {type_byte:#04x}")
        if args.stdin:
            end_stdin(sock, lock, done)
    except (OSError, ProtocolError, ValueError) as e:
        print(f"exec_client: {e}", file=sys.stderr)
        return 255
    finally:
        sock.close()
    return status


if __name__ == "__main__":
    sys.exit(main())

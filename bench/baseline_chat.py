"""The baseline: the assignment's own recipe, the simplest program that can hold the chat.

Blocking sockets, a 4-byte big-endian length before each message, one line read from stdin
per turn, each received message printed (and flushed, as any chat must be for its reader to
see it) on receipt. The connector speaks first. No greeting, no checks, no signals: this is
what turnchat's cost is measured against.

    python3 baseline_chat.py listen          # prints "listening on 127.0.0.1:PORT" on stderr
    python3 baseline_chat.py connect PORT

With TLS (the same recipe over Python's ssl, as an assignment's TLS variant would be):

    python3 baseline_chat.py listen --tls CERT KEY
    python3 baseline_chat.py connect PORT --tls    # encrypts; checks no certificate
"""

import socket
import struct
import sys


def receive_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return b""
        data += chunk
    return data


def receive_message(sock: socket.socket) -> bytes:
    header = receive_exactly(sock, 4)
    if not header:
        return b""
    (length,) = struct.unpack("!I", header)
    return receive_exactly(sock, length)


def send_message(sock: socket.socket, line: str) -> None:
    data = line.encode()
    sock.sendall(struct.pack("!I", len(data)) + data)


def converse(sock: socket.socket, speak_first: bool) -> None:
    my_turn = speak_first
    while True:
        if my_turn:
            line = sys.stdin.readline()
            if not line:
                return
            send_message(sock, line.rstrip("\n"))
        else:
            message = receive_message(sock)
            if not message:
                return
            print(message.decode(), flush=True)
        my_turn = not my_turn


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("listen", "connect"):
        print(__doc__)
        return
    tls = "--tls" in sys.argv
    if tls:  # imported only then: the plain recipe's start-up stays the bare minimum
        import ssl
    if sys.argv[1] == "listen":
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        print(f"listening on 127.0.0.1:{server.getsockname()[1]}", file=sys.stderr, flush=True)
        sock, _ = server.accept()
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            where = sys.argv.index("--tls")
            context.load_cert_chain(sys.argv[where + 1], sys.argv[where + 2])
            sock = context.wrap_socket(sock, server_side=True)
        converse(sock, speak_first=False)
    else:
        sock = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(sock)
        converse(sock, speak_first=True)
    sock.close()


if __name__ == "__main__":
    main()

"""The classic assignment's chat programs, written as students write them: a blocking
socket, one `recv(4096)` per message, `fgets` lines sent newline and all, and "/q" to
leave. Run as a real process by tests/test_classic_programs.py, in either role:

    python3 tests/classic.py server PORT     (prints "listening on PORT")
    python3 tests/classic.py client PORT

Each message received is printed as "peer: TEXT"; a received "/q" prints "peer left the
chat" and ends; a line "/q" on stdin is sent and ends; so does end of input. A crash on
the first message (`crash` as the third argument) is how several of them meet a
turnchat HELLO: they hang up at once.
"""

import socket
import sys


def talk(conn: socket.socket, crash: bool) -> None:
    my_turn = sys.argv[1] == "client"
    while True:
        if my_turn:
            line = sys.stdin.readline()
            if not line:
                return
            conn.send(line.encode())
            if line.strip() == "/q":
                return
        else:
            data = conn.recv(4096)
            if not data or crash:
                return
            text = data.decode(errors="replace")
            if text.strip() == "/q":
                print("peer left the chat", flush=True)
                return
            print(f"peer: {text.rstrip()}", flush=True)
        my_turn = not my_turn


def main() -> None:
    role, port = sys.argv[1], int(sys.argv[2])
    crash = sys.argv[3:] == ["crash"]
    if role == "server":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", port))
        server.listen(1)
        print(f"listening on {server.getsockname()[1]}", flush=True)
        conn, _ = server.accept()
    else:
        conn = socket.create_connection(("127.0.0.1", port))
    with conn:
        talk(conn, crash)


if __name__ == "__main__":
    main()

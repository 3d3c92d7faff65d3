"""--raw against the classic assignment programs: one send is one message, one recv(4096)
is one message, no framing, no newline. The test plays those programs with bare sockets,
written the way the assignment writes them."""

import re
import socket
from collections.abc import Callable, Iterator

import pytest

from tests.processes import WAIT, Turnchat
from tests.test_plain_conversation import connect, listen

Start = Callable[..., Turnchat]


@pytest.fixture
def assignment_server() -> Iterator[socket.socket]:
    """The assignment's server: socket, bind, listen; the test accepts and talks."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(WAIT)
    yield server
    server.close()


def test_raw_connector_talks_with_an_assignment_server(
    turnchat: Start, assignment_server: socket.socket
) -> None:
    port = assignment_server.getsockname()[1]
    client = connect(turnchat, port, "--raw")
    conn, _ = assignment_server.accept()
    with conn:
        conn.settimeout(WAIT)
        client.expect("err", rf"Connected to 127\.0\.0\.1:{port}, a plain-text peer \(raw "
                             r"mode: each read is one message, and it sees no turns\)\.")
        client.write(b"hello server\n")
        assert conn.recv(4096) == b"hello server"  # no greeting, no frame, no newline
        conn.send(b"hello client\n")  # what fgets() read, newline and all
        client.expect("out", "^hello client\n$")
        client.write(b"how are you?\n")
        assert conn.recv(4096) == b"how are you?"
        conn.send(b"fine, and \x1b[2J you?")
        client.expect("out", "fine, and \\^\\[\\[2J you\\?\n$")  # shown, not obeyed
        client.write(b"/q\n")
        assert conn.recv(4096) == b"/q"  # leaving as the assignment's programs leave
        assert conn.recv(4096) == b""
    done = client.finish()
    assert (done.status, done.err.endswith("You left the conversation.\n")) == (0, True)


def test_raw_listener_talks_with_an_assignment_client(turnchat: Start) -> None:
    listener, port = listen(turnchat, "--raw")
    client = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    with client:
        listener.expect("err", r"A plain-text peer connected from 127\.0\.0\.1:\d+ \(raw "
                               r"mode: each read is one message, and it sees no turns\)\.")
        client.send(b"ping")  # no newline: in raw mode it need not wait for one
        listener.expect("out", "^ping\n$")
        listener.write(b"pong\n")
        assert client.recv(4096) == b"pong"
        big = bytes(range(32, 127)) * 60  # 5700 bytes: more than one recv(4096)
        client.sendall(big)
        listener.expect("out", re.escape(big[-50:].decode()) + "\n$")
    done = listener.finish()
    assert done.status == 0
    assert re.search(r"The peer at 127\.0\.0\.1:\d+ closed the connection\.", done.err)
    pieces = done.out.split("\n")[1:-1]
    assert len(pieces) >= 2 and all(len(piece) <= 4096 for piece in pieces)
    assert "".join(pieces) == big.decode()  # split by the reads, nothing lost


def test_raw_mode_is_asked_for_never_guessed(turnchat: Start) -> None:
    """Without --raw, text with no newline waits for one (line mode); with it, it does not."""
    listener, port = listen(turnchat)
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as client:
        client.send(b"no newline")
        client.send(b", until now\n")
        listener.expect("err", r"\(line mode")
        listener.expect("out", "^no newline, until now\n$")
        client.shutdown(socket.SHUT_WR)
        listener.finish()

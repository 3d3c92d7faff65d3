"""--raw with the classic assignment programs as real processes (tests/classic.py): they
see our "/q" when we leave, their "/q" ends us with status 0, and one that hangs up on our
HELLO gets a start-up failure that names --raw."""

import signal
import socket
import sys
from collections.abc import Callable

import pytest

from tests.processes import ROOT, WAIT, Program, RawPeer, Turnchat
from tests.test_plain_conversation import connect, listen
from tests.wirebytes import HELLO

Start = Callable[..., Turnchat]
CLASSIC = str(ROOT / "tests" / "classic.py")


def classic_server(program: Callable[..., Program], *extra: str,
                   stdin: bytes | None = None) -> tuple[Program, int]:
    server = program(sys.executable, CLASSIC, "server", "0", *extra, stdin=stdin)
    return server, int(server.expect("out", r"listening on (\d+)").group(1))


def test_our_raw_connector_leaves_with_a_q_the_server_understands(
    turnchat: Start, program: Callable[..., Program]
) -> None:
    server, port = classic_server(program, stdin=b"hello client\n")
    client = connect(turnchat, port, "--raw", stdin=b"hi server\n/q\n")
    done = server.finish()
    assert done.out.splitlines()[1:] == ["peer: hi server", "peer left the chat"]
    finished = client.finish()
    assert (finished.status, finished.out) == (0, "hello client\n")
    assert finished.err.endswith("You left the conversation.\n")


@pytest.mark.parametrize("how", ["end of input", "SIGTERM"])
def test_our_raw_listener_says_q_however_it_leaves(
    turnchat: Start, program: Callable[..., Program], how: str
) -> None:
    listener, port = listen(turnchat, "--raw", stdin=b"" if how == "end of input" else None)
    client = program(sys.executable, CLASSIC, "client", str(port), stdin=b"hi\n")
    listener.expect("out", "^hi\n$")
    if how == "SIGTERM":  # not our turn's end: at once, whoever's turn it is
        listener.kill(signal.SIGTERM)
    done = client.finish()
    assert done.out == "peer left the chat\n"
    assert listener.finish().status == 0


def test_a_classic_clients_q_ends_us_with_status_0(
    turnchat: Start, program: Callable[..., Program]
) -> None:
    listener, port = listen(turnchat, "--raw", stdin=b"hello\n")
    client = program(sys.executable, CLASSIC, "client", str(port), stdin=b"hi\n/q\n")
    assert client.finish().out == "peer: hello\n"
    done = listener.finish()
    assert (done.status, done.out) == (0, "hi\n")  # the /q is not shown as a message
    assert done.err.endswith("peer left the conversation.\n")


@pytest.mark.parametrize("quit_message", [b"/q", b"/q\r\n", b"\\q\n", b"/quit"])
def test_every_way_a_classic_program_says_q_is_leaving(
    turnchat: Start, quit_message: bytes
) -> None:
    listener, port = listen(turnchat, "--raw")
    peer = RawPeer.connect(port)
    try:
        listener.expect("err", "A plain-text peer connected")
        peer.send(quit_message)
        done = listener.finish()
    finally:
        peer.close()
    assert (done.status, done.out) == (0, "")


def test_a_classic_server_that_hangs_up_on_our_hello_is_a_start_up_failure(
    turnchat: Start, program: Callable[..., Program]
) -> None:
    _, port = classic_server(program, "crash")
    done = connect(turnchat, port).finish()
    assert done.status == 3
    assert done.err.strip().splitlines()[-1] == (
        f"turnchat: cannot talk with 127.0.0.1:{port}: the program there closed the "
        "connection without greeting, so it is likely not turnchat (if a person on nc or "
        "socat listens there, connect with --line; if a classic assignment program "
        "listens there, connect with --raw).")


def test_text_without_a_line_end_names_raw_and_gets_no_binary_error(turnchat: Start) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(WAIT)
        client = connect(turnchat, server.getsockname()[1])
        conn, _ = server.accept()
        with conn:
            peer = RawPeer(conn)
            assert peer.read_frame()[0] == HELLO
            peer.send(b"hello from the server")  # what a classic program answers with
            done = client.finish()
            assert peer.read_all() == b""  # nothing after our HELLO: no ERROR frame
    assert done.status == 3
    assert "without a line end, not turnchat frames (if a classic assignment program " \
           "listens there, connect with --raw)." in done.err

"""End to end in the plain face: two real processes, or one and a raw peer, on 127.0.0.1."""

import signal
from collections.abc import Callable

import pytest

from tests.processes import RawPeer, Turnchat, listening_port
from tests.wirebytes import ERROR, HELLO, QUIT, TEXT, frame, hello, text

Start = Callable[..., Turnchat]


def listen(turnchat: Start, *args: str, stdin: bytes | None = None) -> tuple[Turnchat, int]:
    listener = turnchat("--listen", "127.0.0.1:0", "--name", "bo", *args, stdin=stdin)
    return listener, listening_port(listener)


def connect(turnchat: Start, port: int, *args: str, stdin: bytes | None = None) -> Turnchat:
    return turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana", *args, stdin=stdin)


def lines(prefix: str, count: int) -> bytes:
    return "".join(f"{prefix} {number}\n" for number in range(count)).encode()


def test_thousands_of_turns_unattended(turnchat: Start) -> None:
    listener, port = listen(turnchat, stdin=lines("bo says", 1500))
    connector = connect(turnchat, port, stdin=lines("ana says", 1500))
    done_connector, done_listener = connector.finish(), listener.finish()
    assert done_listener.out == lines("ana says", 1500).decode()
    assert done_connector.out == lines("bo says", 1500).decode()
    assert (done_connector.status, done_listener.status) == (0, 0)
    # After bo's last line the turn is ana's, and ana's input has ended: ana leaves.
    assert "You left the conversation." in done_connector.err
    assert "ana left the conversation." in done_listener.err


def test_quit_from_the_connector(turnchat: Start) -> None:
    listener, port = listen(turnchat)
    connector = connect(turnchat, port, stdin=b"hi\n/q\nnever sent\n")
    listener.expect("out", "hi\n")
    listener.write(b"hello ana\n")
    done = connector.finish()
    assert (done.status, done.out) == (0, "hello ana\n")  # the reply came before /q went
    assert "1 line of the input was not sent." in done.err
    finished = listener.finish()
    assert finished.status == 0 and finished.out == "hi\n"
    assert "ana left the conversation." in finished.err


def test_a_scripts_quit_waits_for_its_turn(turnchat: Start) -> None:
    listener, port = listen(turnchat)
    connector = connect(turnchat, port)  # holds the turn
    listener.expect("err", "ana connected from 127.0.0.1:")
    listener.write(b"/q\n")
    connector.write(b"last words\n")
    done = connector.finish()
    assert done.status == 0
    assert "bo left the conversation." in done.err
    finished = listener.finish()
    assert (finished.status, finished.out) == (0, "last words\n")


def test_a_persons_quit_at_a_terminal_leaves_at_once(turnchat: Start) -> None:
    """stdin a terminal, stdout a pipe: the plain face, with a person typing. Their /q
    does not wait behind a line that waits for its turn."""
    listener = turnchat("--listen", "127.0.0.1:0", "--name", "bo", typed=True)
    port = listening_port(listener)
    connector = connect(turnchat, port)  # holds the turn
    listener.expect("err", "ana connected from 127.0.0.1:")
    listener.write(b"typed ahead\n/q\n")
    done = connector.finish()
    assert (done.status, done.out) == (0, "")
    assert "bo left the conversation." in done.err
    finished = listener.finish()
    assert finished.status == 0
    assert "1 line of the input was not sent." in finished.err


def test_three_hundred_turns_ending_with_quit_lose_no_reply(turnchat: Start) -> None:
    listener, port = listen(turnchat, stdin=lines("bo says", 300) + b"/q\n")
    connector = connect(turnchat, port, stdin=lines("ana says", 301))
    done_listener, done_connector = listener.finish(), connector.finish()
    assert done_listener.out == lines("ana says", 301).decode()  # the answer to its last too
    assert done_connector.out == lines("bo says", 300).decode()
    assert (done_listener.status, done_connector.status) == (0, 0)
    assert "bo left the conversation." in done_connector.err


def test_end_of_input_waits_for_the_reply_then_quits(turnchat: Start) -> None:
    listener, port = listen(turnchat)
    connector = connect(turnchat, port, stdin=b"what time is it?\n")
    listener.expect("out", "what time is it\\?\n")
    listener.write(b"noon\n")
    done = connector.finish()
    assert (done.status, done.out) == (0, "noon\n")
    assert "You left the conversation." in done.err
    assert "ana left the conversation." in listener.finish().err


def test_end_of_input_before_a_peer_still_waits_for_one(turnchat: Start) -> None:
    listener, port = listen(turnchat, stdin=b"")
    connector = connect(turnchat, port, stdin=b"anyone there?\n")
    assert listener.finish().out == "anyone there?\n"
    assert "bo left the conversation." in connector.finish().err


@pytest.mark.parametrize("victim", ["listener", "connector"])
def test_peer_killed_is_connection_lost(turnchat: Start, victim: str) -> None:
    listener, port = listen(turnchat)
    connector = connect(turnchat, port, stdin=None)
    listener.expect("err", "connected from")
    connector.expect("err", "Connected to bo")
    killed, survivor, name = (
        (listener, connector, "bo") if victim == "listener" else (connector, listener, "ana")
    )
    killed.kill(signal.SIGKILL)
    done = survivor.finish()
    assert done.status == 1
    assert f"turnchat: Connection to {name} lost." in done.err
    assert "Traceback" not in done.err


def test_sigterm_quits_politely(turnchat: Start) -> None:
    listener, port = listen(turnchat)
    connector = connect(turnchat, port)
    listener.expect("err", "connected from")
    connector.kill(signal.SIGTERM)
    assert connector.finish().status == 0
    done = listener.finish()
    assert (done.status, "ana left the conversation." in done.err) == (0, True)


@pytest.mark.parametrize(
    ("junk", "reason"),
    [
        (b"\x00GET / HTTP/1.0\r\n\r\n", b"frame length 4670804 exceeds the limit of 4097"),
        (b"\x00\x00\x10\x02", b"frame length 4098 exceeds the limit of 4097"),
        (text("out of turn, before HELLO"), b"TEXT before HELLO"),
        (b"\x00\x00\x00\x01\x09", b"unknown frame type 0x09"),
        (b"", b"busy"),  # says nothing at all: turned away once the real peer arrives
    ],
)
def test_junk_connections_do_not_stop_the_real_peer(
    turnchat: Start, raw_peers: list[RawPeer], junk: bytes, reason: bytes
) -> None:
    listener, port = listen(turnchat)
    stranger = RawPeer.connect(port)
    raw_peers.append(stranger)
    stranger.send(junk)
    if junk:
        assert stranger.read_frame() == (ERROR, reason)
        assert stranger.at_eof()
    connector = connect(turnchat, port, stdin=b"made it\n")
    listener.expect("out", "made it\n")
    if not junk:  # silent: likely a person on nc, told in a line
        assert stranger.read_all() == b"[turnchat] closing: " + reason + b"\n"
    listener.close_stdin()
    assert listener.finish().status == 0
    assert connector.finish().status == 0


def test_silent_connection_is_dropped_after_the_handshake_time(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat, "--timeout", "0.5")
    stranger = RawPeer.connect(port)
    raw_peers.append(stranger)
    # Silent, it may be a person on nc who has not typed yet: told in a line, not a frame.
    assert stranger.read_all() == b"[turnchat] closing: nothing received within 0.5 s\n"
    listener.expect("err", r"Dropped a connection from 127\.0\.0\.1:\d+: nothing received "
                           r"within 0\.5 s\.")


def test_half_a_greeting_is_dropped_after_the_handshake_time(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat, "--timeout", "0.5")
    stranger = RawPeer.connect(port)
    raw_peers.append(stranger)
    stranger.send(hello("slow")[:6])
    assert stranger.read_frame() == (ERROR, b"no HELLO within 0.5 s")
    listener.expect("err", r"Dropped a connection from 127\.0\.0\.1:\d+: no HELLO within 0.5 s")


def test_second_connection_is_busy_and_the_conversation_goes_on(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat)
    connector = connect(turnchat, port)
    listener.expect("err", "ana connected from")
    intruder = RawPeer.connect(port)
    raw_peers.append(intruder)
    intruder.send(hello("mallory"))
    assert intruder.read_frame() == (ERROR, b"busy")
    assert intruder.at_eof()
    connector.write(b"still here\n")
    listener.expect("out", "still here\n")
    listener.write(b"good\n")
    connector.expect("out", "good\n")
    connector.close_stdin()
    listener.close_stdin()
    assert (connector.finish().status, listener.finish().status) == (0, 0)


def greeted_raw_connector(port: int, raw_peers: list[RawPeer]) -> RawPeer:
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(hello("raw"))
    kind, payload = peer.read_frame()
    assert kind == HELLO and b'"name":"bo"' in payload and b'"version":1' in payload
    return peer


def test_text_out_of_turn_from_the_peer_is_a_protocol_error(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat)
    peer = greeted_raw_connector(port, raw_peers)
    peer.send(text("my turn") + text("and again"))
    assert peer.read_frame() == (ERROR, b"TEXT out of turn")
    assert peer.at_eof()
    peer.close()
    done = listener.finish()
    assert done.status == 1
    assert done.out == "my turn\n"  # every message received before the breach is shown
    assert "turnchat: raw broke the protocol (TEXT out of turn); connection closed." in done.err


def test_invalid_utf8_from_the_peer_is_a_protocol_error(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat)
    peer = greeted_raw_connector(port, raw_peers)
    peer.send(frame(TEXT, b"caf\xe9"))
    assert peer.read_frame() == (ERROR, b"invalid UTF-8 in TEXT")
    peer.close()
    assert "broke the protocol (invalid UTF-8 in TEXT)" in listener.finish().err


def test_peer_error_frame_ends_with_status_1(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat)
    peer = greeted_raw_connector(port, raw_peers)
    peer.send(frame(ERROR, b"you are too slow"))
    done = listener.finish()
    assert done.status == 1
    assert "raw ended the conversation with an error: you are too slow." in done.err


def test_quit_reason_is_shown(turnchat: Start, raw_peers: list[RawPeer]) -> None:
    listener, port = listen(turnchat)
    peer = greeted_raw_connector(port, raw_peers)
    peer.send(frame(QUIT, b"dinner time"))
    done = listener.finish()
    assert (done.status, done.err.splitlines()[-1]) == (0, "raw left the conversation: "
                                                           "dinner time.")


def test_what_the_connector_sends_on_the_wire(turnchat: Start, raw_peers: list[RawPeer]) -> None:
    import socket

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    connector = connect(turnchat, port, stdin=b"hello\nsecond\n")
    sock, _ = server.accept()
    server.close()
    peer = RawPeer(sock)
    raw_peers.append(peer)
    assert peer.read_frame() == (HELLO, b'{"app":"turnchat","version":1,"name":"ana",'
                                        b'"games":["tictactoe","connect4","hangman"]}')
    peer.send(hello("srv"))
    assert peer.read_frame() == (TEXT, b"hello")
    peer.send(text("line one\nline two"))
    assert peer.read_frame() == (TEXT, b"second")
    peer.send(text("bye"))
    assert peer.read_frame() == (QUIT, b"")
    assert peer.at_eof()
    peer.close()
    done = connector.finish()
    assert done.out == "line one\nline two\nbye\n"
    assert done.status == 0


def test_hostile_text_is_sanitised_on_stdout(turnchat: Start, raw_peers: list[RawPeer]) -> None:
    listener, port = listen(turnchat)
    peer = greeted_raw_connector(port, raw_peers)
    peer.send(text("\x1b[2J\x1b]0;title\x07\u009b2J\r\u202eevil"))
    listener.expect("out", r"\n")
    peer.send(frame(QUIT))
    done = listener.finish()
    assert done.out == "^[[2J^[]0;title^G\\u009b2J^M\\u202eevil\n"
    assert not any(ord(char) < 32 and char != "\n" for char in done.out)


def test_hostile_name_is_sanitised(turnchat: Start, raw_peers: list[RawPeer]) -> None:
    listener, port = listen(turnchat)
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(hello("\x1b[31mred\x1b[0m" + "x" * 100))
    peer.read_frame()
    peer.send(frame(QUIT))
    err = listener.finish().err
    assert "^[[31mred^[[0mxxxxxxxxxxxxxxxxx… connected from" in err
    assert "\x1b" not in err


def test_lines_that_cannot_be_sent_are_skipped_with_a_sentence(turnchat: Start) -> None:
    listener, port = listen(turnchat)
    too_long = b"y" * 5000 + b"\n"
    data = b"first\r\n" + too_long + b"\xff\xfe bad\n" + b"\n   \n" + b"x" * 4096 + b"\nlast"
    connector = connect(turnchat, port, stdin=data)
    for reply in (b"one\n", b"two\n", b"three\n"):
        listener.expect("out", r"\n$")
        listener.write(reply)
    listener.close_stdin()
    done = connector.finish()
    assert "Line 2 of the input is 5000 bytes, 904 over the limit of 4096; skipped." in done.err
    assert "Line 3 of the input is not valid UTF-8; skipped." in done.err
    assert listener.finish().out == "first\n" + "x" * 4096 + "\nlast\n"


def test_a_line_of_exactly_the_limit_goes_through(turnchat: Start) -> None:
    listener, port = listen(turnchat, stdin=b"")
    message = "é" * 2048  # 4096 bytes of UTF-8
    connect(turnchat, port, stdin=(message + "\n").encode())
    assert listener.finish().out == message + "\n"


def test_stdin_from_a_regular_file_and_from_dev_null(turnchat: Start, tmp_path) -> None:
    import subprocess
    import sys

    from tests.processes import TURNCHAT

    script = tmp_path / "lines.txt"
    script.write_bytes(lines("from a file", 300))
    listener, port = listen(turnchat)
    with script.open("rb") as file_input:
        connector = subprocess.Popen(
            [sys.executable, str(TURNCHAT), "--connect", f"127.0.0.1:{port}"],
            stdin=file_input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
    listener_lines = lines("reply", 299)
    for number in range(299):
        listener.expect("out", f"from a file {number}\n")
        listener.write(listener_lines.splitlines(keepends=True)[number])
    listener.expect("out", "from a file 299\n")
    listener.close_stdin()  # bo's input ends on bo's turn: bo leaves
    out, err = connector.communicate(timeout=15)
    assert connector.returncode == 0, err
    assert out.decode() == listener_lines.decode()
    assert listener.finish().out == lines("from a file", 300).decode()

    listener, port = listen(turnchat)
    quiet = subprocess.run(  # /dev/null: end of input at once, on the connector's turn
        [sys.executable, str(TURNCHAT), "--connect", f"127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=15,
    )
    assert (quiet.returncode, quiet.stderr.splitlines()[-1]) == (0, "You left the conversation.")
    assert listener.finish().status == 0


def test_a_scripts_lines_that_read_like_face_commands_are_its_data(turnchat: Start) -> None:
    """/bell, /time and unknown /words belong to the interactive face: from a pipe they are
    messages, sent as they are."""
    listener, port = listen(turnchat, stdin=b"ok\nok\n")
    connector = connect(turnchat, port, stdin=b"/time\n/bell on\n/etc/hosts\n")
    assert listener.finish().out == "/time\n/bell on\n/etc/hosts\n"
    assert connector.finish().status == 0

"""One packet must not crash turnchat: nested JSON in HELLO or GAME, against real processes.

A HELLO of 1,000 nested `[` (2 KB) once raised RecursionError and ended turnchat with
"internal error": a stranger could kill a --keep listener (with or without TLS), a hostile
listener a connector, and a peer the conversation without an ERROR. Each is now the
protocol's own error: ERROR to the sender, a sentence here, and a listener that goes on.
"""

import socket
import ssl
from collections.abc import Callable

from tests.processes import WAIT, RawPeer, Turnchat
from tests.test_plain_conversation import connect, greeted_raw_connector, listen
from tests.test_tls import tls_listener
from tests.wirebytes import ERROR, GAME, HELLO, frame, text

Start = Callable[..., Turnchat]
NESTED = frame(HELLO, b"[" * 1000)
REASON = b"HELLO nests deeper than 6 levels"


def test_a_nested_hello_does_not_stop_a_keep_listener(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat, "--keep")
    for _ in range(3):
        stranger = RawPeer.connect(port)
        raw_peers.append(stranger)
        stranger.send(NESTED)
        assert stranger.read_frame() == (ERROR, REASON)
        assert stranger.at_eof()
    listener.expect("err", r"Dropped a connection from 127\.0\.0\.1:\d+: HELLO nests deeper "
                           r"than 6 levels\.")
    peer = connect(turnchat, port, stdin=b"still here\n")
    listener.expect("out", "still here\n")
    listener.write(b"and so am I\n")
    assert peer.finish().status == 0
    assert peer.text("out") == "and so am I\n"
    listener.close_stdin()
    done = listener.finish()
    assert done.status == 0 and "internal error" not in done.err


def test_a_nested_hello_over_tls_does_not_stop_a_tls_keep_listener(
    turnchat: Start, homes: dict[str, dict[str, str]]
) -> None:
    listener, port, _ = tls_listener(turnchat, homes["bo"], "--keep")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw, \
            context.wrap_socket(raw) as tls:
        tls.sendall(NESTED)
        reply = RawPeer(tls)
        assert reply.read_frame() == (ERROR, REASON)
    peer = turnchat("--connect", f"127.0.0.1:{port}", "--tls", "--accept-new", "--name", "ana",
                    stdin=b"over tls\n", env=homes["ana"])
    listener.expect("out", "over tls\n")
    listener.write(b"still listening\n")
    assert peer.finish().status == 0
    assert peer.text("out") == "still listening\n"
    listener.close_stdin()
    assert listener.finish().status == 0


def test_a_hostile_listener_cannot_crash_the_connector(turnchat: Start) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        connector = connect(turnchat, port, stdin=b"hello?\n")
        sock, _ = server.accept()
        with sock:
            peer = RawPeer(sock)
            assert peer.read_frame()[0] == HELLO
            peer.send(NESTED)
            assert peer.read_frame() == (ERROR, REASON)
            assert peer.at_eof()
        done = connector.finish()
    assert done.status == 1
    assert done.err.endswith(f"turnchat: peer broke the protocol ({REASON.decode()}); "
                             "connection closed.\n")
    assert "internal error" not in done.err


def test_a_nested_game_step_mid_conversation_gets_an_error_and_a_sentence(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat)
    peer = greeted_raw_connector(port, raw_peers)
    peer.send(text("first"))
    listener.expect("out", "first\n")
    listener.write(b"your turn\n")
    assert peer.read_frame()[1] == b"your turn"
    peer.send(frame(GAME, b'{"kind":"move","move":' + b"[" * 1500 + b"}"))
    assert peer.read_frame() == (ERROR, b"GAME nests deeper than 6 levels")
    assert peer.at_eof()
    peer.close()
    done = listener.finish()
    assert done.status == 1
    assert done.out == "first\n"
    assert done.err.endswith("turnchat: raw broke the protocol (GAME nests deeper than 6 "
                             "levels); connection closed.\n")

"""The TLS layer in process: the connector's handshake is stepped on a non-blocking socket,
as the listener's is, and loses nothing that comes with the listener's last flight."""

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.wirebytes import hello
from turnchat.net import tls
from turnchat.net.link import Link
from turnchat.net.reactor import SelectorReactor
from turnchat.roles.identity import load_or_create
from turnchat.wire.frames import Frame, FrameDecoder, FrameType


def serve(sock: socket.socket, context: object, trickle: bool, then: bytes = b"") -> None:
    """A listener's side of the handshake, in a thread: its flight one byte at a time
    when `trickle`; `then` sent as plaintext right after its last flight, in one write."""
    layer = tls.TLS(context, server_side=True)  # type: ignore[arg-type]
    while not layer.secure:
        data = sock.recv(65536)
        if not data:
            return
        layer.feed(data)
        layer.step_handshake()
        flight = layer.to_send()
        if layer.secure and then:
            flight += layer.encrypt(then)
        if trickle and not layer.secure:  # the flight the connector's handshake waits for
            for i in range(len(flight)):
                sock.sendall(flight[i:i + 1])
                time.sleep(0.001)
        else:
            sock.sendall(flight)
    time.sleep(0.5)  # the client's Finished is read before the socket closes


@pytest.fixture
def identity(tmp_path: Path):
    return load_or_create(tmp_path / "turnchat")


def handshake_with(identity, trickle: bool, then: bytes = b"") -> tuple[socket.socket, tls.TLS]:
    ours, theirs = socket.socketpair()
    server = threading.Thread(target=serve, args=(theirs, identity.context, trickle, then))
    server.start()
    layer = tls.TLS(tls.client_context(), server_side=False)
    try:
        tls.handshake(ours, layer, timeout=10)
    finally:
        server.join()
        theirs.close()
    return ours, layer


def test_a_listener_that_answers_a_byte_at_a_time_is_stepped_through(identity) -> None:
    sock, layer = handshake_with(identity, trickle=True)
    with sock:
        assert layer.secure and layer.peer_certificate() == identity.certificate_der
        assert sock.getblocking() is False  # stepped as the reactor found it readable


def test_records_the_tls_layer_already_holds_reach_the_link(identity) -> None:
    """Whatever came in before the link took over (records read with the handshake's last
    flight) is decrypted by the link at once, not left waiting for the socket."""
    sock, layer = handshake_with(identity, trickle=False, then=hello("bo"))
    frames: list[Frame] = []
    reactor = SelectorReactor()
    with sock:
        sock.setblocking(True)
        layer.feed(sock.recv(65536))  # the tickets and the HELLO, into the layer only
        link = Link(reactor, sock, FrameDecoder(), frames.append, lambda event: None, layer)
        link.deliver_buffered()
        reactor.close()
    assert [frame.type for frame in frames] == [FrameType.HELLO]


def test_a_silent_listener_times_out_within_the_time_given() -> None:
    ours, theirs = socket.socketpair()
    layer = tls.TLS(tls.client_context(), server_side=False)
    with ours, theirs, pytest.raises(TimeoutError):
        tls.handshake(ours, layer, timeout=0.3)


def test_a_listener_that_hangs_up_mid_handshake_is_an_ssl_error() -> None:
    ours, theirs = socket.socketpair()
    layer = tls.TLS(tls.client_context(), server_side=False)

    def hang_up() -> None:
        theirs.recv(65536)
        theirs.close()

    closer = threading.Thread(target=hang_up)
    closer.start()
    with ours, pytest.raises(tls.ssl.SSLError):
        tls.handshake(ours, layer, timeout=10)
    closer.join()

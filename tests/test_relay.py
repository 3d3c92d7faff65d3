"""The cutting relay (tests/relay.py) cuts where it is told, so the resume tests that rest
on it measure what they claim: every byte before the cut arrives, none after."""

import queue
import socket
import threading

import pytest

from tests.processes import WAIT
from tests.relay import DOWN, UP, Cut, Relay

PAYLOAD = bytes(range(256)) * 40  # 10,240 bytes


def echo_server() -> tuple[socket.socket, queue.Queue[bytes]]:
    """A listener that keeps what it receives (once each connection is over, in a queue,
    since its thread may finish after the test's client) and sends PAYLOAD back."""
    server = socket.create_server(("127.0.0.1", 0))
    received: queue.Queue[bytes] = queue.Queue()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(WAIT)
                data = b""
                try:
                    while chunk := conn.recv(65536):
                        data += chunk
                        if len(data) >= len(PAYLOAD):
                            conn.sendall(PAYLOAD)
                            break
                except OSError:
                    pass
                received.put(data)

    threading.Thread(target=serve, daemon=True).start()
    return server, received


def read_all(sock: socket.socket) -> tuple[bytes, str]:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        return data, "reset"
    except TimeoutError:
        return data, "silent"
    return data, "closed"


@pytest.mark.parametrize("after", [0, 1, 4095, 10_239])
@pytest.mark.parametrize("how", ["close", "reset"])
def test_a_cut_on_the_way_down_delivers_exactly_the_bytes_before_it(after: int, how: str) -> None:
    server, _ = echo_server()
    with server, Relay(server.getsockname(), {0: Cut(DOWN, after, how)}) as relay, \
            socket.create_connection(("127.0.0.1", relay.port), timeout=WAIT) as client:
        client.sendall(PAYLOAD)
        data, ending = read_all(client)
    assert (data, ending) == (PAYLOAD[:after], "reset" if how == "reset" else "closed")


def test_a_cut_on_the_way_up_and_only_on_the_connection_named() -> None:
    server, received = echo_server()
    with server, Relay(server.getsockname(), {1: Cut(UP, 1000, "close")}) as relay:
        for _ in range(2):
            with socket.create_connection(("127.0.0.1", relay.port), timeout=WAIT) as client:
                client.sendall(PAYLOAD)
                read_all(client)
    assert received.get(timeout=WAIT) == PAYLOAD  # connection 0 untouched
    assert received.get(timeout=WAIT) == PAYLOAD[:1000]


def test_silence_holds_back_everything_until_healed_or_reset() -> None:
    server, _ = echo_server()
    with server, Relay(server.getsockname(), {0: Cut(DOWN, 300, "silent")}) as relay, \
            socket.create_connection(("127.0.0.1", relay.port), timeout=0.5) as client:
        client.sendall(PAYLOAD)
        data, ending = read_all(client)
        assert (data, ending) == (PAYLOAD[:300], "silent")  # a black hole, not an end
        relay.reset(0)
        client.settimeout(WAIT)
        assert read_all(client)[1] == "reset"


def test_a_broken_relay_is_caught() -> None:
    """The harness keeps its teeth: a relay that forwards one byte too many fails."""
    server, _ = echo_server()

    class OffByOne(Relay):
        def _forward(self, pair, direction):  # type: ignore[no-untyped-def]
            if pair.cut is not None:
                pair.cut = Cut(pair.cut.direction, pair.cut.after + 1, pair.cut.how)
            super()._forward(pair, direction)

    with server, OffByOne(server.getsockname(), {0: Cut(DOWN, 100, "close")}) as relay, \
            socket.create_connection(("127.0.0.1", relay.port), timeout=WAIT) as client:
        client.sendall(PAYLOAD)
        data, _ = read_all(client)
    assert data != PAYLOAD[:100]

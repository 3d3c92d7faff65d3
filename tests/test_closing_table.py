"""Closing politely (net/closing.py), as a table and on real sockets."""

import socket

import pytest

import turnchat.net.closing
from turnchat.net.closing import CLOSING_STEPS, Closing, Farewell
from turnchat.net.reactor import SelectorReactor

C = Closing
EVENTS = ["more to send", "sent, lingering", "sent", "read", "peer closed", "failed", "time up"]
EXPECTED = {  # (state, event) -> next state; every other cell leaves the state as it is
    (C.SENDING, "more to send"): C.SENDING,
    (C.SENDING, "sent, lingering"): C.DRAINING,
    (C.SENDING, "sent"): C.CLOSED,
    (C.SENDING, "failed"): C.CLOSED,
    (C.SENDING, "time up"): C.CLOSED,
    (C.DRAINING, "read"): C.DRAINING,
    (C.DRAINING, "peer closed"): C.CLOSED,
    (C.DRAINING, "failed"): C.CLOSED,
    (C.DRAINING, "time up"): C.CLOSED,
}


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("state", list(Closing))
def test_every_state_by_every_event(state: Closing, event: str) -> None:
    assert CLOSING_STEPS.get((state, event), state) is EXPECTED.get((state, event), state)


def run_until_closed(reactor: SelectorReactor, farewell: Farewell, limit: float = 5) -> None:
    farewell.on_finished(reactor.stop)
    reactor.call_later(limit, reactor.stop)
    reactor.run()


def test_the_last_words_arrive_whole_and_the_peer_closing_ends_the_linger() -> None:
    reactor = SelectorReactor()
    ours, theirs = socket.socketpair()
    with theirs:
        farewell = Farewell(reactor, ours, b"x" * 3_000_000)  # more than a socket buffer
        assert farewell.state is C.SENDING
        received = bytearray()
        theirs.setblocking(False)

        def read() -> None:
            try:
                data = theirs.recv(1 << 20)
            except BlockingIOError:
                return
            received.extend(data)
            if not data:  # our FIN: everything came; now they close too
                reactor.remove_reader(theirs)
                theirs.shutdown(socket.SHUT_WR)

        reactor.add_reader(theirs, read)
        run_until_closed(reactor, farewell)
    assert farewell.state is C.CLOSED and bytes(received) == b"x" * 3_000_000
    reactor.close()


def test_a_peer_that_never_closes_is_cut_off_when_the_linger_is_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(turnchat.net.closing, "LINGER_SECONDS", 0.2)
    reactor = SelectorReactor()
    ours, theirs = socket.socketpair()
    with theirs:
        farewell = Farewell(reactor, ours, b"bye")
        assert farewell.state is C.DRAINING
        run_until_closed(reactor, farewell)
        assert farewell.state is C.CLOSED
        assert theirs.recv(10) == b"bye" and theirs.recv(10) == b""
    reactor.close()


def test_without_linger_it_closes_at_once() -> None:
    reactor = SelectorReactor()
    ours, theirs = socket.socketpair()
    with theirs:
        theirs.sendall(b"unread")  # read and dropped, so that closing sends no reset
        farewell = Farewell(reactor, ours, b"bye", linger=False)
        assert farewell.state is C.CLOSED and ours.fileno() < 0
        assert theirs.recv(10) == b"bye"
    reactor.close()

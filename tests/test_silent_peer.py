"""--keep: a peer that greets and then says nothing does not hold the listener for ever.

Ten minutes is too long for a test, so this one runs the real Chat and Listener in this
process, on real sockets and the plain face's reactor, with the limit made short.
"""

import socket

import pytest

import turnchat.session.chat
from tests.processes import RawPeer
from tests.wirebytes import HELLO, QUIT, TEXT, hello, text
from turnchat.net.closing import Farewells
from turnchat.net.reactor import SelectorReactor
from turnchat.roles.address import Address
from turnchat.roles.listener import open_listener
from turnchat.roles.starting import Start, begin
from turnchat.session.chat import Chat, Ending


class Notices:
    """A ChatView that keeps what it is told and stops the reactor on a given notice."""

    def __init__(self, reactor: SelectorReactor, stop_on: str) -> None:
        self.reactor, self.stop_on, self.seen, self.shown = reactor, stop_on, [], []

    def show_message(self, sender: str, text: str) -> None:
        self.shown.append(f"{sender}: {text}")

    def show_notice(self, text: str) -> None:
        self.seen.append(text)
        if self.stop_on in text and sum(self.stop_on in seen for seen in self.seen) == 2:
            self.reactor.stop()

    def show_game(self, text: str) -> None: ...
    def refresh(self) -> None: ...

    def finish(self, ending: Ending) -> None:
        self.reactor.stop()


def keeping_listener(reactor: SelectorReactor, view: Notices) -> tuple[Chat, int]:
    listener = open_listener(Address("127.0.0.1", 0))
    start = Start("bo", 5, listener=listener, keep=True)
    chat = start.chat(reactor, view)
    begin(start, chat, reactor, Farewells())
    return chat, listener.sockets[0].getsockname()[1]


def test_a_silent_peer_is_let_go_and_told_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turnchat.session.chat, "SILENCE_LIMIT_SECONDS", 0.3)
    reactor = SelectorReactor()
    view = Notices(reactor, "waiting for")
    chat, port = keeping_listener(reactor, view)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        silent = RawPeer(sock)
        silent.send(hello("ana"))
        reactor.call_later(10, reactor.stop)  # in case it never lets go: the asserts say so
        reactor.run()
        assert silent.read_frame()[0] == HELLO
        assert silent.read_frame() == (QUIT, b"you said nothing for 0.3 s, and others may be "
                                             b"waiting")
        assert silent.at_eof()
    assert view.seen[1].startswith("ana connected from 127.0.0.1:")
    assert view.seen[2:] == ["ana said nothing for 0.3 s; let go, so that the next peer can "
                             "connect.",
                             f"Listening on 127.0.0.1:{port}; waiting for the next peer."]
    chat.quit()
    reactor.close()


def test_a_peer_that_speaks_in_time_keeps_its_seat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turnchat.session.chat, "SILENCE_LIMIT_SECONDS", 0.3)
    reactor = SelectorReactor()
    view = Notices(reactor, "never")
    chat, port = keeping_listener(reactor, view)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        peer = RawPeer(sock)
        peer.send(hello("ana") + text("here I am"))
        reactor.call_later(0.8, reactor.stop)  # well past the limit
        reactor.run()
        assert peer.read_frame()[0] == HELLO
        assert view.shown == ["ana: here I am"]
        assert chat.my_turn
        chat.say("welcome")
        reactor.call_later(0.1, reactor.stop)
        reactor.run()
        assert peer.read_frame() == (TEXT, b"welcome")
    chat.quit()
    reactor.close()

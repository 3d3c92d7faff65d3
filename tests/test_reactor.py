"""The plain face's reactor: files, timers and signals on epoll, and the same where there is
no epoll (selectors stand in), each driven as turnchat drives it."""

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from turnchat.net.reactor import SelectorReactor


@pytest.fixture(params=[True, False], ids=["epoll", "selectors"])
def reactor(request: pytest.FixtureRequest) -> Iterator[SelectorReactor]:
    reactor = SelectorReactor(epoll=request.param)
    try:
        yield reactor
    finally:
        reactor.close()


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair()
    try:
        yield ours, theirs
    finally:
        ours.close()
        theirs.close()


def test_a_reader_gets_what_arrives_and_a_writer_runs_when_it_can_write(
        reactor: SelectorReactor, pair: tuple[socket.socket, socket.socket]) -> None:
    ours, theirs = pair
    got: list[bytes] = []
    order: list[str] = []

    def readable() -> None:
        got.append(ours.recv(100))
        order.append("read")
        reactor.remove_reader(ours)
        reactor.stop()

    def writable() -> None:
        order.append("write")
        reactor.remove_writer(theirs)
        theirs.send(b"hello")

    reactor.add_reader(ours, readable)
    reactor.add_writer(theirs, writable)
    reactor.call_later(5.0, reactor.stop)  # a bound: the test fails, it does not hang
    reactor.run()
    assert (got, order) == ([b"hello"], ["write", "read"])


def test_timers_run_in_order_and_a_cancelled_one_never(reactor: SelectorReactor) -> None:
    ran: list[str] = []
    reactor.call_later(0.03, lambda: ran.append("second"))
    reactor.call_later(0.01, lambda: ran.append("first"))
    reactor.call_later(0.02, lambda: ran.append("cancelled")).cancel()
    reactor.call_later(0.05, reactor.stop)
    started = time.monotonic()
    reactor.run()
    assert ran == ["first", "second"]
    assert time.monotonic() - started >= 0.05


class _CountedWaits:
    """A reactor's poller, counting its waits."""

    def __init__(self, poller: object) -> None:
        self.poller = poller
        self.waits = 0

    def poll(self, timeout: float = -1.0) -> list[tuple[int, int]]:
        self.waits += 1
        return self.poller.poll(timeout)  # type: ignore[attr-defined, no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self.poller, name)


def test_waiting_sleeps_instead_of_spinning(reactor: SelectorReactor) -> None:
    """No file ready and one timer 0.2 s away: a handful of waits, not thousands (to
    selectors a negative timeout would mean none, and the loop would spin)."""
    counted = reactor._poller = _CountedWaits(reactor._poller)  # type: ignore[assignment]
    reactor.call_later(0.2, reactor.stop)
    reactor.run()
    reactor.add_signal_handler(signal.SIGUSR2, reactor.stop)  # no timer at all: blocked
    signaller = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR2))  # till a signal
    signaller.start()
    try:
        reactor.run()
    finally:
        signaller.join()
    assert 2 <= counted.waits <= 8


def test_a_timer_fires_while_a_file_keeps_the_loop_busy(
        reactor: SelectorReactor, pair: tuple[socket.socket, socket.socket]) -> None:
    """Timers are looked at on every 64th wait while work keeps coming: a busy loop must
    still run a timer that falls due."""
    ours, theirs = pair
    theirs.send(b"x")  # ours stays readable: every wait finds work
    reactor.add_reader(ours, lambda: None)
    reactor.call_later(0.02, reactor.stop)
    reactor.call_later(5.0, lambda: pytest.fail("the busy loop never ran the timer"))
    reactor.run()


def test_a_signal_reaches_its_handler_through_the_loop(reactor: SelectorReactor) -> None:
    handled: list[str] = []

    def on_signal() -> None:
        handled.append("usr1")
        reactor.stop()

    reactor.add_signal_handler(signal.SIGUSR1, on_signal)
    reactor.call_later(0.01, lambda: os.kill(os.getpid(), signal.SIGUSR1))
    reactor.call_later(5.0, reactor.stop)
    reactor.run()
    assert handled == ["usr1"]


def test_a_regular_file_cannot_be_watched(reactor: SelectorReactor, tmp_path: Path) -> None:
    """stdin from a file is read directly (faces/stdin_lines.py): neither poller watches it."""
    path = tmp_path / "input"
    path.write_bytes(b"a line\n")
    with path.open("rb") as regular, pytest.raises(OSError):
        reactor.add_reader(regular.fileno(), lambda: None)

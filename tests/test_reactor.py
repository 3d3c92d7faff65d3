"""The plain face's reactor: files, timers and signals on epoll, and the same where there is
no epoll (selectors stand in), each driven as turnchat drives it."""

import os
import signal
import socket
import time

import pytest

from turnchat.net.reactor import SelectorReactor

POLLERS = [pytest.param(True, id="epoll"), pytest.param(False, id="selectors")]


@pytest.mark.parametrize("epoll", POLLERS)
def test_a_reader_gets_what_arrives_and_a_writer_runs_when_it_can_write(epoll: bool) -> None:
    reactor = SelectorReactor(epoll=epoll)
    ours, theirs = socket.socketpair()
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

    try:
        reactor.add_reader(ours, readable)
        reactor.add_writer(theirs, writable)
        reactor.call_later(5.0, reactor.stop)  # a bound: the test fails, it does not hang
        reactor.run()
        assert (got, order) == ([b"hello"], ["write", "read"])
    finally:
        reactor.close()
        ours.close()
        theirs.close()


@pytest.mark.parametrize("epoll", POLLERS)
def test_timers_run_in_order_and_a_cancelled_one_never(epoll: bool) -> None:
    reactor = SelectorReactor(epoll=epoll)
    ran: list[str] = []
    try:
        reactor.call_later(0.03, lambda: ran.append("second"))
        reactor.call_later(0.01, lambda: ran.append("first"))
        reactor.call_later(0.02, lambda: ran.append("cancelled")).cancel()
        reactor.call_later(0.05, reactor.stop)
        started = time.monotonic()
        reactor.run()
        assert ran == ["first", "second"]
        assert time.monotonic() - started >= 0.05
    finally:
        reactor.close()


@pytest.mark.parametrize("epoll", POLLERS)
def test_a_timer_fires_while_a_file_keeps_the_loop_busy(epoll: bool) -> None:
    """Timers are looked at on every 64th wait while work keeps coming: a busy loop must
    still run a timer that falls due."""
    reactor = SelectorReactor(epoll=epoll)
    ours, theirs = socket.socketpair()
    theirs.send(b"x")  # ours stays readable: every wait finds work
    try:
        reactor.add_reader(ours, lambda: None)
        reactor.call_later(0.02, reactor.stop)
        reactor.call_later(5.0, lambda: pytest.fail("the busy loop never ran the timer"))
        reactor.run()
    finally:
        reactor.close()
        ours.close()
        theirs.close()


@pytest.mark.parametrize("epoll", POLLERS)
def test_a_signal_reaches_its_handler_through_the_loop(epoll: bool) -> None:
    reactor = SelectorReactor(epoll=epoll)
    handled: list[str] = []

    def on_signal() -> None:
        handled.append("usr1")
        reactor.stop()

    try:
        reactor.add_signal_handler(signal.SIGUSR1, on_signal)
        reactor.call_later(0.01, lambda: os.kill(os.getpid(), signal.SIGUSR1))
        reactor.call_later(5.0, reactor.stop)
        reactor.run()
        assert handled == ["usr1"]
    finally:
        reactor.close()


def test_a_regular_file_cannot_be_watched_either_way(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """stdin from a file is read directly (faces/stdin_lines.py): both refuse to watch it."""
    path = tmp_path / "input"
    path.write_bytes(b"a line\n")
    for epoll in (True, False):
        reactor = SelectorReactor(epoll=epoll)
        with path.open("rb") as regular:
            try:
                with pytest.raises(OSError):
                    reactor.add_reader(regular.fileno(), lambda: None)
            finally:
                reactor.close()

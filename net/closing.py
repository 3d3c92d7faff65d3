"""Closing a TCP connection so that the last frame we sent is not lost, without blocking.

Closing a socket whose receive queue still holds data makes the kernel send RST, and a peer
that gets RST may drop what it had not yet read: our QUIT, ERROR or "busy". So a
`Farewell` sends the last bytes, shuts our side for writing, and reads (discarding) until
the peer closes too, for at most LINGER_SECONDS. All of it runs on the reactor, as a
timer and a reader: a closing connection never stops the listener from accepting,
screening or timing out others, and never freezes the interactive face. A face that is
about to exit waits for its `Farewells` to finish first.
"""

import socket
from collections.abc import Callable
from enum import Enum, auto

from turnchat.net.reactor import Reactor, TimerHandle

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol
else:  # the interfaces below are for the type checker; typing would cost start-up time
    Protocol = object

LINGER_SECONDS = 2.0  # a peer that has our last frame closes at once; a stuck one is cut off
_DRAIN_CHUNK = 65536
_DRAIN_AT_MOST = 16  # reads when not lingering: a flooding peer cannot keep us here


class Closing(Enum):
    """Where a farewell stands."""

    SENDING = auto()  # our last bytes are going out
    DRAINING = auto()  # sent and shut: reading (and discarding) until the peer closes
    CLOSED = auto()  # final


# (state, what happened) -> the next state; what is not here changes nothing.
CLOSING_STEPS: dict[tuple[Closing, str], Closing] = {
    (Closing.SENDING, "more to send"): Closing.SENDING,
    (Closing.SENDING, "sent, lingering"): Closing.DRAINING,
    (Closing.SENDING, "sent"): Closing.CLOSED,  # not lingering: what has arrived is read
    (Closing.DRAINING, "read"): Closing.DRAINING,
    (Closing.DRAINING, "peer closed"): Closing.CLOSED,
    **{(state, event): Closing.CLOSED
       for state in (Closing.SENDING, Closing.DRAINING) for event in ("failed", "time up")},
}


class Farewell:
    """Say `last_bytes` on `sock`, then close it politely, on the reactor.

    With `linger`, wait (up to LINGER_SECONDS) for the peer to close after reading our
    last words; without it (the peer spoke last and is closing anyway, or it is a program
    like nc that never closes first) only read what has already arrived, then close.
    Its states and steps are the table CLOSING_STEPS.
    """

    def __init__(
        self, reactor: Reactor, sock: socket.socket, last_bytes: bytes, linger: bool = True
    ) -> None:
        self._reactor = reactor
        self._sock = sock
        self._pending = bytearray(last_bytes)
        self._linger = linger
        self.state = Closing.SENDING
        self.peer_closed = False  # it ended because the peer closed too (it read us)
        self._writing = False
        self._on_finished: list[Callable[[], None]] = []
        self._timer: TimerHandle | None = reactor.call_later(
            LINGER_SECONDS, lambda: self._step("time up"))
        try:
            sock.setblocking(False)
        except OSError:
            self._step("failed")
            return
        self._write()

    @property
    def finished(self) -> bool:
        return self.state is Closing.CLOSED

    def on_finished(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the socket is closed (at once if it already is)."""
        if self.finished:
            callback()
        else:
            self._on_finished.append(callback)

    def _step(self, event: str) -> None:
        before = self.state
        self.state = CLOSING_STEPS.get((before, event), before)
        if self.state is Closing.DRAINING and before is not Closing.DRAINING:
            self._reactor.add_reader(self._sock, self._drain)
        if self.state is Closing.CLOSED and before is not Closing.CLOSED:
            self._close()

    def _write(self) -> None:
        try:
            sent = self._sock.send(self._pending) if self._pending else 0
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._step("failed")
            return
        del self._pending[:sent]
        if self._pending:
            if not self._writing:
                self._reactor.add_writer(self._sock, self._write)
                self._writing = True
            self._step("more to send")
            return
        if self._writing:
            self._reactor.remove_writer(self._sock)
            self._writing = False
        try:
            self._sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._step("failed")
            return
        if not self._linger:
            for _ in range(_DRAIN_AT_MOST):  # what has arrived, so that closing sends no RST
                if not self._drained_one():
                    break
        self._step("sent, lingering" if self._linger else "sent")

    def _drain(self) -> None:
        try:
            data = self._sock.recv(_DRAIN_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # reset: the peer may not have read what we sent last
            self._step("failed")
            return
        if data:
            self._step("read")
        else:
            self.peer_closed = True
            self._step("peer closed")

    def _drained_one(self) -> bool:
        """Read and discard one chunk; False once the peer has closed (or nothing is left
        when not lingering)."""
        try:
            return bool(self._sock.recv(_DRAIN_CHUNK))
        except (BlockingIOError, InterruptedError):
            return self._linger
        except OSError:
            return False

    def finish(self) -> None:
        """Close now, whatever is left unsaid or unread."""
        self._step("failed")

    def _close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._sock.fileno() >= 0:
            self._reactor.remove_reader(self._sock)
            self._reactor.remove_writer(self._sock)
            self._sock.close()
        callbacks, self._on_finished = self._on_finished, []
        for callback in callbacks:
            callback()


class Finishing(Protocol):
    """Anything a face must wait for before it exits: a Farewell, or a listener that still
    answers for a while (roles/listener.py)."""

    @property
    def finished(self) -> bool: ...

    def on_finished(self, callback: Callable[[], None]) -> None: ...

    def finish(self) -> None: ...


class Farewells:
    """The connections still closing, so that whoever is about to exit can wait for them."""

    def __init__(self) -> None:
        self._open: list[Finishing] = []

    def __len__(self) -> int:
        self._open = [farewell for farewell in self._open if not farewell.finished]
        return len(self._open)

    def add(self, farewell: Finishing) -> None:
        if not farewell.finished:
            self._open.append(farewell)

    def finish_all(self) -> None:
        for farewell in self._open:
            farewell.finish()
        self._open.clear()

    def when_done(self, callback: Callable[[], None]) -> None:
        """Call `callback` once every farewell has finished (at once if none is open)."""
        if not len(self):
            callback()
            return
        waiting = list(self._open)

        def one_finished() -> None:
            if all(farewell.finished for farewell in waiting):
                callback()

        for farewell in waiting:
            farewell.on_finished(one_finished)

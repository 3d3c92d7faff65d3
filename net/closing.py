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

from turnchat.net.reactor import Reactor, TimerHandle

LINGER_SECONDS = 2.0  # a peer that has our last frame closes at once; a stuck one is cut off
_DRAIN_CHUNK = 65536
_DRAIN_AT_MOST = 16  # reads when not lingering: a flooding peer cannot keep us here
PLAIN_WOULD_BLOCK: tuple[type[Exception], ...] = (BlockingIOError, InterruptedError)


class Farewell:
    """Say `last_bytes` on `sock`, then close it politely, on the reactor.

    With `linger`, wait (up to LINGER_SECONDS) for the peer to close after reading our
    last words; without it (the peer spoke last and is closing anyway, or it is a program
    like nc that never closes first) only read what has already arrived, then close.
    """

    def __init__(
        self,
        reactor: Reactor,
        sock: socket.socket,
        last_bytes: bytes,
        linger: bool = True,
        would_block: tuple[type[Exception], ...] = PLAIN_WOULD_BLOCK,
    ) -> None:
        self._reactor = reactor
        self._sock = sock
        self._pending = bytearray(last_bytes)
        self._linger = linger
        self._would_block = would_block
        self._writing = False
        self._on_finished: list[Callable[[], None]] = []
        self._timer: TimerHandle | None = reactor.call_later(LINGER_SECONDS, self.finish)
        try:
            sock.setblocking(False)
        except OSError:
            self.finish()
            return
        self._write()

    @property
    def finished(self) -> bool:
        return self._sock.fileno() < 0

    def on_finished(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the socket is closed (at once if it already is)."""
        if self.finished:
            callback()
        else:
            self._on_finished.append(callback)

    def _write(self) -> None:
        try:
            sent = self._sock.send(self._pending) if self._pending else 0
        except self._would_block:
            sent = 0
        except OSError:
            self.finish()
            return
        del self._pending[:sent]
        if self._pending:
            if not self._writing:
                self._reactor.add_writer(self._sock, self._write)
                self._writing = True
            return
        if self._writing:
            self._reactor.remove_writer(self._sock)
            self._writing = False
        try:
            self._sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.finish()
            return
        if self._linger:
            self._reactor.add_reader(self._sock, self._drain)
            return
        for _ in range(_DRAIN_AT_MOST):  # what has arrived, so that closing sends no RST
            if not self._drained_one():
                break
        self.finish()

    def _drain(self) -> None:
        if not self._drained_one():
            self.finish()

    def _drained_one(self) -> bool:
        """Read and discard one chunk; False once the peer has closed (or nothing is left
        when not lingering)."""
        try:
            return bool(self._sock.recv(_DRAIN_CHUNK))
        except self._would_block:
            return self._linger
        except OSError:
            return False

    def finish(self) -> None:
        """Close now, whatever is left unsaid or unread."""
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


class Farewells:
    """The connections still closing, so that whoever is about to exit can wait for them."""

    def __init__(self) -> None:
        self._open: list[Farewell] = []

    def __len__(self) -> int:
        self._open = [farewell for farewell in self._open if not farewell.finished]
        return len(self._open)

    def add(self, farewell: Farewell) -> None:
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

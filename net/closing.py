"""Closing a TCP connection so that the last frame we sent is not lost.

Closing a socket whose receive queue still holds data makes the kernel send RST, and a peer
that gets RST may drop what it had not yet read: our QUIT, ERROR or "busy". So we send the
last bytes, shut our side for writing, and read (discarding) until the peer closes too, for
at most LINGER_SECONDS. `close_politely` does this blocking, once, as a conversation ends;
`Dismissal` does it on the reactor for connections turned away while a conversation runs.
"""

import contextlib
import socket
import time

from net.reactor import Reactor, TimerHandle

LINGER_SECONDS = 2.0  # a peer that has our last frame closes at once; a stuck one is cut off
_DRAIN_CHUNK = 65536
_DRAIN_AT_MOST = 16  # reads when not lingering: a flooding peer cannot keep us here


def close_politely(sock: socket.socket, last_bytes: bytes = b"", linger: bool = True) -> None:
    """Send `last_bytes`, wait briefly for the peer to close, then close; never raises.

    Without `linger` (the peer spoke last and is closing anyway, or it is a program like
    nc that never closes first) it does not wait; it only reads what has already arrived.
    """
    deadline = time.monotonic() + LINGER_SECONDS
    with contextlib.suppress(OSError):
        sock.setblocking(True)
        sock.settimeout(LINGER_SECONDS)
        if last_bytes:
            sock.sendall(last_bytes)
        sock.shutdown(socket.SHUT_WR)
        if not linger:
            sock.setblocking(False)
            for _ in range(_DRAIN_AT_MOST):  # ends with b"" or BlockingIOError
                if not sock.recv(_DRAIN_CHUNK):
                    break
        while linger and (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            if not sock.recv(_DRAIN_CHUNK):
                break
    sock.close()


class Dismissal:
    """Turn one connection away without blocking: say `last_bytes`, then close politely."""

    def __init__(self, reactor: Reactor, sock: socket.socket, last_bytes: bytes) -> None:
        self._reactor = reactor
        self._sock = sock
        self._timer: TimerHandle | None = None
        try:
            sock.setblocking(False)
            sock.send(last_bytes)  # a few bytes into an empty send buffer: never partial
            sock.shutdown(socket.SHUT_WR)
            reactor.add_reader(sock, self._drain)
        except OSError:
            self.finish()
            return
        self._timer = reactor.call_later(LINGER_SECONDS, self.finish)

    def _drain(self) -> None:
        try:
            if self._sock.recv(_DRAIN_CHUNK):
                return
        except BlockingIOError:
            return
        except OSError:
            pass
        self.finish()

    @property
    def finished(self) -> bool:
        return self._sock.fileno() < 0

    def finish(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._sock.fileno() >= 0:
            self._reactor.remove_reader(self._sock)
            self._sock.close()

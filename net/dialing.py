"""Opening a connection on the reactor, while a conversation is already running.

The first connection is opened before any face starts, blocking (roles/connector.py), so
that each way it fails is one sentence. A resumed conversation redials with the face
running, so the same steps go on the reactor instead: a non-blocking connect to the
address the first connection reached, then (under --tls) the `Handshake` of net/tls.py.
Nothing blocks the face, and `cancel()` stops an attempt at any step.
"""

import errno
import os
import socket
from collections.abc import Callable

from turnchat.net.reactor import Reactor, TimerHandle

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl

    from turnchat.net.tls import TLS, Handshake


class Dial:
    """One attempt: `done(sock, tls)` with the connected socket (and its TLS, handshake
    done), or `failed(error)` with the OSError, ssl.SSLError or TimeoutError, within
    `timeout` seconds."""

    def __init__(
        self, reactor: Reactor, family: int, sockaddr: tuple, timeout: float,
        tls_context: "ssl.SSLContext | None",
        done: Callable[[socket.socket, "TLS | None"], None],
        failed: Callable[[Exception], None],
        greeting: bytes = b"",
    ) -> None:
        """`greeting`: a line to send first and to have `ok` answered to (a transit relay's
        `please relay ...`), before any TLS."""
        self._reactor = reactor
        self._greeting, self._answer = greeting, bytearray()
        self._context = tls_context
        self._timeout = timeout
        self._done, self._failed = done, failed
        self._handshake: Handshake | None = None
        self._over = False
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setblocking(False)
        self._timer: TimerHandle | None = reactor.call_later(
            timeout, lambda: self._fail(TimeoutError("no answer in time")))
        code = self._sock.connect_ex(sockaddr)
        if code in (0, errno.EINPROGRESS, errno.EAGAIN):
            reactor.add_writer(self._sock, self._connected)
        else:
            self._fail(OSError(code, os.strerror(code)))

    def cancel(self) -> None:
        """Stop the attempt and close its socket."""
        if not self._over:
            self._stop()
            self._sock.close()

    def _stop(self) -> None:
        self._over = True
        if self._timer is not None:
            self._timer.cancel()
        if self._handshake is not None:
            self._handshake.cancel()
        self._reactor.remove_writer(self._sock)
        self._reactor.remove_reader(self._sock)

    def _fail(self, error: Exception) -> None:
        if not self._over:
            self.cancel()
            self._failed(error)

    def _connected(self) -> None:
        self._reactor.remove_writer(self._sock)
        code = self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            self._fail(OSError(code, os.strerror(code)))
            return
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._greeting:
            try:
                self._sock.send(self._greeting)  # one short line into an empty buffer
            except OSError as error:
                self._fail(error)
                return
            self._reactor.add_reader(self._sock, self._answered)
            return
        self._secure()

    def _answered(self) -> None:
        """The relay's answer, one byte at a time: what follows `ok\\n` is the peer's."""
        try:
            byte = self._sock.recv(1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._fail(error)
            return
        if not byte:
            self._fail(ConnectionResetError("the relay closed the connection"))
        elif byte != b"\n":
            self._answer += byte
            if len(self._answer) > 64:
                self._fail(ConnectionRefusedError("not a transit relay"))
        elif self._answer != b"ok":
            self._fail(ConnectionRefusedError(f"the relay answered {bytes(self._answer)!r}"))
        else:
            self._reactor.remove_reader(self._sock)
            self._secure()

    def _secure(self) -> None:
        if self._context is None:
            self._finish(None)
            return
        from turnchat.net.tls import TLS, Handshake

        tls = TLS(self._context, server_side=False)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._handshake = Handshake(self._reactor, self._sock, tls, self._timeout,
                                    lambda: self._finish(tls), self._fail)

    def _finish(self, tls: "TLS | None") -> None:
        self._stop()
        self._done(self._sock, tls)

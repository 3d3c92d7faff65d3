"""The connector's beginning: resolve the host and open the TCP connection.

Connecting happens before any interface starts, blocking, under a timeout, so that each
way it can fail is one plain sentence. Greeting the listener is the conversation's job.
"""

import errno
import socket
import time
from collections.abc import Callable

from turnchat.roles import CannotStart
from turnchat.roles.address import Address, format_address, resolve

FIRST_RETRY_SECONDS = 0.25  # --wait: the pause after the first refusal, doubled up to
LAST_RETRY_SECONDS = 2.0  # this, so a listener that starts is reached within 2 s


def connect(
    address: Address, timeout: float, wait: float = 0.0,
    on_wait: Callable[[str], None] = lambda sentence: None,
) -> socket.socket:
    """Return a connected socket to `address`, or raise CannotStart saying why not.

    With `wait` (--wait SECONDS), a refused connection (the listener is not up yet) is
    tried again, with growing pauses, for up to that long: the two people may start in
    either order. `on_wait` is told so, once, in a sentence."""
    deadline = time.monotonic() + wait
    pause = FIRST_RETRY_SECONDS
    while True:
        try:
            return _connect_once(address, timeout)
        except _Refused as refused:
            left = deadline - time.monotonic()
            if left <= 0:
                waited = f"; waited {wait:g} s" if wait else ""
                raise CannotStart(str(refused).removesuffix(".") + waited + ".") from None
            if pause == FIRST_RETRY_SECONDS:
                on_wait(f"Waiting for a listener at {address} (connection refused; trying "
                        f"again for up to {wait:g} s).")
            time.sleep(min(pause, left))
            pause = min(pause * 2, LAST_RETRY_SECONDS)


class _Refused(CannotStart):
    """Every address refused the connection: nothing listens there (yet)."""


def _connect_once(address: Address, timeout: float) -> socket.socket:
    try:
        candidates = resolve(address)
    except socket.gaierror as error:
        raise CannotStart(
            f"cannot connect to {address}: unknown host {address.host!r} ({error.strerror})."
        ) from None
    last_error: OSError | None = None
    for family, kind, proto, _, sockaddr in candidates:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError as error:
            sock.close()
            last_error = error
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # one line, one packet
        return sock
    sentence = _why(address, candidates[-1][4], last_error, timeout)
    if isinstance(last_error, ConnectionRefusedError):
        raise _Refused(sentence)
    raise CannotStart(sentence)


def _why(address: Address, sockaddr: tuple, error: OSError | None, timeout: float) -> str:
    where = str(address)
    if sockaddr[0] != address.host:
        where += f" ({format_address(sockaddr[0], sockaddr[1])})"
    if isinstance(error, TimeoutError):
        return f"cannot connect to {where}: no answer within {timeout:g} s (timed out)."
    if isinstance(error, ConnectionRefusedError):
        return f"cannot connect to {where}: connection refused (is turnchat listening there?)."
    if error is not None and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return f"cannot connect to {where}: the network or host is unreachable."
    detail = error.strerror if error is not None and error.strerror else str(error)
    return f"cannot connect to {where}: {detail}."


def describe_failure(error: Exception) -> str:
    """Why one attempt to reconnect failed, in a few words."""
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    reason = getattr(error, "reason", None)
    if reason:
        return f"the TLS handshake failed ({reason})"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__

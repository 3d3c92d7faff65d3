"""The connector's beginning: resolve the host and open the TCP connection.

Connecting happens before any interface starts, blocking, under a timeout, so that each
way it can fail is one plain sentence. Greeting the listener is the conversation's job.
"""

import errno
import socket

from turnchat.roles import CannotStart
from turnchat.roles.address import Address, format_address


def connect(address: Address, timeout: float) -> socket.socket:
    """Return a connected socket to `address`, or raise CannotStart saying why not."""
    try:
        candidates = socket.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM)
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
    raise CannotStart(_why(address, candidates[-1][4], last_error, timeout))


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

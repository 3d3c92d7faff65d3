"""What the session needs from the layers above it, as protocols: it imports none of them.

The session (session/chat.py) holds the conversation and runs it without knowing what
carries it: a `Connection` (net/link.py's Link on a socket, or two sessions joined in memory
in the tests) carries its bytes out and hands back the frames that arrive; a `Clock` runs
its timeouts (the plain face's reactor, asyncio's loop, or a test's fake); a `Doorway`
(roles/listener.py's Listener) is where it sends the listener back to waiting.
"""

from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol
else:  # the interfaces below are for the type checker; typing would cost start-up time
    Protocol = object


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer: ...


class Closing(Protocol):
    """A connection closing politely (net/closing.py's Farewell)."""

    peer_closed: bool  # it ended because the peer closed too: it had read our last frames

    def on_finished(self, callback: Callable[[], None]) -> None: ...


class Connection(Protocol):
    """One connection to the peer. Frames that arrive come back through the session's
    `receive_frame`, and its end (ConnectionLost, PeerBrokeProtocol) through
    `connection_ended`."""

    def send(self, data: bytes) -> None:
        """Send the conversation's bytes, now or as soon as they can go."""

    def deliver_buffered(self) -> None:
        """Hand out the frames already received (a listener's peer greeted before it was
        handed over)."""

    def close(self, linger: bool) -> "Closing | None":
        """Close politely (with `linger`, wait a moment for the peer to close too)."""


class Doorway(Protocol):
    """Where peers come in: a listener, seen from the conversation."""

    addresses: list[str]
    fingerprint: str

    def reopen(self) -> None:
        """The conversation is over and we stay (--keep): let the next peer in."""

    def hold(self) -> None:
        """The conversation is resumable: screen newcomers and hand over their RESUMEs
        (and HELLOs), instead of telling every one "busy"."""

    def close(self, linger: float = 0.0) -> None:
        """Stop listening; with `linger`, after that many seconds (still taking RESUMEs)."""

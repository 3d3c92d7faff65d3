"""What the session needs from the layers above it, as protocols: it imports none of them.

The session (session/chat.py) runs a conversation without knowing what carries it: a
`Connection` (net/link.py's Link on a socket, or two sessions joined in memory in the
tests), a `Clock` for its timeouts (the plain face's reactor, asyncio's loop, or a test's
fake), and a `Doorway` (roles/listener.py's Listener) that it sends back to waiting.
"""

from collections.abc import Callable
from typing import Protocol

from turnchat.wire import Conversation, Event
from turnchat.wire.textpeer import TextPeerConversation


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer: ...


class Connection(Protocol):
    """Frames to and from one peer; events come back through the session's `receive`."""

    conversation: Conversation | TextPeerConversation

    def send(self, event: Event) -> None:
        """Send now; raises LocalProtocolError if the rules forbid it."""

    def queue(self, event: Event) -> None:
        """Like send, but the bytes wait for `flush`."""

    def flush(self) -> None: ...

    def deliver_buffered(self) -> None:
        """Hand out the events already received (a listener's peer greeted before it was
        handed over)."""

    def close(self, linger: bool) -> object:
        """Close politely (with `linger`, wait a moment for the peer to close too)."""


class Doorway(Protocol):
    """Where peers come in: a listener, seen from the conversation."""

    addresses: list[str]
    fingerprint: str

    def reopen(self) -> None:
        """The conversation is over and we stay (--keep): let the next peer in."""

    def close(self) -> None: ...

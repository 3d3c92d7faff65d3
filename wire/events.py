"""What can happen in a conversation, as frozen dataclasses with one base class.

The same classes travel both ways: `Conversation.send(Text("hi"))` makes bytes, and
`Conversation.receive_frame()` returns `Text("hi")` when the peer said it. `ConnectionLost`
and `PeerBrokeProtocol` never cross the wire: they are how a connection ending (the stream
closing with no QUIT or ERROR) or carrying what is not frames reaches the session, as
events rather than exceptions.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """Base class of everything `Conversation` takes or returns."""


@dataclass(frozen=True, slots=True)
class Hello(Event):
    """The greeting: the connector sends it first, the listener answers with its own."""

    name: str
    version: int = 1
    games: tuple[str, ...] | None = None  # the games its turnchat has; None: it did not say
    # The resume extension (wire/resume.py). The connector asks with `resume`; a listener
    # that agrees answers with `resume` and the conversation's session id and secret.
    resume: bool = False
    session: str | None = None
    secret: str | None = None


@dataclass(frozen=True, slots=True)
class Text(Event):
    """One message; sending it ends the sender's turn."""

    text: str


@dataclass(frozen=True, slots=True)
class Quit(Event):
    """The sender leaves (by /q, Ctrl-C, Ctrl-D or end of input) and closes."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class Error(Event):
    """The sender closes because the other side broke the protocol."""

    reason: str


@dataclass(frozen=True, slots=True)
class Play(Event):
    """A GAME frame: one step of a game (`kind`) and its JSON fields, "kind" left out.

    The conversation knows which kinds use a turn (wire/play.py), not what any game means.
    """

    kind: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Acknowledged(Event):
    """The resume extension's ACK: the peer has our data frames 1..count. Only a
    conversation that both HELLOs made resumable takes ACK frames (docs/PROTOCOL.md)."""

    count: int


@dataclass(frozen=True, slots=True)
class PeerBrokeProtocol(Event):
    """Not a frame: the peer broke the protocol; the session answers ERROR(reason)."""

    reason: str


@dataclass(frozen=True, slots=True)
class ConnectionLost(Event):
    """The connection's stream ended without QUIT or ERROR: the peer vanished, or the
    network dropped it. The session decides what that means for the conversation."""

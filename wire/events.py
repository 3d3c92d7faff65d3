"""What can happen in a conversation, as frozen value classes with one base class.

The same classes travel both ways: `Conversation.send(Text("hi"))` makes bytes, and
`Conversation.receive_frame()` returns `Text("hi")` when the peer said it. `ConnectionLost`
and `PeerBrokeProtocol` never cross the wire: they are how a connection ending (the stream
closing with no QUIT or ERROR) or carrying what is not frames reaches the session, as
events rather than exceptions.

They are written out rather than made with `dataclasses`: importing dataclasses (it brings
inspect, ast and dis) and generating each class took a third of turnchat's start-up, for
what is here a handful of lines. `Event` gives each what a frozen dataclass would: equality
and hashing by value, a readable repr, `match` by field, and no assignment after __init__.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_set = object.__setattr__  # how __init__ sets a field of a frozen event


class Event:
    """Base class of everything `Conversation` takes or returns. A subclass names its fields
    in `__slots__` (also its `__match_args__`) and sets them in __init__ with `_set`."""

    __slots__: tuple[str, ...] = ()
    __match_args__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Event)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}"
                           for name, value in zip(self.__match_args__, self._values(),
                                                  strict=True))
        return f"{type(self).__name__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name}")

    __delattr__ = __setattr__  # type: ignore[assignment]


class Hello(Event):
    """The greeting: the connector sends it first, the listener answers with its own."""

    __match_args__ = __slots__ = ("name", "version", "games", "resume", "session", "secret")
    name: str
    version: int
    games: tuple[str, ...] | None  # the games its turnchat has; None: it did not say
    # The resume extension (wire/resume.py). The connector asks with `resume`; a listener
    # that agrees answers with `resume` and the conversation's session id and secret.
    resume: bool
    session: str | None
    secret: str | None

    def __init__(self, name: str, version: int = 1, games: tuple[str, ...] | None = None,
                 resume: bool = False, session: str | None = None,
                 secret: str | None = None) -> None:
        _set(self, "name", name)
        _set(self, "version", version)
        _set(self, "games", games)
        _set(self, "resume", resume)
        _set(self, "session", session)
        _set(self, "secret", secret)


class Text(Event):
    """One message; sending it ends the sender's turn."""

    __match_args__ = __slots__ = ("text",)
    text: str

    def __init__(self, text: str) -> None:
        _set(self, "text", text)


class Quit(Event):
    """The sender leaves (by /q, Ctrl-C, Ctrl-D or end of input) and closes."""

    __match_args__ = __slots__ = ("reason",)
    reason: str

    def __init__(self, reason: str = "") -> None:
        _set(self, "reason", reason)


class Error(Event):
    """The sender closes because the other side broke the protocol."""

    __match_args__ = __slots__ = ("reason",)
    reason: str

    def __init__(self, reason: str) -> None:
        _set(self, "reason", reason)


class Play(Event):
    """A GAME frame: one step of a game (`kind`) and its JSON fields, "kind" left out.

    The conversation knows which kinds use a turn (wire/play.py), not what any game means.
    """

    __match_args__ = __slots__ = ("kind", "fields")
    kind: str
    fields: dict[str, Any]

    def __init__(self, kind: str, fields: dict[str, Any]) -> None:
        _set(self, "kind", kind)
        _set(self, "fields", fields)


class Acknowledged(Event):
    """The resume extension's ACK: the peer has our data frames 1..count. Only a
    conversation that both HELLOs made resumable takes ACK frames (docs/PROTOCOL.md)."""

    __match_args__ = __slots__ = ("count",)
    count: int

    def __init__(self, count: int) -> None:
        _set(self, "count", count)


class PeerBrokeProtocol(Event):
    """Not a frame: the peer broke the protocol; the session answers ERROR(reason)."""

    __match_args__ = __slots__ = ("reason",)
    reason: str

    def __init__(self, reason: str) -> None:
        _set(self, "reason", reason)


class ConnectionLost(Event):
    """The connection's stream ended without QUIT or ERROR: the peer vanished, or the
    network dropped it. The session decides what that means for the conversation."""

    __slots__ = ()

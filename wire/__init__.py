"""The turnchat wire protocol, version 1, as pure code: no sockets, no clock, no terminal.

`Conversation` (conversation.py) is the one state machine; `frames.py` is the byte codec
under it, one decoder per connection; `events.py` names what can happen. Drivers feed a
connection's bytes to its decoder, its frames to the conversation, and write bytes out.

The names below are loaded on first use (PEP 562): `from turnchat.wire import Mode` then
costs the command line only modes.py, not the whole protocol, at start-up.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from turnchat.wire.conversation import Conversation, Role, State
    from turnchat.wire.errors import LocalProtocolError, RemoteProtocolError
    from turnchat.wire.events import ConnectionLost, Error, Event, Hello, Play, Quit, Text
    from turnchat.wire.modes import Mode

_HOME = {  # name: the module that defines it
    "Conversation": "conversation", "Role": "conversation", "State": "conversation",
    "LocalProtocolError": "errors", "RemoteProtocolError": "errors",
    "ConnectionLost": "events", "Error": "events", "Event": "events", "Hello": "events",
    "Play": "events", "Quit": "events", "Text": "events",
    "Mode": "modes",
}

__all__ = [  # the names of _HOME
    "ConnectionLost", "Conversation", "Error", "Event", "Hello", "LocalProtocolError", "Mode",
    "Play", "Quit", "RemoteProtocolError", "Role", "State", "Text",
]


def __getattr__(name: str) -> object:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
    globals()[name] = value  # the next lookup is a plain module attribute
    return value

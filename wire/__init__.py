"""The turnchat wire protocol, version 1, as pure code: no sockets, no clock, no terminal.

`Conversation` (conversation.py) is the one state machine; `frames.py` is the byte codec
under it, one decoder per connection; `events.py` names what can happen. Drivers feed a
connection's bytes to its decoder, its frames to the conversation, and write bytes out.
"""

from turnchat.wire.conversation import Conversation, Role, State
from turnchat.wire.errors import LocalProtocolError, RemoteProtocolError
from turnchat.wire.events import ConnectionLost, Error, Event, Hello, Play, Quit, Text
from turnchat.wire.modes import Mode

__all__ = [
    "ConnectionLost",
    "Conversation",
    "Error",
    "Event",
    "Hello",
    "LocalProtocolError",
    "Mode",
    "Play",
    "Quit",
    "RemoteProtocolError",
    "Role",
    "State",
    "Text",
]

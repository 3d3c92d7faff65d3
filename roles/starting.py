"""What the command line hands a face: who we are, and a bound listener or a connected socket.

Binding and connecting happen before any face starts, so that failing to do either is one
plain sentence and exit status 3, with no interface to tear down.
"""

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

from turnchat.roles.listener import Listener
from turnchat.wire import Mode

if TYPE_CHECKING:
    from turnchat.faces.transcript import Transcript
    from turnchat.net.tls import TLS


@dataclass
class Start:
    name: str  # the name the peer sees
    timeout: float  # seconds for connecting, and for a HELLO to arrive
    listener: Listener | None = None  # listening role
    connected: socket.socket | None = None  # connecting role
    tls: "TLS | None" = None  # connecting with --tls: the handshake is done, the key trusted
    origin: str = ""  # where `connected` leads, as the user wrote it
    mode: Mode = Mode.FRAMES  # the connector's; a listener's is in `listener.mode`
    keep: bool = False  # listener: after a conversation, wait for the next peer
    transcript: "Transcript | None" = None  # --log
    notice: str = ""  # said first: e.g. which TLS key the connector trusted, and why

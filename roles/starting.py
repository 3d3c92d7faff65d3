"""What the command line hands a face: who we are, and a bound listener or a connected socket.

Binding and connecting happen before any face starts, so that failing to do either is one
plain sentence and exit status 3, with no interface to tear down.
"""

import socket
from dataclasses import dataclass

from roles.listener import Listener


@dataclass
class Start:
    name: str  # the name the peer sees
    timeout: float  # seconds for connecting, and for a HELLO to arrive
    listener: Listener | None = None  # listening role
    connected: socket.socket | None = None  # connecting role
    origin: str = ""  # where `connected` leads, as the user wrote it

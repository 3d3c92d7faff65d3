"""What the command line hands a face, and how the conversation is put on its connection.

Binding and connecting happen before any face starts (turnchat.py), so that failing to do
either is one plain sentence and exit status 3, with no interface to tear down. Then
`begin` joins the three: the listener (or the connected socket) from roles/, a `Link` per
connection from net/ (with the connection's decoder), and the face's `Chat` from session/,
which holds the conversation and never learns what a socket is.
"""

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

from turnchat.net.closing import Farewells
from turnchat.net.link import Link
from turnchat.net.reactor import Reactor
from turnchat.roles.listener import Listener
from turnchat.session.chat import Chat, ChatView
from turnchat.session.ports import Clock
from turnchat.wire import Conversation, Mode, Role
from turnchat.wire.frames import FrameDecoder
from turnchat.wire.textpeer import TextPeerConversation, TextPeerDecoder, open_conversation

if TYPE_CHECKING:
    from turnchat.net.tls import TLS
    from turnchat.session.transcript import Transcript


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
    standing: str = ""  # under TLS: how far the peer is known ("TLS, key known since ...")
    bell: bool = True  # interactive face: ring the terminal's bell when the turn comes
    timestamps: bool = False  # interactive face: show each message's local time

    def chat(self, clock: Clock, view: ChatView) -> Chat:
        """The session for this start, shown by `view`."""
        chat = Chat(clock, self.name, view, self.timeout, self.keep, self.transcript)
        chat.peer_standing = self.standing
        return chat


def begin(start: Start, chat: Chat, reactor: Reactor, farewells: Farewells) -> None:
    """Start waiting for peers, or greet through the connected socket; each connection
    becomes a Link for `chat`, whose polite closing `farewells` tracks."""
    if start.notice:
        chat.view.show_notice(start.notice)
    listener = start.listener
    if listener is not None:
        def joined(sock: socket.socket, decoder: FrameDecoder | TextPeerDecoder,
                   conversation: Conversation | TextPeerConversation, origin: str,
                   tls: "TLS | None") -> None:
            link = Link(reactor, sock, decoder, chat.receive_frame, chat.connection_ended,
                        tls, farewells)
            chat.joined(link, conversation, origin)

        listener.start(reactor, joined, chat.view.show_notice, start.timeout)
        chat.listening(listener)
        return
    assert start.connected is not None
    decoder, conversation = open_conversation(Role.CONNECTOR, start.mode)
    link = Link(reactor, start.connected, decoder, chat.receive_frame, chat.connection_ended,
                start.tls, farewells)
    chat.reached(link, conversation, start.origin)

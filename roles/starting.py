"""What the command line hands a face, and how the conversation is put on its connection.

Binding and connecting happen before any face starts (turnchat.py), so that failing to do
either is one plain sentence and exit status 3, with no interface to tear down. Then
`begin` joins the three: the listener (or the connected socket) from roles/, a `Link` per
connection from net/ (with the connection's decoder), and the face's `Chat` from session/,
which holds the conversation and never learns what a socket is. A resumable conversation
gets its later connections here too: the connector's by redialing (net/dialing.py, the
listener's key checked again), the listener's as its doorway hands them over.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from turnchat.net.closing import Farewells
from turnchat.net.link import Link
from turnchat.net.reactor import Reactor
from turnchat.roles.listener import Listener
from turnchat.session.chat import Chat, ChatView
from turnchat.wire import Conversation, Mode, Role
from turnchat.wire.frames import FrameDecoder
from turnchat.wire.opening import open_conversation

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any

    from turnchat.net.tls import TLS
    from turnchat.roles.address import Address
    from turnchat.session.ports import Clock, Connection, Timer
    from turnchat.session.resuming import Redial, Rejoin, ResumeSettings
    from turnchat.session.transcript import Transcript
    from turnchat.wire.textpeer import TextPeerConversation, TextPeerDecoder


class Start:
    """Everything a face needs to begin. The defaults are class attributes and __init__
    takes them by keyword; written out, not a dataclass, whose import and code generation
    cost the plain face's start-up more than all of its own modules."""

    name: str  # the name the peer sees
    timeout: float  # seconds for connecting, and for a HELLO to arrive
    listener: Listener | None = None  # listening role
    connected: socket.socket | None = None  # connecting role
    tls: TLS | None = None  # connecting with --tls: the handshake is done, the key trusted
    tls_context: ssl.SSLContext | None = None  # the same: how a reconnection dials again
    origin: str = ""  # where `connected` leads, as the user wrote it
    address: Address | None = None  # the same, parsed: where a resumed conversation redials
    mode: Mode = Mode.FRAMES  # the connector's; a listener's is in `listener.mode`
    keep: bool = False  # listener: after a conversation, wait for the next peer
    transcript: Transcript | None = None  # --log
    notice: str = ""  # said first: e.g. which TLS key the connector trusted, and why
    standing: str = ""  # under TLS: how far the peer is known ("TLS, key known since ...")
    bell: bool = True  # interactive face: ring the terminal's bell when the turn comes
    timestamps: bool = False  # interactive face: show each message's local time
    resume: ResumeSettings | None = None  # keep the conversation across dropped connections
    relayed: socket.socket | None = None  # --pair through a relay: the connection it made
    relay: str = ""  # the relay, as the user named it

    def __init__(self, name: str, timeout: float, **options: Any) -> None:
        self.name = name
        self.timeout = timeout
        for option, value in options.items():
            if option.startswith("_") or not hasattr(Start, option):
                raise TypeError(f"Start has no option {option!r}")
            setattr(self, option, value)

    def chat(self, clock: Clock, view: ChatView) -> Chat:
        """The session for this start, shown by `view`."""
        chat = Chat(clock, self.name, view, self.timeout, self.keep, self.transcript)
        chat.peer_standing = self.standing
        chat.resume = self.resume
        return chat


def begin(start: Start, chat: Chat, reactor: Reactor, farewells: Farewells) -> None:
    """Start waiting for peers, or greet through the connected socket; each connection
    becomes a Link for `chat`, whose polite closing `farewells` tracks."""
    if start.notice:
        chat.view.show_notice(start.notice)
    listener = start.listener

    def link(sock: socket.socket, decoder: FrameDecoder | TextPeerDecoder,
             tls: TLS | None) -> Link:
        return Link(reactor, sock, decoder, chat.receive_frame, chat.connection_ended, tls,
                    farewells, on_text=chat.receive_text if decoder.mode is Mode.FRAMES else None)

    if listener is not None:
        def joined(sock: socket.socket, decoder: FrameDecoder | TextPeerDecoder,
                   conversation: Conversation | TextPeerConversation, origin: str,
                   tls: TLS | None, standing: str) -> str | None:
            if chat.resumable:
                return chat.greeted_again(lambda: link(sock, decoder, tls), conversation,
                                          origin)
            chat.peer_standing = standing or start.standing
            chat.joined(link(sock, decoder, tls), conversation, origin)
            return None

        def resumed(sock: socket.socket, decoder: FrameDecoder, payload: bytes, origin: str,
                    tls: TLS | None) -> str | None:
            return chat.offered_resume(payload, lambda: link(sock, decoder, tls))

        listener.start(reactor, joined, chat.view.show_notice, start.timeout, resumed,
                       farewells, chat.stop_listening)
        chat.listening(listener)
        if start.relayed is not None:  # the peer is already there: screen it as accepted
            if start.resume is not None:
                chat.rejoin = _rejoiner(start, start.relayed, reactor, listener, chat)
            listener.adopt(start.relayed, f"the relay {start.relay}")
        elif listener.pairing is not None:
            listener.pairing.announce()
        return
    assert start.connected is not None
    if start.resume is not None and start.mode is Mode.FRAMES:
        chat.redial = _redialer(start, reactor, link, chat)
    decoder, conversation = open_conversation(Role.CONNECTOR, start.mode)
    chat.reached(link(start.connected, decoder, start.tls), conversation, start.origin)


def _relay_greeting(start: Start, chat: Chat) -> bytes:
    """Met through a relay: the line that asks it for the conversation's own meeting point
    (from the session's secret; the code is spent), or b"" for a direct connection."""
    if not start.relay:
        return b""
    from turnchat.roles.relay import request, resume_token

    return request(resume_token(chat.resume_secret))


def _rejoiner(start: Start, relayed: socket.socket, reactor: Reactor, listener: Listener,
              chat: Chat) -> Rejoin:
    """How a listener that met its peer through a relay gets back to it: it dials the
    relay too, and screens what comes out as any connection (its RESUME goes to the
    session)."""
    from turnchat.net.dialing import Dial
    from turnchat.roles.connector import describe_failure
    from turnchat.roles.relay import keep_alive

    family, sockaddr = relayed.family, relayed.getpeername()

    def rejoin(done: Callable[[], None], failed: Callable[[str, bool], None]) -> Timer:
        def connected(sock: socket.socket, tls: TLS | None) -> None:
            keep_alive(sock)
            listener.adopt(sock, f"the relay {start.relay}")
            done()

        return Dial(reactor, family, sockaddr, start.timeout, None, connected,
                    lambda error: failed(describe_failure(error), False),
                    greeting=_relay_greeting(start, chat))

    return rejoin


def _redialer(start: Start, reactor: Reactor,
              link: Callable[[socket.socket, FrameDecoder, TLS | None], Link],
              chat: Chat) -> Redial:
    """How the connector gets a new connection to the same listener: the address the first
    one reached (through a relay, the relay, asked for the conversation's meeting point),
    and under TLS the very key it trusted, or nothing."""
    from turnchat.net.dialing import Dial
    from turnchat.roles.connector import describe_failure

    assert start.connected is not None
    try:
        family, sockaddr = start.connected.family, start.connected.getpeername()
    except OSError:  # already reset: the address it was opened to
        assert start.address is not None
        from turnchat.roles.address import resolve

        family, _, _, _, sockaddr = resolve(start.address)[0]
    pinned = start.tls.peer_certificate() if start.tls is not None else None
    context = None
    if pinned is not None:
        from turnchat.net.tls import client_context

        context = start.tls_context or client_context()

    def redial(on_connection: Callable[[Connection], None],
               on_failure: Callable[[str, bool], None]) -> Timer:
        def done(sock: socket.socket, tls: TLS | None) -> None:
            if tls is not None and tls.peer_certificate() != pinned:
                sock.close()
                on_failure(f"the listener at {start.origin} now presents a different key, "
                           "so this is not the conversation's listener; not resumed", True)
                return
            if start.relay:  # the relayed connection must outlast a router's memory too
                from turnchat.roles.relay import keep_alive

                keep_alive(sock)
            on_connection(link(sock, FrameDecoder(), tls))

        return Dial(reactor, family, sockaddr, start.timeout, context, done,
                    lambda error: on_failure(describe_failure(error), False),
                    greeting=_relay_greeting(start, chat))

    return redial

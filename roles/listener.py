"""The listener's beginning: bind, accept, and screen connections until one says HELLO.

Every connection that arrives becomes a candidate with its own decoder and `Conversation`,
read concurrently, so a silent one cannot hold the door against a real peer. The first candidate
to greet properly becomes the peer; one that sends garbage or breaks the protocol is told
why (ERROR) and dropped, one that stays silent past the handshake time is dropped too. A
connection whose first byte is not 0x00 is not speaking frames (PROTOCOL.md): if what it
sends is typed text with a first line that no program would send (wire/screening.py), it
is a person on nc, socat or telnet, and becomes the peer in line mode; if not, it is junk
or a program, and is turned away at once. With --raw there is nothing to screen: the
first connection is the peer. Once the conversation runs,
every other connection, waiting or new, is answered ERROR "busy" and closed, without
disturbing the conversation. The listening sockets stay open until the conversation ends,
only to say that; with --keep they then take the next peer.

A resumable conversation (wire/resume.py) is *held* instead: newcomers are screened as
before, and one that opens with RESUME, or greets, is handed to the session, which takes
it (the conversation goes on over it) or names the ERROR it gets ("busy", "unknown
session", ...). A RESUME while nothing is held is answered by the session too.
"""

from __future__ import annotations

import errno
import functools
import socket
from collections.abc import Callable

from turnchat.net.closing import Farewell, Farewells
from turnchat.net.link import READ_CHUNK
from turnchat.net.reactor import Reactor, TimerHandle
from turnchat.roles import CannotStart
from turnchat.roles.address import Address, format_address, resolve
from turnchat.roles.turned_away import Kind, TurnedAwayReport
from turnchat.wire import Conversation, Error, Hello, Mode, RemoteProtocolError, Role
from turnchat.wire.frames import FrameDecoder, FrameType
from turnchat.wire.opening import open_conversation
from turnchat.wire.screening import NOT_A_PERSON, TLS_HANDSHAKE, FirstLine, answer_to

BACKLOG = 16  # connections the kernel queues for us between two accepts
MAX_CANDIDATES = 16  # unidentified connections held at once; the oldest goes first
MAX_DISMISSALS = 64  # connections lingering after ERROR; past this they are cut at once
ACCEPT_PAUSE_SECONDS = 0.5  # out of file descriptors: stop accepting briefly, do not spin
BUSY_REASON = "busy"
# While busy, how long to wait for a silent connection's first bytes, so that "busy" goes in
# the form it reads: turnchat greets at once, so one still silent is likely a person on nc.
BUSY_ANSWER_SECONDS = 1.0

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl

    from turnchat.net.tls import TLS
    from turnchat.roles.known_connectors import KnownConnectors
    from turnchat.roles.pairing import PairingDesk
    from turnchat.wire.pairing import ListenerPairing
    from turnchat.wire.textpeer import TextPeerConversation, TextPeerDecoder

    PeerFound = Callable[[socket.socket, FrameDecoder | TextPeerDecoder,
                         Conversation | TextPeerConversation, str, TLS | None, str],
                         str | None]
    """A connection that greeted (or a person's first line), with its standing if we know
    it ("ana, paired 2026-11-29"): None if it became the peer, or the reason it is refused
    (while a conversation is held)."""


ResumeOffered = Callable[[socket.socket, FrameDecoder, bytes, str, "TLS | None"], str | None]
"""A connection that opened with RESUME (its payload): None if the session took it, or the
reason it is refused."""


class Listener:
    """The bound sockets, then the screening of connections on the reactor."""

    def __init__(self, sockets: list[socket.socket], mode: Mode = Mode.FRAMES) -> None:
        self.sockets = sockets
        self.mode = mode  # FRAMES also takes line peers; RAW takes anyone, unscreened
        self.tls: ssl.SSLContext | None = None  # --tls: every connection must start TLS
        self.fingerprint = ""  # of our TLS identity, shown on start
        self.addresses = [_name_of(sock.getsockname()) for sock in sockets]
        self._reactor: Reactor | None = None
        self._candidates: dict[socket.socket, _Candidate] = {}
        self._dismissals = Farewells()
        self._busy = False
        self._holding = False  # a resumable conversation runs: screen, and ask the session
        self._lingering: _Lingering | None = None  # closing after a while (close(linger))
        self._farewells: Farewells | None = None
        self._on_resume: ResumeOffered | None = None
        self._on_fail: Callable[[str], None] | None = None
        # Pairing (roles/pairing.py): --pair gives a desk; under --tls, known connectors are
        # recognised by their certificates, and --known-only admits no one else.
        self.pairing: PairingDesk | None = None
        self.known_connectors: KnownConnectors | None = None

    def start(
        self,
        reactor: Reactor,
        on_peer: PeerFound,
        on_notice: Callable[[str], None],
        handshake_seconds: float,
        on_resume: ResumeOffered | None = None,
        farewells: Farewells | None = None,
        on_fail: Callable[[str], None] | None = None,
    ) -> None:
        """Accept and screen on `reactor`; `on_peer` gets the first connection to greet,
        `on_resume` each one that opens with RESUME. A lingering close (`close(linger)`)
        goes into `farewells`, which the face waits for. `on_fail` ends the listening with
        a sentence (pairing failed too often)."""
        self._reactor = reactor
        self._farewells = farewells
        self._on_peer = on_peer
        self._on_resume = on_resume
        self._on_notice = on_notice
        self._on_fail = on_fail
        self._report = TurnedAwayReport(reactor, on_notice)
        self._handshake_seconds = handshake_seconds
        if self.pairing is not None:
            self.pairing.attach(on_notice, on_fail or on_notice)
        for sock in self.sockets:
            sock.setblocking(False)
            reactor.add_reader(sock, functools.partial(self._accept, sock))

    def adopt(self, sock: socket.socket, origin: str) -> None:
        """Screen a connection that came another way (through a relay) as if accepted. A
        listener with no socket of its own has no one else to wait for: if its first such
        connection goes before greeting, the listening ends (`on_fail`)."""
        sock.setblocking(False)
        self._admit(sock, origin, self._handshake_seconds).adopted = True

    def use_tls(self, context: ssl.SSLContext, fingerprint: str) -> None:
        """--tls: every connection must start TLS with this context (ssl loads only now)."""
        self.tls = context
        self.fingerprint = fingerprint

    def reopen(self) -> None:
        """The conversation is over and we stay (--keep): the next connection may talk."""
        self._busy = self._holding = False

    def hold(self) -> None:
        """The conversation is resumable: keep screening, and hand RESUMEs and HELLOs to
        the session rather than answer "busy"."""
        self._busy, self._holding = False, True

    def close(self, linger: float = 0.0) -> None:
        """Stop listening and drop every connection that is not the conversation; with
        `linger`, only after that many seconds, meanwhile still handing RESUMEs to the
        session (the tombstone of a resumable conversation the peer quit), and the face
        that watches `farewells` waits for it."""
        if linger > 0 and self._reactor is not None and self._lingering is None:
            self._lingering = _Lingering(self)
            self._lingering.timer = self._reactor.call_later(linger, self._lingering.finish)
            if self._farewells is not None:
                self._farewells.add(self._lingering)
            return
        for sock in self.sockets:
            if self._reactor is not None and sock.fileno() >= 0:
                self._reactor.remove_reader(sock)
            sock.close()
        for candidate in list(self._candidates.values()):
            self._drop(candidate)
        self._dismissals.finish_all()
        if self._reactor is not None:
            self._report.close()
        if self._lingering is not None:
            self._lingering.closed()

    # -- accepting -------------------------------------------------------------------------

    def _accept(self, listening: socket.socket) -> None:
        assert self._reactor is not None
        try:
            sock, sockaddr = listening.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                self._pause(listening)
            return
        sock.setblocking(False)
        if self._busy and (self.tls is not None or self.mode is Mode.RAW):
            self._dismiss(sock, BUSY_REASON)  # nothing it could read: just close
            return
        if self._busy:
            self._admit(sock, _name_of(sockaddr), BUSY_ANSWER_SECONDS).busy = True
            return
        if self.mode is Mode.RAW:  # nothing to screen: a raw peer may never send first
            self._busy = True
            self._on_peer(sock, *open_conversation(Role.LISTENER, Mode.RAW),
                          _name_of(sockaddr), None, "")
            return
        self._admit(sock, _name_of(sockaddr), self._handshake_seconds)

    def _admit(self, sock: socket.socket, origin: str, seconds: float) -> _Candidate:
        """Read a new connection until it is judged, for at most `seconds`."""
        assert self._reactor is not None
        if len(self._candidates) >= MAX_CANDIDATES:
            oldest = next(iter(self._candidates.values()))
            self._dismiss(oldest.sock, "too many connections waiting to greet", oldest)
        candidate = _Candidate(sock, origin)
        candidate.timer = self._reactor.call_later(seconds, lambda: self._expire(candidate))
        self._candidates[sock] = candidate
        self._reactor.add_reader(sock, lambda: self._readable(candidate))
        return candidate

    def _pause(self, listening: socket.socket) -> None:
        reactor = self._reactor
        assert reactor is not None
        reactor.remove_reader(listening)

        def resume() -> None:
            if listening.fileno() >= 0:
                reactor.add_reader(listening, functools.partial(self._accept, listening))

        reactor.call_later(ACCEPT_PAUSE_SECONDS, resume)

    # -- screening -------------------------------------------------------------------------

    def _readable(self, candidate: _Candidate) -> None:
        try:
            data = candidate.sock.recv(READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if self.tls is None:
            self._screen(candidate, data)
            return
        for chunk in self._decrypted(candidate, data):
            if self._candidates.get(candidate.sock) is not candidate:
                return  # turned away, or become the peer, by the chunk before
            self._screen(candidate, chunk)

    def _screen(self, candidate: _Candidate, data: bytes) -> None:
        """Judge what the candidate said so far (b"": its stream ended)."""
        if not candidate.heard and data and data[0] != 0:  # a frame's first byte is 0x00
            candidate.first_line = FirstLine()
        candidate.heard = True
        if candidate.busy:  # now we know what it reads
            if data:
                self._answer_busy(candidate)
            else:
                self._drop(candidate)
            return
        if candidate.first_line is not None:
            self._screen_text(candidate, data)
            return
        decoder, conversation = candidate.decoder, candidate.conversation
        decoder.receive_data(data)
        try:
            frame = decoder.next_frame()
            while frame is not None and frame.type is FrameType.PAIR:
                if not self._pair(candidate, frame.payload):
                    return
                frame = decoder.next_frame()
            if frame is not None and frame.type is FrameType.RESUME:
                self._resume(candidate, frame.payload)
                return
            event = None if frame is None else conversation.receive_frame(frame)
        except RemoteProtocolError as error:
            self._turn_away(candidate, error.reason, Kind.BROKE_PROTOCOL)
            return
        if isinstance(event, Hello):
            if self.pairing is not None and not self._standing(candidate):
                self._turn_away(candidate, "this listener pairs first: connect with --code",
                                Kind.NOT_PAIRED, shown="it did not pair (no --code)")
                return
            self._promote(candidate, decoder, conversation)
        elif event is not None or decoder.ended:  # it said ERROR, or left, before greeting
            self._drop(candidate)

    def _pair(self, candidate: _Candidate, payload: bytes) -> bool:
        """A PAIR frame: the offer, or the confirmation. True if the candidate goes on (to
        its HELLO); False if it was turned away (the desk has told our user why)."""
        from turnchat.roles.pairing import Refusal, refusal_of
        from turnchat.wire.pairing import NOT_PAIRING, PAIRING_FAILED

        desk = self.pairing
        if desk is None or candidate.tls is None:
            self._turn_away(candidate, NOT_PAIRING, Kind.NOT_PAIRED,
                            shown="it offered a pairing code, but this listener was not "
                                  "started with --pair")
            return False
        attempt, candidate.pairing = candidate.pairing, None
        try:
            if attempt is None:
                answer = desk.take_offer(payload)
                if isinstance(answer, Refusal):
                    self._turn_away(candidate, answer.reason, Kind.NOT_PAIRED,
                                    shown=answer.shown)
                    return False
                candidate.pairing = answer
                _send_now(candidate.sock, candidate.tls.encrypt(answer.answer))
                return True
            known = desk.take_confirm(attempt, payload)
        except RemoteProtocolError as error:
            refusal = refusal_of(error)
            self._turn_away(candidate, refusal.reason, Kind.NOT_PAIRED, shown=refusal.shown)
            return False
        if known is None:
            self._turn_away(candidate, PAIRING_FAILED, Kind.NOT_PAIRED,
                            shown="its pairing failed")
            return False
        candidate.standing = f"{known.name}, paired just now"
        return True

    def _standing(self, candidate: _Candidate) -> str:
        """How far we know the candidate: paired on this connection, or before (its
        certificate is a known connector's); "" for a stranger."""
        if candidate.standing or candidate.tls is None or self.known_connectors is None:
            return candidate.standing
        presented = candidate.tls.peer_certificate()  # b"": it presented none
        try:
            known = self.known_connectors.find(presented) if presented else None
        except CannotStart as error:  # the file went bad while we run: know no one
            self._on_notice(f"Cannot recognise paired connectors: {error}")
            known = None
        if known is not None:
            candidate.standing = known.standing
        return candidate.standing

    def _resume(self, candidate: _Candidate, payload: bytes) -> None:
        """A connection asks to take up a dropped conversation: the session decides."""
        from turnchat.wire.resume import UNKNOWN_SESSION

        self._forget(candidate)
        if self._on_resume is None or self._busy:
            reason: str | None = BUSY_REASON if self._busy else UNKNOWN_SESSION
        else:
            reason = self._on_resume(candidate.sock, candidate.decoder, payload,
                                     candidate.origin, candidate.tls)
        if reason is not None:
            self._report.dropped(candidate.origin, f"its RESUME was refused: {reason}",
                                 Kind.BROKE_PROTOCOL)
            self._dismiss(candidate.sock, reason, candidate)

    def _decrypted(self, candidate: _Candidate, data: bytes) -> list[bytes]:
        """--tls: start TLS on a connection that asks for it and step its handshake; refuse
        one that does not, in words it can read. Returns the plaintext `data` completes (and
        b"" once the stream has ended): nothing until the handshake is done."""
        import ssl

        from turnchat.net.tls import TLS

        assert self.tls is not None
        tls = candidate.tls
        if tls is None:
            if not data:
                self._drop(candidate)
                return []
            if data[0] != TLS_HANDSHAKE:  # a person on nc (not 0x00) is told in a line
                self._turn_away(candidate, "this listener uses TLS: connect with --tls",
                                Kind.NO_TLS, in_a_line=data[0] != 0, shown="it did not start TLS")
                return []
            tls = candidate.tls = TLS(self.tls, server_side=True)
        tls.feed(data)
        try:
            chunks = tls.receive()
        except ssl.SSLError as error:
            _send_now(candidate.sock, tls.to_send())  # the alert that says why, if any
            self._report.dropped(candidate.origin, _handshake_failure(error), Kind.TLS_FAILED)
            self._drop(candidate)
            return []
        _send_now(candidate.sock, tls.to_send())
        return chunks

    def _screen_text(self, candidate: _Candidate, data: bytes) -> None:
        """Not frames: a person's first line becomes the peer in line mode; junk and other
        programs go; one that leaves before a whole line said nothing and goes quietly."""
        first_line = candidate.first_line
        assert first_line is not None
        if not data:
            self._drop(candidate)
            return
        why_not = first_line.feed(data)
        if why_not is not None:
            kind = Kind.PROGRAM if why_not.endswith(NOT_A_PERSON) else Kind.JUNK
            self._turn_away(candidate, why_not, kind, in_a_line=True, answer=answer_to(why_not))
        elif first_line.complete:
            decoder, conversation = open_conversation(Role.LISTENER, Mode.LINE)
            decoder.receive_data(first_line.said)
            self._promote(candidate, decoder, conversation)

    def _expire(self, candidate: _Candidate) -> None:
        if candidate.busy:
            self._answer_busy(candidate)
            return
        seconds = f"{self._handshake_seconds:g} s"
        if candidate.tls is not None and not candidate.tls.secure:
            self._turn_away(candidate, f"the TLS handshake did not finish within {seconds}",
                            Kind.TLS_FAILED, answer=b"")  # nothing it could read
        elif candidate.first_line is not None:
            shown = (f"it sent text without a line end for {seconds} (a classic assignment "
                     "program? listen with --raw)" if candidate.first_line.began else "")
            self._turn_away(candidate, f"no whole line within {seconds}", Kind.SILENT,
                            in_a_line=True, shown=shown)
        elif candidate.heard:
            self._turn_away(candidate, f"no HELLO within {seconds}", Kind.SILENT)
        else:  # most likely a person on nc who has not typed yet: tell it in a line
            self._turn_away(candidate, f"nothing received within {seconds}", Kind.SILENT,
                            in_a_line=candidate.tls is None)  # under TLS, in its records

    def _turn_away(
        self, candidate: _Candidate, reason: str, kind: str, in_a_line: bool = False,
        shown: str = "", answer: bytes | None = None,
    ) -> None:
        """Tell our user (`shown`, or the reason) and the connection why it is dropped: in an
        ERROR frame, `in_a_line` of text for what is not speaking frames, or in the `answer`
        its own protocol understands."""
        self._report.dropped(candidate.origin, shown or reason, kind)
        self._dismiss(candidate.sock, reason, candidate, answer, in_a_line)

    def _promote(
        self, candidate: _Candidate, decoder: FrameDecoder | TextPeerDecoder,
        conversation: Conversation | TextPeerConversation,
    ) -> None:
        candidate.adopted = False  # it greeted: not lost
        self._forget(candidate)
        if not _still_open(candidate.sock):  # it gave up while waiting in the backlog
            candidate.sock.close()
            return
        if self._holding:  # the session decides: a replacement, or "busy"
            reason = self._on_peer(candidate.sock, decoder, conversation, candidate.origin,
                                   candidate.tls, self._standing(candidate))
            if reason is not None:
                in_a_line = conversation.mode is not Mode.FRAMES
                self._dismiss(candidate.sock, reason, candidate, in_a_line=in_a_line)
            return
        self._busy = True
        self._report.flush()  # before the peer is announced, not in the middle of its start
        for other in list(self._candidates.values()):
            if other.heard or other.tls is not None:
                self._answer_busy(other)
            else:  # silent so far: a little longer, to learn what it reads
                assert self._reactor is not None and other.timer is not None
                other.busy = True
                other.timer.cancel()
                other.timer = self._reactor.call_later(BUSY_ANSWER_SECONDS,
                                                       functools.partial(self._expire, other))
        self._on_peer(candidate.sock, decoder, conversation, candidate.origin, candidate.tls,
                      self._standing(candidate))

    # -- letting go ------------------------------------------------------------------------

    def _answer_busy(self, candidate: _Candidate) -> None:
        """Say "busy" in the form the connection reads: an ERROR frame to turnchat, a line
        to a person (one that sent text, or nothing at all)."""
        in_a_line = candidate.tls is None and (candidate.first_line is not None
                                               or not candidate.heard)
        self._dismiss(candidate.sock, BUSY_REASON, candidate, in_a_line=in_a_line)

    def _forget(self, candidate: _Candidate) -> None:
        assert self._reactor is not None
        if candidate.pairing is not None and self.pairing is not None:
            candidate.pairing = None  # it left in the middle of pairing: the code is spent
            self.pairing.abandoned()
        if (candidate.adopted and not self.sockets and not self._holding
                and self._on_fail is not None):
            candidate.adopted = False
            self._on_fail("the peer at the relay left before the code was checked; nothing "
                          "was sent.")
        self._candidates.pop(candidate.sock, None)
        self._reactor.remove_reader(candidate.sock)
        if candidate.timer is not None:
            candidate.timer.cancel()

    def _drop(self, candidate: _Candidate) -> None:
        self._forget(candidate)
        candidate.sock.close()

    def _dismiss(
        self, sock: socket.socket, reason: str, candidate: _Candidate | None = None,
        answer: bytes | None = None, in_a_line: bool = False,
    ) -> None:
        """Send ERROR(reason) (`in_a_line` of text, or `answer`) and close politely, or at
        once when too many are lingering."""
        assert self._reactor is not None
        if candidate is not None:
            self._forget(candidate)
        from turnchat.wire.textpeer import TextPeerConversation

        conversation: Conversation | TextPeerConversation
        if in_a_line:
            conversation = TextPeerConversation(Role.LISTENER, Mode.LINE)
        elif candidate is not None:
            conversation = candidate.conversation
        elif self.mode is Mode.RAW or self.tls is not None:  # TLS: nothing it could read
            conversation = TextPeerConversation(Role.LISTENER, Mode.RAW)
        else:
            conversation = Conversation(Role.LISTENER)
        farewell = conversation.send(Error(reason)) if answer is None else answer
        if candidate is not None and candidate.tls is not None:  # only in its records
            farewell = candidate.tls.encrypt(farewell) if candidate.tls.secure else b""
        dismissal = Farewell(self._reactor, sock, farewell)
        if len(self._dismissals) >= MAX_DISMISSALS:
            dismissal.finish()
        else:
            self._dismissals.add(dismissal)


class _Lingering:
    """A listener closing after a while: what a face waits for (net/closing.Finishing)."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.finished = False
        self.timer: TimerHandle | None = None
        self._callbacks: list[Callable[[], None]] = []

    def on_finished(self, callback: Callable[[], None]) -> None:
        if self.finished:
            callback()
        else:
            self._callbacks.append(callback)

    def finish(self) -> None:
        """Close the listener now."""
        if not self.finished:
            self.listener.close()

    def closed(self) -> None:
        if self.finished:
            return
        self.finished = True
        if self.timer is not None:
            self.timer.cancel()
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()


class _Candidate:
    """A connection that has not greeted yet."""

    def __init__(self, sock: socket.socket, origin: str) -> None:
        self.sock = sock
        self.origin = origin
        self.decoder = FrameDecoder()
        self.conversation = Conversation(Role.LISTENER)
        self.timer: TimerHandle | None = None
        self.heard = False  # whether any byte has arrived
        self.busy = False  # came (or stayed) while a conversation runs: only told "busy"
        self.first_line: FirstLine | None = None  # when it does not start like a frame
        self.tls: TLS | None = None  # --tls: its TLS, once it has begun a handshake
        self.pairing: ListenerPairing | None = None  # --pair: its offer was answered
        self.standing = ""  # "ana, paired 2026-11-29": a connector we know
        self.adopted = False  # it came through a relay (`Listener.adopt`), not an accept


def _handshake_failure(error: ssl.SSLError) -> str:
    """Why a candidate's TLS handshake failed, for our user."""
    if error.reason == "PEER_DID_NOT_RETURN_A_CERTIFICATE":
        return "it is not a paired connector (--known-only admits no one else)"
    if error.reason == "CERTIFICATE_VERIFY_FAILED":
        return ("it presented a certificate this listener does not know (a pairing "
                "forgotten here?)")
    return f"the TLS handshake failed ({error.reason or error})"


def _send_now(sock: socket.socket, data: bytes) -> None:
    """Send a handshake flight or an alert: a few kB into an empty send buffer, so it goes
    whole or not at all (a connection that cannot take it is failing anyway)."""
    if data:
        try:
            sock.send(data)
        except OSError:  # (contextlib.suppress would cost start-up an import)
            return


def _still_open(sock: socket.socket) -> bool:
    """Whether the other end has not closed: a connector that gave up while we were
    stopped (Ctrl-Z) leaves its greeting and its FIN in the backlog. Peeks at the TCP
    stream itself, under any TLS."""
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except (BlockingIOError, InterruptedError):
        return True
    except OSError:
        return False


def open_listener(address: Address, mode: Mode = Mode.FRAMES) -> Listener:
    """Bind every address `address.host` resolves to; raise CannotStart saying why not."""
    try:
        resolved = resolve(address, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise CannotStart(
            f"cannot listen on {address}: unknown host {address.host!r} ({error.strerror})."
        ) from None
    sockets: list[socket.socket] = []
    port = address.port
    last_error: OSError | None = None
    seen = set()
    for family, kind, proto, _, sockaddr in resolved:
        host = str(sockaddr[0])
        if host in seen:
            continue
        seen.add(host)
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind((host, port, *sockaddr[2:]))
            sock.listen(BACKLOG)
        except OSError as error:
            sock.close()
            if error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) and len(resolved) > 1:
                last_error = error  # e.g. no IPv6 here: the other addresses may still do
                continue
            for bound in sockets:
                bound.close()
            where = format_address(host, port)
            raise CannotStart(_why(address, where, error)) from None
        port = sock.getsockname()[1]  # with port 0, every address shares the first's port
        sockets.append(sock)
    if not sockets:
        raise CannotStart(_why(address, str(address), last_error))
    return Listener(sockets, mode)


def _why(address: Address, where: str, error: OSError | None) -> str:
    shown = where if where == str(address) else f"{address} ({where})"
    if error is not None and error.errno == errno.EADDRINUSE:
        return (f"cannot listen on {shown}: the address is already in use "
                "(another program is listening there).")
    if error is not None and error.errno == errno.EACCES:
        return f"cannot listen on {shown}: permission denied (ports below 1024 need root)."
    if error is not None and error.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {shown}: that address does not belong to this machine."
    detail = error.strerror if error is not None and error.strerror else str(error)
    return f"cannot listen on {shown}: {detail}."


def _name_of(sockaddr: tuple[str, int] | tuple[str, int, int, int]) -> str:
    return format_address(sockaddr[0], sockaddr[1])

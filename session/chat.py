"""The conversation as both faces see it: who the peer is, whose turn it is, how it ends.

`Chat` holds the conversation (wire/conversation.py: turns, the peer's greeting) and sits
between the connection that carries it (session/ports.py: a Link on a socket, or a pair in
memory) and a face (`ChatView`). Frames come in from the connection and go through the
conversation; what they mean becomes what a person is shown, with every peer
string sanitised here, once, writes the transcript (--log), and decides each ending's exit
status and sentence. A face only draws, and hands back what the user typed through `say`,
`leave` (/q) and `quit` (Ctrl-C and the like). The peer may be turnchat (frames) or a
text peer (line or raw mode, wire/textpeer.py); a listener with --keep goes back
to waiting when a conversation ends.
"""

from __future__ import annotations

from enum import Enum, auto

from turnchat.games import REGISTRY
from turnchat.session.ending import ExitStatus
from turnchat.session.names import display_name
from turnchat.session.sanitize import sanitize, sanitize_line
from turnchat.wire import (
    ConnectionLost,
    Error,
    Event,
    Hello,
    LocalProtocolError,
    Mode,
    Play,
    Quit,
    RemoteProtocolError,
    State,
    Text,
)
from turnchat.wire.conversation import Conversation, Role
from turnchat.wire.events import Acknowledged, PeerBrokeProtocol
from turnchat.wire.frames import (
    TEXT_INSTEAD_OF_FRAMES,
    TEXT_WITHOUT_LINE_ENDS,
    Frame,
    FrameType,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from turnchat.session.ports import Clock, Closing, Connection, Doorway, Timer
    from turnchat.session.resuming import Keeper, Redial, Rejoin, ResumeSettings
    from turnchat.session.table import GameTable
    from turnchat.session.transcript import Transcript
    from turnchat.wire.textpeer import TextPeerConversation
else:  # the interface below is for the type checker; typing would cost start-up time
    Protocol = object


class NotYourTurn(LocalProtocolError):
    """A message typed on the peer's turn: it waits as a draft (a face may keep typing ahead
    in it, a line at a time)."""


class Ending:
    """How the conversation ended: the exit status, and one sentence for the user."""

    __slots__ = ("message", "status")

    def __init__(self, status: ExitStatus, message: str) -> None:
        self.status = status
        self.message = message

    def __repr__(self) -> str:
        return f"Ending({self.status!r}, {self.message!r})"


class ChatView(Protocol):
    """What a face must do for the chat."""

    def show_message(self, sender: str, text: str) -> None:
        """Show a message the peer sent (already sanitised)."""

    def show_notice(self, text: str) -> None:
        """Show one sentence about the conversation (connected, dropped a stranger, ...)."""

    def show_game(self, text: str) -> None:
        """Show what happened in a game: sentences and boards, one per line."""

    def refresh(self) -> None:
        """The phase, the turn or the peer changed."""

    def finish(self, ending: Ending) -> None:
        """The conversation is over: show `ending.message`, stop, exit with its status."""


class Phase(Enum):
    WAITING = auto()  # listener: no peer yet
    GREETING = auto()  # connected, HELLOs not yet both exchanged
    TALKING = auto()
    ENDED = auto()


# Python 3.11 resolves every `Enum.MEMBER` through EnumType.__getattr__'s slow hook (3.12
# dropped it): the per-message path below compares with these module names instead.
_TALKING, _ENDED = Phase.TALKING, Phase.ENDED
_MY_TURN, _THEIR_TURN = State.MY_TURN, State.THEIR_TURN
_FRAMES = Mode.FRAMES

_LINE_HINT = "if a person on nc or socat listens there, connect with --line"
_RAW_HINT = "if a classic assignment program listens there, connect with --raw"
_EITHER_HINT = f"{_LINE_HINT}; {_RAW_HINT}"
_NOT_FRAMES = (TEXT_INSTEAD_OF_FRAMES, TEXT_WITHOUT_LINE_ENDS)  # a text peer: no ERROR frame
TEXT_PEER_NAME = "peer"  # a text peer does not say its name
_TEXT_PEER_RULES = {
    Mode.LINE: "line mode: each line is one message, and it sees no turns",
    Mode.RAW: "raw mode: each read is one message, and it sees no turns",
}

SILENCE_LIMIT_SECONDS = 600.0  # --keep: a peer that greets and never speaks is let go
BUG_REASON = "turnchat on the other side stopped because of a bug"  # ERROR after a crash

# What `Chat.say` did with a line.
SENT, MOVED, HELD = "sent as a message", "made as a move", "held for the next answer"
QUEUED = "queued until the connection is back"  # resume: it goes when the peer is back


class Chat:
    """One conversation from our user's side, from waiting or connecting to its end."""

    def __init__(
        self, clock: Clock, my_name: str, view: ChatView, handshake_seconds: float,
        keep: bool = False, transcript: Transcript | None = None,
    ) -> None:
        self.clock = clock
        self.my_name = my_name
        self.view = view
        self.handshake_seconds = handshake_seconds
        self.peer_name = "peer"
        self.peer_origin = ""
        self.peer_standing = ""  # under TLS: how far the peer is known, for "who is this?"
        self.rejoin: Rejoin | None = None  # a listener met through a relay: its way back
        self.games: tuple[str, ...] | None = tuple(REGISTRY)  # ours, said in HELLO
        self.listening_on: list[str] = []
        self.ending: Ending | None = None
        self._link: Connection | None = None  # the connection it runs on now
        self._conversation: Conversation | TextPeerConversation | None = None
        self._listener: Doorway | None = None
        self._greeting_timer: Timer | None = None
        self._silence_timer: Timer | None = None  # --keep: a peer that says nothing
        self.phase = Phase.WAITING
        self._table: GameTable | None = None  # made when a game is first touched
        self._keep = keep  # --keep: a conversation's end sends the listener back to waiting
        self._transcript = transcript
        if transcript is not None:
            transcript.on_failure(view.show_notice)
            self.view = _Recorded(view, transcript, self)  # notices and games go in the log
        self._conversations = 0  # how many peers we have talked with
        self.resume: ResumeSettings | None = None  # resume dropped connections (--resume)
        self.redial: Redial | None = None  # connector with resume: how to get a connection
        self._keeper: Keeper | None = None  # this conversation is resumable: its keeper
        self._expired: list[str] = []  # --keep: sessions we gave up, to say so to a RESUME
        self._quitting: str = ""  # resume: we quit and wait for the ACK of our QUIT
        self._quit_timer: Timer | None = None
        self._redial_handle: Timer | None = None  # greeting again after an early drop
        self._greeted_again = False  # after a greeting timed out (resume: once)
        self._tomb: Keeper | None = None  # listener: the peer quit; its RESUME still answered

    # -- beginning -------------------------------------------------------------------------

    def listening(self, doorway: Doorway) -> None:
        """We wait for peers at `doorway`; `joined` says when one comes in."""
        self._listener = doorway
        self.listening_on = doorway.addresses
        if not doorway.addresses:  # met through a relay: roles/ said where, and the code
            return
        tls = f" with TLS, key {doorway.fingerprint}" if doorway.fingerprint else ""
        self.view.show_notice(
            f"Listening on {' and '.join(doorway.addresses)}{tls}; waiting for a peer."
        )

    def stop_listening(self, sentence: str) -> None:
        """The doorway cannot go on (pairing failed too often): end with status 3."""
        if self.ending is None:
            self._end(ExitStatus.UNREACHABLE, sentence)

    def reached(self, connection: Connection,
                conversation: Conversation | TextPeerConversation, origin: str) -> None:
        """We connected to `origin`: greet, and (frames) wait for the answer."""
        self.peer_origin = origin
        self._conversations += 1
        self._link, self._conversation = connection, conversation
        mode = conversation.mode
        if mode is not Mode.FRAMES:  # a text peer listening will not greet: talk at once
            self._send(Hello(self.my_name, games=self.games))
            self._talk_with_text_peer(f"Connected to {origin}, a plain-text peer "
                                      f"({_TEXT_PEER_RULES[mode]}).")
            return
        self.phase = Phase.GREETING
        self._greeting_timer = self.clock.call_later(self.handshake_seconds, self._no_answer)
        self._send(Hello(self.my_name, games=self.games, resume=self.resume is not None))

    def joined(self, connection: Connection,
               conversation: Conversation | TextPeerConversation, origin: str) -> None:
        """A peer the listener accepted (it greeted, or typed a first line) is here."""
        self.peer_origin = origin
        self._conversations += 1
        self._link, self._conversation = connection, conversation
        hello = conversation.peer_hello
        if hello is not None:
            self.peer_name = display_name(hello.name)
        if self.resume is not None and hello is not None and hello.resume:
            from turnchat.session.resuming import Keeper
            from turnchat.wire.resume import Ticket

            ticket = Ticket.new()  # the keeper first: the connection may drop at once
            assert self._conversation is not None
            self._conversation.acknowledging = True
            self._keeper = Keeper(self, self.clock, self.resume, ticket, self._conversation,
                                  listener=True)
            self._keeper.rejoin = self.rejoin
            if self._listener is not None:
                self._listener.hold()
            self._send(Hello(self.my_name, games=self.games, resume=True,
                             session=ticket.session, secret=ticket.secret))
        else:
            self._send(Hello(self.my_name, games=self.games))
        if conversation.peer_hello is None:
            self._talk_with_text_peer(f"A plain-text peer connected from {origin} "
                                      f"({_TEXT_PEER_RULES[conversation.mode]}).")
        else:
            self.phase = Phase.TALKING
            self.view.show_notice(f"{self.peer_name} connected from {origin}{self._standing}.")
            self.view.refresh()
            if self._keep:  # others may be waiting: the seat is not held for ever
                self._silence_timer = self.clock.call_later(SILENCE_LIMIT_SECONDS,
                                                            self._silent_too_long)
        connection.deliver_buffered()

    def _silent_too_long(self) -> None:
        self._silence_timer = None
        limit = (f"{SILENCE_LIMIT_SECONDS / 60:g} minutes" if SILENCE_LIMIT_SECONDS >= 60
                 else f"{SILENCE_LIMIT_SECONDS:g} s")
        self._send(Quit(f"you said nothing for {limit}, and others may be waiting"))
        self._end(ExitStatus.ENDED, f"{self.peer_name} said nothing for {limit}; let go, so "
                                    "that the next peer can connect.", we_spoke_last=True)

    def _talk_with_text_peer(self, notice: str) -> None:
        self.peer_name = TEXT_PEER_NAME
        self.phase = Phase.TALKING
        self.view.show_notice(notice)
        self.view.refresh()

    def _no_answer(self) -> None:
        self._greeting_timer = None
        if self.resume is not None and self.redial is not None and not self._greeted_again:
            # resume: silence in the greeting may be a dead connection (a black hole, not
            # yet a session to resume): greet once more on a new one before giving up
            self._greeted_again = True
            self._greeting_timer = self.clock.call_later(self.handshake_seconds,
                                                         self._no_answer)
            self._greet_again()
            return
        self._end(ExitStatus.UNREACHABLE,
                  f"cannot talk with {self.peer_origin}: no turnchat greeting within "
                  f"{self.handshake_seconds:g} s ({_EITHER_HINT}).")

    # -- resume: the connection changes, the conversation stays ---------------------------

    @property
    def resumable(self) -> bool:
        """Whether this conversation survives a dropped connection."""
        return self._keeper is not None

    @property
    def connection_status(self) -> str:
        """While the connection is down: one sentence saying so, for the toolbar."""
        keeper = self._keeper
        return keeper.status if keeper is not None and self.ending is None else ""

    def use_connection(self, connection: Connection) -> None:
        """Carry on over `connection`; the one before, if any, is cut and never read again."""
        if self._link is not None and self._link is not connection:
            self._link.close(linger=False)
        self._link = connection

    @property
    def resume_secret(self) -> str:
        """The resumable conversation's secret ("" if none): a relay's meeting point is
        derived from it when the connection must be found again."""
        return self._keeper.ticket.secret if self._keeper is not None else ""

    def send_bytes(self, data: bytes) -> None:
        """Send frames of the resume extension (ACK, RESUME, a resend) as they are."""
        if self._link is not None:
            if self._keeper is not None:
                self._keeper.said += 1
            self._link.send(data)

    def link_dead(self) -> None:
        """The heartbeat found the connection silent for too long: it is lost."""
        self.connection_ended(ConnectionLost())

    def offered_resume(self, payload: bytes, take: Callable[[], Connection]) -> str | None:
        """A new connection to our listener opened with RESUME: take it (None) or return the
        ERROR reason it gets."""
        from turnchat.wire.resume import (
            SESSION_EXPIRED,
            UNKNOWN_SESSION,
            decode_request,
        )

        try:
            request = decode_request(payload)
        except RemoteProtocolError as error:
            return error.reason
        tomb = self._tomb
        if tomb is not None and tomb.guard is not None and request.session == tomb.ticket.session:
            try:  # the peer quit: its count, and nothing more, tells it the QUIT arrived
                tomb.guard.check(request)
            except RemoteProtocolError as error:
                return error.reason
            connection = take()
            connection.send(tomb.guard.answer(request, tomb.ledger.received))
            connection.close(linger=True)
            return None
        keeper = self._keeper
        if keeper is None or self.ending is not None or request.session != keeper.ticket.session:
            return SESSION_EXPIRED if request.session in self._expired else UNKNOWN_SESSION
        return keeper.offered(request, take)

    def greeted_again(self, take: Callable[[], Connection],
                      conversation: Conversation | TextPeerConversation,
                      origin: str) -> str | None:
        """A HELLO while we hold a conversation: it replaces one the connector never
        confirmed (it lost our HELLO with the connection); otherwise it is told "busy"."""
        keeper = self._keeper
        if keeper is None or keeper.confirmed or conversation.peer_hello is None:
            return "busy"
        keeper.cancel()
        self._keeper = None
        if self._link is not None:
            self._link.close(linger=False)
        self._conversations -= 1
        self.joined(take(), conversation, origin)
        return None

    def resumed(self) -> None:
        """The conversation goes on over a new connection."""
        if self._quitting and self._keeper is not None and self._keeper.ledger.all_acknowledged():
            self._quit_done(told=True)

    def gave_up(self, lost: str, why: str = "") -> None:
        """The window ran out (or the peer refused to resume): the conversation is over."""
        keeper = self._keeper
        assert keeper is not None
        if self._quitting:
            self._quit_done(told=False)
            return
        from turnchat.session.resuming import duration

        window = duration(keeper.settings.window)
        if why:
            message = f"{why}{lost}."
        elif keeper.guard is not None:
            message = f"{self.peer_name} did not come back within {window} (session expired){lost}."
            self._expired = [*self._expired[-63:], keeper.ticket.session]
        else:
            message = f"could not reconnect to {self.peer_name} within {window}{lost}."
        self._end(ExitStatus.FAILED, message)

    def _quit_done(self, told: bool) -> None:
        message, self._quitting = self._quitting, ""
        if self._quit_timer is not None:
            self._quit_timer.cancel()
            self._quit_timer = None
        lost = "" if told or self._keeper is None else self._keeper.lost_messages()
        self._end(ExitStatus.ENDED, f"{message}; {self.peer_name} "
                                    f"{'was told' if told else 'may not have been told'}{lost}.",
                  we_spoke_last=True)

    def _leave_resumable(self, message: str, at_once: bool) -> None:
        """We sent QUIT: wait a little for its ACK, so as to say whether the peer knows;
        `at_once` when the connection was already down (/q stops the waiting)."""
        from turnchat.session.resuming import QUIT_ACK_SECONDS

        self._quitting = message.removesuffix(".")
        if at_once:
            self._quit_done(told=False)
            return
        self._quit_timer = self.clock.call_later(QUIT_ACK_SECONDS,
                                                 lambda: self._quit_done(told=False))

    # -- what the face asks ----------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        """How messages travel to this peer: frames, or plain text (line or raw)."""
        conversation = self._conversation
        return conversation.mode if conversation is not None else _FRAMES

    @property
    def table(self) -> GameTable:
        """The games of this conversation; loaded on first use, so a chat that plays no
        game never imports them."""
        if self.mode is not _FRAMES:
            raise LocalProtocolError("Games need turnchat on both sides; this peer sends "
                                     "plain text.")
        if self._table is None:
            from turnchat.session.table import GameTable

            self._table = GameTable(self)
        return self._table

    @property
    def takes_lines(self) -> bool:
        """Whether a line entered now is taken: on our turn, or as a message that can wait
        for our next automatic move (`can_hold`). One question, asked once a message."""
        conversation = self._conversation
        if conversation is None or self.phase is not _TALKING:
            return False
        if conversation.state is _MY_TURN:
            return True
        return self._table is not None and self._table.can_hold()

    def can_hold(self) -> bool:
        """Whether a message typed off our turn can wait for our next automatic move."""
        return self._table is not None and self._table.can_hold()

    @property
    def peer_games(self) -> tuple[str, ...] | None:
        """The games the peer's turnchat said it has in its HELLO; None if it did not say."""
        conversation = self._conversation
        hello = conversation.peer_hello if conversation is not None else None
        return hello.games if hello is not None else None

    @property
    def _standing(self) -> str:
        return f" ({self.peer_standing})" if self.peer_standing else ""

    @property
    def waits_for_the_next_peer(self) -> bool:
        """A --keep listener between conversations (a one-shot one waits for its first)."""
        return self._keep and self.phase is Phase.WAITING

    @property
    def my_turn(self) -> bool:
        conversation = self._conversation
        return conversation is not None and self.phase is _TALKING and (
            conversation.state is _MY_TURN)

    @property
    def my_move(self) -> bool:
        """Our turn, and the game on the table waits for our move (not only for talk)."""
        table = self._table
        return table is not None and table.playing and self.my_turn and table.match.my_move()

    def say(self, text: str, literal: bool = False) -> str:
        """Send one line: a message, or the move it is in the game on the table. A
        `literal` line (typed after /say or //) is a message whatever it looks like.

        Returns SENT, MOVED, or HELD (a hangman setter's message off its turn, which goes
        with the next answer). Raises LocalProtocolError with a sentence if it cannot go
        now (MoveRefused, from session/table.py, for a slip on our move). The caller
        redraws: it knows whether it has more to say.
        """
        if self.phase is not _TALKING:
            raise LocalProtocolError(
                "No one to talk to yet." if self.phase is not _ENDED
                else "The conversation is over."
            )
        table = self._table
        if table is not None and table.playing and not literal and table.bare_move(text):
            return MOVED
        conversation = self._conversation
        assert conversation is not None
        if conversation.state is _THEIR_TURN:
            if table is not None and table.can_hold():
                table.held = text
                return HELD
            raise NotYourTurn(f"It is {self.peer_name}'s turn; wait for their message.")
        self.send_text(text)
        keeper = self._keeper
        if keeper is not None and not keeper.live:  # down, or a new one not yet resumed:
            # the message waits in the ledger and goes when the connection is back
            self.view.show_notice(f"Queued until the connection is back: {sanitize_line(text)}")
            return QUEUED
        return SENT

    def send_play(self, play: Play) -> None:
        """Send one game step (the table has checked that it may go now)."""
        self._send(play)

    def send_text(self, text: str) -> None:
        """Send our message, written to the transcript after the rules allow it and before
        it leaves: a crash (even SIGKILL) never loses from the log what the peer got."""
        conversation = self._conversation
        assert conversation is not None
        data = conversation.send_text(text)  # so it was our turn, and now it is theirs
        if self._transcript is not None:
            self._log("out", self.my_name, text)
        keeper = self._keeper  # _put, written out: this runs once a message
        if keeper is not None:
            try:
                keeper.ledger.passing(data)
            except RemoteProtocolError as error:  # the peer left too much unacknowledged
                self.connection_ended(PeerBrokeProtocol(error.reason))
                return
            if not keeper.live:
                return
        assert self._link is not None
        self._link.send(data)

    def _send(self, event: Event) -> None:
        """Say `event` on the connection; raises LocalProtocolError if the rules forbid it."""
        conversation = self._conversation
        assert conversation is not None
        my_turn = conversation.state is _MY_TURN
        data = conversation.send(event)
        self._put(data, my_turn, conversation.state is _THEIR_TURN)

    def _try_to_send(self, event: Event) -> None:
        """Say `event` if the rules still allow it (over already: there is nobody to tell)."""
        try:
            self._send(event)
        except LocalProtocolError:  # (contextlib.suppress would cost start-up an import)
            return

    def _put(self, data: bytes, my_turn: bool, theirs_now: bool) -> None:
        """Send one frame of the conversation, said on our turn or not, after which it is
        (or is still) the peer's. A resumable one numbers it and keeps it until the peer has
        it (if it passed the turn, the peer's next turn will say so); while the connection
        is down it waits there to be resent."""
        keeper = self._keeper
        if keeper is not None:
            try:
                keeper.ledger.outgoing(data, my_turn, my_turn and theirs_now)
            except RemoteProtocolError as error:  # the peer left too much unacknowledged
                self.connection_ended(PeerBrokeProtocol(error.reason))
                return
            if not keeper.live:
                return
        assert self._link is not None
        self._link.send(data)

    def refuse(self, reason: str, sentence: str) -> None:
        """The peer broke a game's rules: send ERROR(reason), close, tell our user."""
        self._send(Error(reason))
        self._end(ExitStatus.FAILED, f"{sentence}; connection closed.", we_spoke_last=True)

    def leave(self) -> None:
        """/q: leave this conversation; with --keep, the listener then waits for the next
        peer (and /q while no one is connected stops it)."""
        if self._keep and self._link is not None:
            if self.ending is None and not self._quitting:
                self._say_quit("You left the conversation.")
        else:
            self.quit()

    def quit(self) -> None:
        """Stop: tell the peer (QUIT) if there is one, and end with status 0."""
        if self.ending is not None:
            return
        self._keep = False
        if self._quitting:  # asked again while waiting for the ACK of our QUIT: go now
            self._quit_done(told=False)
            return
        if self._link is None and self._keeper is None:
            self._end(ExitStatus.ENDED, "Stopped listening." if self._conversations else
                      "Stopped listening; no peer had connected.")
            return
        try:
            self._say_quit("You left the conversation.")
        except LocalProtocolError:  # we never greeted: there is nobody to tell
            self._end(ExitStatus.ENDED, "You left before the conversation began.")

    def _say_quit(self, message: str) -> None:
        """Send QUIT and end with `message`; a resumable conversation first learns whether
        the QUIT arrived (its ACK goes just before, so the peer may forget what it kept)."""
        keeper = self._keeper
        if keeper is None:
            self._send(Quit())
            self._end(ExitStatus.ENDED, message, we_spoke_last=True)
            return
        live = keeper.live  # before sending: the send itself may find the connection gone
        if live:
            self.send_bytes(keeper.ledger.ack())
        self._send(Quit())
        self._leave_resumable(message, at_once=not live)

    def fail(self, error: Exception) -> None:
        """A bug in turnchat raised `error`: tell the peer (ERROR) rather than vanish, and
        end with a sentence. The face shows the draft, as at any ending."""
        if self.ending is not None:
            return
        self._keep = False
        if self._link is not None:
            self._try_to_send(Error(BUG_REASON))
        told = f"{self.peer_name} was told" if self._link is not None else "no peer was there"
        self._end(ExitStatus.FAILED, f"turnchat stopped because of a bug ({type(error).__name__}"
                                     f": {error}); {told}. TURNCHAT_DEBUG=1 shows the details.",
                  we_spoke_last=True)

    # -- what the peer does ----------------------------------------------------------------

    def receive_frame(self, frame: Frame) -> None:
        """A whole frame arrived on the connection: what it means in the conversation."""
        conversation = self._conversation
        assert conversation is not None
        keeper = self._keeper
        try:
            if keeper is not None and not keeper.live:  # resuming: the answer to our RESUME
                keeper.answer(frame)
                return
            event = conversation.receive_frame(frame)
        except RemoteProtocolError as error:
            self.connection_ended(PeerBrokeProtocol(error.reason))
            return
        self.receive(event)

    def receive_text(self, payload: bytes) -> None:
        """A TEXT frame that came alone on the connection (its link's way for the usual
        message): what `receive_frame` does with it, without the Frame and the event."""
        keeper = self._keeper
        if keeper is not None and not keeper.live:
            self.receive_frame(Frame(FrameType.TEXT, payload))  # resuming: the long way
            return
        try:  # (a link with a frame decoder carries a Conversation, never a text peer's)
            text = self._conversation.receive_text(payload)  # type: ignore[union-attr]
        except RemoteProtocolError as error:
            self.connection_ended(PeerBrokeProtocol(error.reason))
            return
        self._heard(text)

    def _acknowledged(self, count: int) -> None:
        keeper = self._keeper
        assert keeper is not None  # the conversation takes ACKs only when resumable
        try:
            keeper.acknowledged(count)
        except RemoteProtocolError as error:
            self.connection_ended(PeerBrokeProtocol(error.reason))
            return
        if self._quitting and keeper.ledger.all_acknowledged():
            self._quit_done(told=True)

    def connection_ended(self, event: Event) -> None:
        """The connection ended (ConnectionLost) or carried what breaks the protocol
        (PeerBrokeProtocol, answered here with ERROR). A lost connection of a resumable
        conversation is kept and resumed; anything else ends the conversation."""
        keeper = self._keeper
        if keeper is not None and isinstance(event, ConnectionLost) and self.ending is None:
            if self._link is not None:
                self._link.close(linger=False)
                self._link = None
            keeper.dropped()
            return
        if (self.resume is not None and self.redial is not None and isinstance(
                event, ConnectionLost) and self.phase is Phase.GREETING and self.ending is None):
            self._greet_again()
            return
        if isinstance(event, PeerBrokeProtocol) and self.ending is None and (
                event.reason not in _NOT_FRAMES):  # a binary frame would only garble text
            self._try_to_send(Error(event.reason))
        self.receive(event)

    def receive(self, event: Event) -> None:
        """What the peer did."""
        if self.ending is not None:
            return
        if isinstance(event, Text):
            self._heard(event.text)
            return
        name = self.peer_name
        if self._silence_timer is not None and isinstance(event, Play):
            self._silence_timer.cancel()
            self._silence_timer = None
        if isinstance(event, Play):
            self.table.receive(event)
            self.view.refresh()
        elif isinstance(event, Hello):
            self._cancel_timers()
            if self.resume is not None and event.session is not None and event.secret:
                self._keep_resumable(event.session, event.secret)
            self.phase = Phase.TALKING
            self.peer_name = display_name(event.name)
            self.view.show_notice(f"Connected to {self.peer_name} at {self.peer_origin}"
                                  f"{self._standing}.")
            self.view.refresh()
        elif isinstance(event, Acknowledged):  # resume: the peer has our frames up to here
            self._acknowledged(event.count)
        elif isinstance(event, Quit):
            if self._keeper is not None and self._link is not None:  # so the quitter knows
                self.send_bytes(self._keeper.ledger.ack())
                if self._keeper.guard is not None:
                    self._keep_tombstone(self._keeper)
            reason = sanitize_line(event.reason).strip()
            self._end(ExitStatus.ENDED,
                      f"{name} left the conversation" + (f": {reason}." if reason else "."))
        elif isinstance(event, Error):
            reason = sanitize_line(event.reason).strip() or "no reason given"
            if self.phase is Phase.GREETING:
                self._end(ExitStatus.UNREACHABLE,
                          f"{self.peer_origin} refused the conversation: {reason}.")
            else:
                self._end(ExitStatus.FAILED, f"{name} ended the conversation with an error: "
                                             f"{reason}.")
        elif isinstance(event, PeerBrokeProtocol):
            if self.phase is Phase.GREETING and event.reason in _NOT_FRAMES:
                lines = event.reason == TEXT_INSTEAD_OF_FRAMES
                self._end(ExitStatus.UNREACHABLE,
                          f"cannot talk with {self.peer_origin}: it answered in plain text"
                          f"{'' if lines else ' without a line end'}, not turnchat frames "
                          f"({_LINE_HINT if lines else _RAW_HINT}).")
                return
            self._end(ExitStatus.FAILED,
                      f"{name} broke the protocol ({sanitize_line(event.reason)}); "
                      "connection closed.", we_spoke_last=True)
        elif isinstance(event, ConnectionLost):
            if self.phase is Phase.GREETING:  # it took our HELLO and hung up: not turnchat
                self._end(ExitStatus.UNREACHABLE,
                          f"cannot talk with {self.peer_origin}: the program there closed the "
                          f"connection without greeting, so it is likely not turnchat "
                          f"({_EITHER_HINT}).")
            elif self.mode is _FRAMES:
                self._end(ExitStatus.FAILED, f"Connection to {name} lost.")
            else:  # a text peer leaves by closing: nc's Ctrl-C or Ctrl-D
                self._end(ExitStatus.ENDED, f"The {name} at {self.peer_origin} closed the "
                                            "connection.")

    def _heard(self, text: str) -> None:
        """The peer's message (the turn is ours now): logged, and shown sanitised."""
        if self.ending is not None:
            return
        if self._silence_timer is not None:
            self._silence_timer.cancel()
            self._silence_timer = None
        name = self.peer_name
        if self._transcript is not None:
            self._log("in", name, text)
        self.view.show_message(name, sanitize(text))
        if self._table is not None and self._table.held is not None:
            self._table.peer_talked()
        self.view.refresh()

    def _keep_tombstone(self, keeper: Keeper) -> None:
        """Listener: the peer quit. For a few seconds a RESUME of this session is still
        answered with our count (and nothing resent), in case the connection dropped
        before our ACK of its QUIT arrived; the tombstone ends early when the peer closes
        its connection after reading the ACK."""
        from turnchat.session.resuming import TOMBSTONE_SECONDS

        self._tomb = keeper

        def bury() -> None:  # a one-shot listener closes by itself (close(linger=...))
            if self._tomb is keeper:
                self._tomb = None

        self.clock.call_later(TOMBSTONE_SECONDS, bury)

    def _keep_resumable(self, session: str, secret: str) -> None:
        """Connector: the listener made the conversation resumable; confirm with ACK 0."""
        from turnchat.session.resuming import Keeper
        from turnchat.wire.resume import Ticket

        assert self.resume is not None
        assert self._conversation is not None
        self._conversation.acknowledging = True
        keeper = self._keeper = Keeper(self, self.clock, self.resume, Ticket(session, secret),
                                       self._conversation, listener=False)
        keeper.redial = self.redial
        self.send_bytes(keeper.ledger.ack())

    def _greet_again(self) -> None:
        """Connector: the connection dropped before the listener's HELLO: dial and greet
        again, until the greeting's time is up."""
        assert self.redial is not None
        if self._link is not None:
            self._link.close(linger=False)
            self._link = None

        def connected(connection: Connection) -> None:
            self._redial_handle = None
            if self.ending is not None:
                connection.close(linger=False)
                return
            self._link, self._conversation = connection, Conversation(Role.CONNECTOR)
            self._send(Hello(self.my_name, games=self.games, resume=True))

        def failed(sentence: str, final: bool) -> None:
            self._redial_handle = None
            if self.ending is None:
                self._redial_handle = self.clock.call_later(0.5, self._greet_again)

        self._redial_handle = self.redial(connected, failed)

    def _log(self, direction: str, sender: str, text: str) -> None:
        assert self._transcript is not None
        self._transcript.record(direction, sender, text, self.mode, self.peer_origin)

    # -- ending ----------------------------------------------------------------------------

    def _cancel_timers(self) -> None:
        if self._redial_handle is not None:
            self._redial_handle.cancel()
            self._redial_handle = None
        if self._greeting_timer is not None:
            self._greeting_timer.cancel()
            self._greeting_timer = None
        if self._silence_timer is not None:
            self._silence_timer.cancel()
            self._silence_timer = None

    def _end(self, status: ExitStatus, message: str, we_spoke_last: bool = False) -> None:
        if self._table is not None and self._table.held is not None:  # never lose what was typed
            self.view.show_notice(f"Not sent (no answer was due before the end): "
                                  f"{self._table.held}")
            self._table.held = None
        self._cancel_timers()
        if self._keeper is not None:
            self._keeper.cancel()
        if self._quit_timer is not None:
            self._quit_timer.cancel()
            self._quit_timer = None
        self._quitting = ""
        if self._transcript is not None:
            self._transcript.note("end", message, self.peer_origin, status=int(status))
        tomb = self._tomb is not None
        if self._link is not None:
            # A plain-text peer (nc) does not close when we do: waiting for it would only
            # delay every ending by LINGER_SECONDS. After a QUIT we keep a tombstone for,
            # we wait for the quitter to close: then it has our ACK, and the tombstone goes.
            farewell = self._link.close(linger=(we_spoke_last or tomb) and self.mode is _FRAMES)
            if tomb and farewell is not None:
                farewell.on_finished(lambda: self._peer_closed(farewell))
        if self._keep and self._listener is not None:
            self._wait_for_next_peer(status, message)
            return
        self.ending = Ending(status, message)
        self.phase = Phase.ENDED
        if self._listener is not None:
            linger = 0.0
            if tomb:  # imported only then: resume's modules cost every start-up otherwise
                from turnchat.session.resuming import TOMBSTONE_SECONDS

                linger = TOMBSTONE_SECONDS
            self._listener.close(linger=linger)
        if self._transcript is not None:
            self._transcript.close()
        self.view.finish(self.ending)

    def _peer_closed(self, farewell: Closing) -> None:
        """The last connection is closed: if the quitter closed it, it read our ACK, and
        the tombstone can go at once."""
        if farewell.peer_closed and self._tomb is not None:
            self._tomb = None
            if self._listener is not None and not self._keep and self.ending is not None:
                self._listener.close()

    def _wait_for_next_peer(self, status: ExitStatus, message: str) -> None:
        """--keep: say how this conversation ended, forget the peer, and listen again."""
        assert self._listener is not None
        self.view.show_notice(message if status is ExitStatus.ENDED else f"turnchat: {message}")
        self._link = self._conversation = None
        self._keeper = None
        self._table = None
        self.peer_name = "peer"
        self.peer_origin = ""
        self.phase = Phase.WAITING
        self._listener.reopen()
        self.view.show_notice(f"Listening on {' and '.join(self.listening_on)}; waiting for "
                              "the next peer.")
        self.view.refresh()


class _Recorded:
    """The face's view, with every notice and game line also written to the transcript:
    --log tells who connected, the games and how it ended, not only the messages."""

    def __init__(self, view: ChatView, transcript: Transcript, chat: Chat) -> None:
        self._view, self._transcript, self._chat = view, transcript, chat

    def show_message(self, sender: str, text: str) -> None:
        self._view.show_message(sender, text)

    def show_notice(self, text: str) -> None:
        self._transcript.note("notice", text, self._chat.peer_origin)
        self._view.show_notice(text)

    def show_game(self, text: str) -> None:
        self._transcript.note("game", text, self._chat.peer_origin)
        self._view.show_game(text)

    def refresh(self) -> None:
        self._view.refresh()

    def finish(self, ending: Ending) -> None:
        self._view.finish(ending)

"""The conversation as both faces see it: who the peer is, whose turn it is, how it ends.

`Chat` sits between the socket side (a `Listener` or a connected socket, then a `Link`) and
a face (`ChatView`). It turns protocol events into what a person is shown, with every peer
string sanitised here, once, and decides each ending's exit status and sentence. A face
only draws, and hands back what the user typed through `say` and `quit`.
"""

import socket
from dataclasses import dataclass
from enum import Enum, auto
from typing import TYPE_CHECKING, Protocol

from faces.ending import ExitStatus
from faces.sanitize import sanitize, sanitize_line
from net.link import Link, PeerBrokeProtocol
from net.reactor import Reactor, TimerHandle
from roles.listener import Listener
from roles.starting import Start
from wire import (
    ConnectionLost,
    Conversation,
    Error,
    Event,
    Hello,
    LocalProtocolError,
    Play,
    Quit,
    Role,
    State,
    Text,
)
from wire.limits import MAX_NAME_CHARS

if TYPE_CHECKING:
    from faces.table import GameTable


@dataclass(frozen=True, slots=True)
class Ending:
    """How the conversation ended: the exit status, and one sentence for the user."""

    status: ExitStatus
    message: str


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

# What `Chat.say` did with a line.
SENT, MOVED, HELD = "sent as a message", "made as a move", "held for the next answer"


def display_name(name: str) -> str:
    """The peer's chosen name made safe and short enough to prefix every line."""
    shown = sanitize_line(name).strip()
    if len(shown) > MAX_NAME_CHARS:
        shown = shown[: MAX_NAME_CHARS - 1] + "…"
    return shown or "peer"


class Chat:
    """One conversation from our user's side, from waiting or connecting to its end."""

    def __init__(
        self, reactor: Reactor, my_name: str, view: ChatView, handshake_seconds: float
    ) -> None:
        self.reactor = reactor
        self.my_name = my_name
        self.view = view
        self.handshake_seconds = handshake_seconds
        self.peer_name = "peer"
        self.peer_origin = ""
        self.listening_on: list[str] = []
        self.ending: Ending | None = None
        self._link: Link | None = None
        self._listener: Listener | None = None
        self._greeting_timer: TimerHandle | None = None
        self.phase = Phase.WAITING
        self._table: GameTable | None = None  # made when a game is first touched

    # -- beginning -------------------------------------------------------------------------

    def begin(self, start: Start) -> None:
        """Start waiting on the listener, or greet through the connected socket."""
        if start.listener is not None:
            self._listen(start.listener)
        else:
            assert start.connected is not None
            self._connect(start.connected, start.origin)

    def _listen(self, listener: Listener) -> None:
        self._listener = listener
        self.listening_on = listener.addresses
        listener.start(self.reactor, self._peer_found, self.view.show_notice,
                       self.handshake_seconds)
        self.view.show_notice(
            f"Listening on {' and '.join(listener.addresses)}; waiting for a peer."
        )

    def _connect(self, sock: socket.socket, origin: str) -> None:
        self.peer_origin = origin
        self.phase = Phase.GREETING
        self._link = Link(self.reactor, sock, Conversation(Role.CONNECTOR), self._on_event)
        self._greeting_timer = self.reactor.call_later(self.handshake_seconds, self._no_answer)
        self._link.send(Hello(self.my_name))

    def _peer_found(self, sock: socket.socket, conversation: Conversation, origin: str) -> None:
        assert conversation.peer_hello is not None
        self.peer_origin = origin
        self.peer_name = display_name(conversation.peer_hello.name)
        self._link = Link(self.reactor, sock, conversation, self._on_event)
        self._link.send(Hello(self.my_name))
        self.phase = Phase.TALKING
        self.view.show_notice(f"{self.peer_name} connected from {origin}.")
        self.view.refresh()
        self._link.deliver_buffered()

    def _no_answer(self) -> None:
        self._end(ExitStatus.UNREACHABLE,
                  f"cannot talk with {self.peer_origin}: no turnchat greeting within "
                  f"{self.handshake_seconds:g} s.")

    # -- what the face asks ----------------------------------------------------------------

    @property
    def table(self) -> "GameTable":
        """The games of this conversation; loaded on first use, so a chat that plays no
        game never imports them."""
        if self._table is None:
            from faces.table import GameTable

            self._table = GameTable(self)
        return self._table

    def can_hold(self) -> bool:
        """Whether a message typed off our turn can wait for our next automatic move."""
        return self._table is not None and self._table.can_hold()

    @property
    def my_turn(self) -> bool:
        link = self._link
        return link is not None and self.phase is _TALKING and (
            link.conversation.state is _MY_TURN)

    def say(self, text: str) -> str:
        """Send one line: a message, or the move it is in the game on the table.

        Returns SENT, MOVED, or HELD (a hangman setter's message off its turn, which goes
        with the next answer). Raises LocalProtocolError with a sentence if it cannot go
        now. The caller redraws: it knows whether it has more to say.
        """
        link = self._link
        if self.phase is not _TALKING:
            raise LocalProtocolError(
                "No one to talk to yet." if self.phase is not _ENDED
                else "The conversation is over."
            )
        assert link is not None
        table = self._table
        if table is not None and table.playing and table.bare_move(text):
            return MOVED
        if link.conversation.state is _THEIR_TURN:
            if table is not None and table.can_hold():
                table.held = text
                return HELD
            raise LocalProtocolError(f"It is {self.peer_name}'s turn; wait for their message.")
        link.send(Text(text))
        return SENT

    def send_play(self, play: Play) -> None:
        """Send one game step (the table has checked that it may go now)."""
        assert self._link is not None
        self._link.send(play)

    def send_text(self, text: str) -> None:
        """Send a message the user typed earlier (hangman's held message)."""
        assert self._link is not None
        self._link.send(Text(text))

    def refuse(self, reason: str, sentence: str) -> None:
        """The peer broke a game's rules: send ERROR(reason), close, tell our user."""
        assert self._link is not None
        self._link.send(Error(reason))
        self._end(ExitStatus.FAILED, f"{sentence}; connection closed.", we_spoke_last=True)

    def quit(self) -> None:
        """Leave: tell the peer (QUIT) if there is one, and end with status 0."""
        if self.ending is not None:
            return
        if self._link is None:
            self._end(ExitStatus.ENDED, "Stopped listening; no peer had connected.")
            return
        try:
            self._link.send(Quit())
            self._end(ExitStatus.ENDED, "You left the conversation.", we_spoke_last=True)
        except LocalProtocolError:  # we never greeted: there is nobody to tell
            self._end(ExitStatus.ENDED, "You left before the conversation began.")

    # -- what the peer does ----------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if self.ending is not None:
            return
        name = self.peer_name
        if isinstance(event, Text):
            self.view.show_message(name, sanitize(event.text))
            if self._table is not None and self._table.held is not None:
                self._table.peer_talked()
            self.view.refresh()
        elif isinstance(event, Play):
            self.table.receive(event)
            self.view.refresh()
        elif isinstance(event, Hello):
            self._cancel_greeting_timer()
            self.phase = Phase.TALKING
            self.peer_name = display_name(event.name)
            self.view.show_notice(f"Connected to {self.peer_name} at {self.peer_origin}.")
            self.view.refresh()
        elif isinstance(event, Quit):
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
            self._end(ExitStatus.FAILED,
                      f"{name} broke the protocol ({sanitize_line(event.reason)}); "
                      "connection closed.", we_spoke_last=True)
        elif isinstance(event, ConnectionLost):
            self._end(ExitStatus.FAILED, f"Connection to {name} lost.")

    # -- ending ----------------------------------------------------------------------------

    def _cancel_greeting_timer(self) -> None:
        if self._greeting_timer is not None:
            self._greeting_timer.cancel()
            self._greeting_timer = None

    def _end(self, status: ExitStatus, message: str, we_spoke_last: bool = False) -> None:
        if self._table is not None and self._table.held is not None:  # never lose what was typed
            self.view.show_notice(f"Not sent (no answer was due before the end): "
                                  f"{self._table.held}")
            self._table.held = None
        self.ending = Ending(status, message)
        self.phase = Phase.ENDED
        self._cancel_greeting_timer()
        if self._link is not None:
            self._link.close(linger=we_spoke_last)
        if self._listener is not None:
            self._listener.close()
        self.view.finish(self.ending)

"""Keeping a conversation across dropped connections: the session's side of resume.

The wire has the numbers and the handshake (wire/resume.py); this module decides when a
connection is lost and what to do about it. A `Keeper` belongs to one conversation that
both sides agreed to make resumable (the HELLOs said so), and holds its `Ledger`. It
runs the heartbeat: a side that has sent nothing for one interval sends an ACK, and a
connection silent for SILENT_BEATS intervals is dead (how NAT timeouts and sleeping
laptops look). When the connection is lost, the connector redials with backoff and sends
RESUME; the listener waits for it (its doorway hands RESUMEs here). Both give up when the
window runs out. The conversation (wire/conversation.py) sees every frame once, in order,
and never learns that a connection dropped.

Where it is: LIVE (a connection carries the conversation), AWAY (none does), RESUMING (the
connector sent RESUME on a new connection and waits for the answer; nothing else goes).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import Enum, auto

from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.frames import Frame, FrameType
from turnchat.wire.resume import (
    BAD_RESUME_COUNT,
    CountsReceived,
    Ledger,
    ResumeGuard,
    ResumeRequest,
    Ticket,
    check_answer,
    encode_request,
    new_nonce,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from turnchat.session.ports import Clock, Connection, Timer

    Redial = Callable[[Callable[[Connection], None], Callable[[str, bool], None]], Timer]
    """The connector's way to a new connection (roles/starting.py): call it with what to
    do with the connection, and what to do on failure (a sentence, and whether trying
    again is pointless); it returns a handle that cancels the attempt."""

    Rejoin = Callable[[Callable[[], None], Callable[[str, bool], None]], Timer]
    """The listener's way back when it met its peer through a relay (roles/starting.py): it
    must dial the relay too. Call it with what to do once a connection is on its way to the
    doorway (whose RESUME then comes in as any other), and on failure; it returns a handle
    that cancels the attempt."""
else:  # the interfaces below are for the type checker; typing would cost start-up time
    Protocol = object

DEFAULT_WINDOW_SECONDS = 300.0  # how long a dropped conversation is kept (--resume SECONDS)
DEFAULT_HEARTBEAT_SECONDS = 30.0  # an ACK after this much of our silence (--heartbeat)
SILENT_BEATS = 3  # intervals without a byte from the peer: the connection is dead
FIRST_REDIAL_SECONDS = 0.5  # the connector's pause after a failed attempt, doubled up to
LAST_REDIAL_SECONDS = 15.0  # this, each with up to a quarter more at random (jitter)
QUIT_ACK_SECONDS = 2.0  # a quitter waits this long to learn that its QUIT arrived
# After the peer's QUIT the listener still answers its RESUME this long (a tombstone), so a
# quitter whose connection dropped before our ACK learns that its QUIT arrived.
TOMBSTONE_SECONDS = QUIT_ACK_SECONDS + 1.0



class ResumeSettings:
    """--resume and --heartbeat: how long to keep a dropped conversation, how often to beat.
    (A plain class, not a dataclass: importing dataclasses costs every start.)"""

    __slots__ = ("heartbeat", "window")

    def __init__(self, window: float = DEFAULT_WINDOW_SECONDS,
                 heartbeat: float = DEFAULT_HEARTBEAT_SECONDS) -> None:
        self.window = window
        self.heartbeat = heartbeat


class KeptChat(Protocol):
    """What the keeper needs of the chat (session/chat.py) it keeps."""

    peer_name: str
    handshake_seconds: float

    @property
    def my_turn(self) -> bool: ...

    @property
    def view(self) -> ShowsNotices: ...

    def send_bytes(self, data: bytes) -> None: ...

    def use_connection(self, connection: Connection) -> None: ...

    def link_dead(self) -> None: ...

    def resumed(self) -> None: ...

    def gave_up(self, lost: str, why: str = "") -> None: ...


class ShowsNotices(Protocol):
    def show_notice(self, text: str) -> None: ...

    def refresh(self) -> None: ...


class Where(Enum):
    LIVE = auto()
    AWAY = auto()
    RESUMING = auto()


def duration(seconds: float) -> str:
    """A window as people say it: "5 min", "90 s"."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


class Keeper:
    """One resumable conversation, seen from one side, across its connections."""

    def __init__(self, chat: KeptChat, clock: Clock, settings: ResumeSettings, ticket: Ticket,
                 counts: CountsReceived, listener: bool) -> None:
        self.chat = chat
        self.clock = clock
        self.settings = settings
        self.ticket = ticket
        self.ledger = Ledger(counts)
        self.guard = ResumeGuard(ticket) if listener else None
        self.live = True
        self._where = Where.LIVE
        self._confirmed = not listener  # listener: the connector acknowledged our HELLO
        self.attempts = 0  # connector: redials since the drop
        self.status = ""  # one sentence while not LIVE, for the toolbar
        self._other = 0  # frames heard that are not data: ACKs, answers to our RESUME
        self.said = 0  # sends of our own frames (ACK, RESUME, resends); with the ledger's
        # count of data frames, what the heartbeat looks at for change
        self._beat_heard = self._beat_said = 0
        self._silent_beats = 0
        self._beat: Timer | None = None
        self._window: Timer | None = None
        self._attempt: Timer | None = None  # connector: the pause, or a dial under way
        self._nonce = ""
        self._resent = 0
        self.redial: Redial | None = None  # connector only
        self.rejoin: Rejoin | None = None  # listener met through a relay only
        self._schedule_beat()

    @property
    def heard(self) -> int:
        """Frames that arrived on any connection; the heartbeat looks for change."""
        return self._other + self.ledger.received

    def acknowledged(self, count: int) -> None:
        """The peer's ACK: forget what it covers. Raises RemoteProtocolError for a count
        below an earlier one or above what we sent."""
        self._other += 1
        self.ledger.acknowledge(count)

    @property
    def confirmed(self) -> bool:
        """Listener: the connector has our HELLO (it sent something on the session since)."""
        return self._confirmed or self.heard > 0

    @property
    def where(self) -> Where:
        return self._where

    @where.setter
    def where(self, where: Where) -> None:
        self._where = where
        # A connection carries the conversation (not down, not waiting for RESUME's
        # answer): a plain attribute, read for every frame.
        self.live = where is Where.LIVE

    # -- the heartbeat ---------------------------------------------------------------------

    def _schedule_beat(self) -> None:
        self._beat = self.clock.call_later(self.settings.heartbeat, self._tick)

    def _tick(self) -> None:
        self._beat = None
        if self.where is not Where.LIVE:
            return
        if self.heard == self._beat_heard:
            self._silent_beats += 1
        else:
            self._silent_beats = 0
        if self._silent_beats >= SILENT_BEATS:
            self.chat.link_dead()
            return
        if self.said + self.ledger.sent == self._beat_said:
            self.chat.send_bytes(self.ledger.ack())
        self._beat_heard, self._beat_said = self.heard, self.said + self.ledger.sent
        self._schedule_beat()

    # -- losing the connection -------------------------------------------------------------

    def dropped(self) -> None:
        """The connection is gone: keep the conversation for the window, and get it back."""
        was_live, self.where = self.where is Where.LIVE, Where.AWAY
        if self._window is None:
            self._window = self.clock.call_later(self.settings.window, self._give_up)
        if self.guard is None:
            if was_live:  # a drop while resuming is one more failed attempt
                self.attempts = 0
            self._next_attempt(0.0 if was_live else self._pause())
        else:
            self.status = (f"{self.chat.peer_name}'s connection dropped; waiting up to "
                           f"{duration(self.settings.window)} (/q to stop waiting).")
            self.chat.view.show_notice(self.status)
            self.chat.view.refresh()
            if self.rejoin is not None and was_live:
                self.attempts = 0
                self._rejoin_after(0.0)

    def _rejoin_after(self, pause: float) -> None:
        """Listener through a relay: go back to the relay after `pause`, until the peer's
        RESUME has taken the conversation up (or the window is over)."""
        if self._attempt is not None:
            self._attempt.cancel()
        self._attempt = self.clock.call_later(pause, self._rejoin_now)

    def _rejoin_now(self) -> None:
        self._attempt = None
        if self.where is Where.LIVE or self._window is None or self.rejoin is None:
            return
        self.attempts += 1

        def again(pause: float) -> None:
            self._attempt = None
            if self.where is not Where.LIVE and self._window is not None:
                self._rejoin_after(pause)

        # Met at the relay: the peer's RESUME follows on that connection, so go back only
        # if it has not taken the conversation up by the time a greeting may take.
        self._attempt = self.rejoin(lambda: again(self.chat.handshake_seconds),
                                    lambda sentence, final: again(self._pause()))

    def _give_up(self) -> None:
        self._window = None
        self.chat.gave_up(self.lost_messages())

    def lost_messages(self) -> str:
        """What we sent that the peer never acknowledged, to end the last sentence with."""
        if self.chat.my_turn:  # the peer gave the turn back: it has what passed it to them
            self.ledger.turn_came_back()
        lost = self.ledger.unacknowledged_texts()
        return "" if not lost else "; may not have been delivered: " + "; ".join(
            repr(text) for text in lost)

    # -- the connector: redialing ----------------------------------------------------------

    def _next_attempt(self, pause: float) -> None:
        self.attempts += 1
        self.status = (f"Connection to {self.chat.peer_name} lost; reconnecting (attempt "
                       f"{self.attempts}{f', next in {pause:.0f} s' if pause >= 1 else ''}). "
                       "What you type is kept.")
        self.chat.view.show_notice(self.status)
        self.chat.view.refresh()
        self._attempt = self.clock.call_later(pause, self._dial)

    def _dial(self) -> None:
        assert self.redial is not None
        self._attempt = self.redial(self._connected, self._failed)

    def _failed(self, sentence: str, final: bool) -> None:
        self._attempt = None
        if self.where is not Where.AWAY:
            return
        if final:
            self.chat.gave_up(self.lost_messages(), sentence)
            return
        self._next_attempt(self._pause())

    def _pause(self) -> float:
        """0.5 s doubling to 15 s, with up to a quarter more at random (jitter)."""
        pause = min(FIRST_REDIAL_SECONDS * 2 ** (self.attempts - 1), LAST_REDIAL_SECONDS)
        return pause * (1 + os.urandom(1)[0] / 1024)

    def _connected(self, connection: Connection) -> None:
        """A new connection: ask to resume, and send nothing else until the answer."""
        self._attempt = None
        self.where = Where.RESUMING
        self._nonce = new_nonce()
        self.chat.use_connection(connection)
        self.chat.send_bytes(encode_request(self.ticket, self.ledger.received, self._nonce))

    def answer(self, frame: Frame) -> None:
        """The first frame on the new connection: the listener's RESUME, or ERROR."""
        self._other += 1
        if frame.type is FrameType.ERROR:
            reason = frame.payload.decode(errors="replace")
            self.chat.gave_up(self.lost_messages(), _refusal(self.chat.peer_name, reason))
            return
        if frame.type is not FrameType.RESUME:
            raise RemoteProtocolError(f"{frame.type.name} where the RESUME answer belongs")
        count = check_answer(self.ticket, self._nonce, frame.payload)
        self._resumed(self.ledger.resend_after(count))

    def _resumed(self, resend: bytes) -> None:
        self.where = Where.LIVE
        self._silent_beats = 0
        self.status = ""
        frames = self.ledger.unacknowledged
        if resend:
            self.chat.send_bytes(resend)
        if self._window is not None:
            self._window.cancel()
            self._window = None
        if self.rejoin is not None and self._attempt is not None:  # a spare trip to the relay
            self._attempt.cancel()
            self._attempt = None
        if self._beat is None:
            self._schedule_beat()
        who = "Reconnected" if self.guard is None else f"{self.chat.peer_name} reconnected"
        self.chat.view.show_notice(
            f"{who}; {frames} message{'' if frames == 1 else 's'} re-sent.")
        self.chat.view.refresh()
        self.chat.resumed()

    # -- the listener: taking a RESUME -----------------------------------------------------

    def offered(self, request: ResumeRequest, take: Callable[[], Connection]) -> str | None:
        """A new connection opened with `request`. Take it (the newest valid one wins, even
        over a connection that still looks alive) and return None, or return the ERROR
        reason it gets; a refused RESUME leaves the conversation untouched."""
        assert self.guard is not None
        try:
            self.guard.check(request)
        except RemoteProtocolError as error:
            return error.reason
        ledger = self.ledger
        if not ledger.acknowledged <= request.count <= ledger.sent:
            return BAD_RESUME_COUNT
        self._confirmed = True
        connection = take()
        self.chat.use_connection(connection)  # the old connection, if any, is cut, unread
        answer = self.guard.answer(request, ledger.received)
        self.chat.send_bytes(answer + self.ledger.resend_after(request.count))
        self._resumed(b"")
        connection.deliver_buffered()
        return None

    # -- ending ----------------------------------------------------------------------------

    def cancel(self) -> None:
        """The conversation is over: no more beats, dials or waiting."""
        for timer in (self._beat, self._window, self._attempt):
            if timer is not None:
                timer.cancel()
        self._beat = self._window = self._attempt = None
        self.where = Where.AWAY
        self.status = ""


def _refusal(peer: str, reason: str) -> str:
    if reason == "unknown session":
        return (f"{peer}'s turnchat no longer has this conversation (unknown session: it was "
                "restarted?); not resumed")
    if reason == "session expired":
        return f"{peer}'s turnchat stopped waiting for us (session expired); not resumed"
    return f"{peer} refused to resume the conversation ({reason})"

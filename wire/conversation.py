"""The one state machine of a conversation, the same for both roles.

States are an Enum and the legal moves are one table, `_TRANSITIONS`: (state, who, frame)
to the next state. The two roles differ only in where they start: the connector must greet
first (SEND_HELLO), the listener waits to be greeted (AWAIT_HELLO). After both HELLOs the
connector holds the first turn, and each TEXT hands the turn over. QUIT may be sent by a
side that has greeted, ERROR by anyone, and both end the conversation for good. GAME frames
(the games extension) move the turn by their kind, as wire/play.py says; what they mean in
a game is for the games layer.

The object never touches a socket: `send(event)` returns the bytes to write, and
`receive_frame(frame)` turns a frame that arrived into an event. It outlives any one
connection: the decoder that cuts a connection's bytes into frames (wire/frames.py) belongs
to that connection, and what a lost connection means is for the session to decide.
"""

from __future__ import annotations

from enum import Enum, auto

from turnchat.wire.errors import LocalProtocolError, RemoteProtocolError
from turnchat.wire.events import Acknowledged, Error, Event, Hello, Play, Quit, Text
from turnchat.wire.frames import Frame, FrameType, encode_frame
from turnchat.wire.hello import decode_hello, encode_hello
from turnchat.wire.limits import MAX_PAYLOAD, over_the_limit
from turnchat.wire.modes import Mode
from turnchat.wire.play import MOVE_KEEPING_TURN, decode_play, encode_play, turn_step


class Role(Enum):
    CONNECTOR = auto()  # opened the connection; greets first and speaks first
    LISTENER = auto()  # accepted the connection; answers the greeting


class State(Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's own hash runs Python code

    SEND_HELLO = auto()  # connector: nothing sent yet, our HELLO comes first
    AWAIT_ANSWER = auto()  # connector: our HELLO is out, waiting for the listener's
    AWAIT_HELLO = auto()  # listener: waiting for the connector's HELLO
    ANSWER_HELLO = auto()  # listener: greeted, our HELLO must answer
    MY_TURN = auto()
    THEIR_TURN = auto()
    BROKEN = auto()  # the peer broke the protocol: only our ERROR may follow
    CLOSED = auto()  # final: someone quit, or someone refused the other


class _Who(Enum):
    __hash__ = object.__hash__

    US = auto()
    PEER = auto()


US, PEER = _Who.US, _Who.PEER
_OPEN = (State.SEND_HELLO, State.AWAIT_ANSWER, State.AWAIT_HELLO, State.ANSWER_HELLO,
         State.MY_TURN, State.THEIR_TURN)
_FINAL = (State.BROKEN, State.CLOSED)
_GREETED_US = (State.ANSWER_HELLO, State.MY_TURN, State.THEIR_TURN)  # the peer's HELLO is in
_WE_GREETED = (State.AWAIT_ANSWER, State.MY_TURN, State.THEIR_TURN)  # our HELLO is out

_TALKING = (State.MY_TURN, State.THEIR_TURN)
# GAME steps (wire/play.py) by what they do to the turn. Each is made on the sender's turn
# except "reveal" (hangman's opening after the guesser resigned), which may come any time.
_ENDS_TURN = ("offer", "move")  # as TEXT does
_KEEPS_TURN = ("accept", "decline", "resign", MOVE_KEEPING_TURN)  # the sender goes on

# (state, who sends, frame type or GAME step) -> the next state; what is not here is refused.
_TRANSITIONS: dict[tuple[State, _Who, FrameType | str], State] = {
    (State.SEND_HELLO, US, FrameType.HELLO): State.AWAIT_ANSWER,
    (State.AWAIT_ANSWER, PEER, FrameType.HELLO): State.MY_TURN,
    (State.AWAIT_HELLO, PEER, FrameType.HELLO): State.ANSWER_HELLO,
    (State.ANSWER_HELLO, US, FrameType.HELLO): State.THEIR_TURN,
    (State.MY_TURN, US, FrameType.TEXT): State.THEIR_TURN,
    (State.THEIR_TURN, PEER, FrameType.TEXT): State.MY_TURN,
    **{(state, US, FrameType.QUIT): State.CLOSED for state in _WE_GREETED},
    **{(state, PEER, FrameType.QUIT): State.CLOSED for state in _GREETED_US},
    **{(state, who, FrameType.ERROR): State.CLOSED for state in _OPEN for who in _Who},
    (State.BROKEN, US, FrameType.ERROR): State.CLOSED,
    **{(State.MY_TURN, US, step): State.THEIR_TURN for step in _ENDS_TURN},
    **{(State.THEIR_TURN, PEER, step): State.MY_TURN for step in _ENDS_TURN},
    **{(State.MY_TURN, US, step): State.MY_TURN for step in _KEEPS_TURN},
    **{(State.THEIR_TURN, PEER, step): State.THEIR_TURN for step in _KEEPS_TURN},
    **{(state, who, "reveal"): state for state in _TALKING for who in _Who},
}

# Python 3.11 resolves every `Enum.MEMBER` through EnumType.__getattr__'s slow hook (3.12
# dropped it): the per-message path below compares with these module names instead.
_TEXT, _HELLO, _ERROR, _GAME = FrameType.TEXT, FrameType.HELLO, FrameType.ERROR, FrameType.GAME
_ACK = FrameType.ACK

_FRAME_OF = {Hello: FrameType.HELLO, Text: FrameType.TEXT, Quit: FrameType.QUIT,
             Error: FrameType.ERROR, Play: FrameType.GAME}


class Conversation:
    """One side of one conversation: events in, bytes out, and the turn rules between."""

    mode = Mode.FRAMES

    def __init__(self, role: Role) -> None:
        self.role = role
        self.state = State.SEND_HELLO if role is Role.CONNECTOR else State.AWAIT_HELLO
        self.peer_hello: Hello | None = None
        # The resume extension (wire/resume.py) numbers data frames (TEXT, GAME, QUIT) each
        # way; the ones received are counted here, where each is classified anyway.
        self.received = 0
        self.acknowledging = False  # resumable: ACK frames are taken, as Acknowledged

    # -- sending ---------------------------------------------------------------------------

    def send(self, event: Event) -> bytes:
        """Return the bytes that say `event`, or raise LocalProtocolError and change nothing."""
        if type(event) is Text:
            return self.send_text(event.text)
        frame_type = _FRAME_OF.get(type(event))
        if frame_type is None:
            raise TypeError(f"cannot send {event!r}")
        payload = self._payload_of(event)
        step: FrameType | str = frame_type
        if frame_type is _GAME:
            assert isinstance(event, Play)
            step = turn_step(event)
        next_state = _TRANSITIONS.get((self.state, US, step))
        if next_state is None:
            raise LocalProtocolError(self._why_not(frame_type))
        self.state = next_state
        return encode_frame(frame_type, payload)

    def send_text(self, text: str) -> bytes:
        """`send(Text(text))`, the usual case, without making the event: a message of ours
        on our turn, which hands the turn over."""
        payload = text.encode()
        if not text or text.isspace():
            raise LocalProtocolError("An empty message is not sent.")
        if len(payload) > MAX_PAYLOAD:
            raise LocalProtocolError(f"The message is {over_the_limit(len(payload))}.")
        next_state = _TRANSITIONS.get((self.state, US, _TEXT))
        if next_state is None:
            raise LocalProtocolError(self._why_not(_TEXT))
        self.state = next_state
        return encode_frame(_TEXT, payload)

    @staticmethod
    def _payload_of(event: Event) -> bytes:
        if isinstance(event, Hello):
            payload = encode_hello(event)
        elif isinstance(event, Play):
            payload = encode_play(event)
        else:
            assert isinstance(event, Quit | Error)
            # A reason is a courtesy: cut it to fit rather than fail to leave.
            payload = event.reason.encode()[:MAX_PAYLOAD].decode(errors="ignore").encode()
        if len(payload) > MAX_PAYLOAD:
            raise LocalProtocolError(f"The {'game step' if isinstance(event, Play) else 'greeting'}"
                                     f" is over {MAX_PAYLOAD} bytes.")
        return payload

    def _why_not(self, frame_type: FrameType) -> str:
        if self.state in _FINAL:
            return "The conversation is over."
        if frame_type in (FrameType.TEXT, FrameType.GAME):
            if self.state is State.THEIR_TURN:
                return "It is not your turn."
            return "The conversation has not started yet."
        if frame_type is FrameType.QUIT:
            return "Cannot quit before greeting the peer."
        return f"{frame_type.name} is not allowed now ({self.state.name})."

    # -- receiving -------------------------------------------------------------------------

    def receive_frame(self, frame: Frame) -> Event:
        """Return the event that `frame` from the peer is.

        Raises RemoteProtocolError if the peer broke the protocol; the state is then
        BROKEN, and the reason belongs in the ERROR we send back: `send(Error(reason))` is
        the one thing still allowed.
        """
        if frame.type is _TEXT:
            return Text(self.receive_text(frame.payload))
        if self.state in _FINAL:
            if frame.type is _ACK and self.acknowledging:  # the ACK of our QUIT
                return self._acknowledged(frame.payload)
            raise RemoteProtocolError("a frame after the conversation ended")
        try:
            return self._apply_received(*frame)
        except RemoteProtocolError:
            self.state = State.BROKEN
            raise

    def _apply_received(self, frame_type: FrameType, payload: bytes) -> Event:
        if frame_type is _GAME:
            return self._receive_play(payload)
        next_state = _TRANSITIONS.get((self.state, PEER, frame_type))
        if next_state is None:
            if frame_type is _ACK and self.acknowledging and self.state in _TALKING:
                return self._acknowledged(payload)  # it changes no state: here, off the path
            raise RemoteProtocolError(self._why_refused(frame_type))
        if frame_type is _ERROR:
            event: Event = Error(payload.decode(errors="replace"))  # already failing: be lenient
        else:
            try:
                text = payload.decode()
            except UnicodeDecodeError:
                raise RemoteProtocolError(f"invalid UTF-8 in {frame_type.name}") from None
            if frame_type is _HELLO:
                event = decode_hello(text)
                self.peer_hello = event
            else:
                event = Quit(text)
                self.received += 1
        self.state = next_state
        return event

    def receive_text(self, payload: bytes) -> str:
        """The text of a TEXT frame from the peer: `receive_frame`'s usual case, without
        the Frame and the event object (the link's way for a frame that came alone).
        Raises RemoteProtocolError as receive_frame does."""
        next_state = _TRANSITIONS.get((self.state, PEER, _TEXT))
        try:
            if next_state is None:
                raise RemoteProtocolError("a frame after the conversation ended"
                                          if self.state in _FINAL else self._why_refused(_TEXT))
            if not payload:
                raise RemoteProtocolError("empty TEXT")
            try:
                text = payload.decode()
            except UnicodeDecodeError:
                raise RemoteProtocolError("invalid UTF-8 in TEXT") from None
        except RemoteProtocolError:
            if self.state not in _FINAL:
                self.state = State.BROKEN
            raise
        self.received += 1
        self.state = next_state
        return text

    @staticmethod
    def _acknowledged(payload: bytes) -> Acknowledged:
        from turnchat.wire.resume import decode_ack  # loaded already: the HELLOs agreed

        return Acknowledged(decode_ack(payload))

    def _receive_play(self, payload: bytes) -> Play:
        if self.state not in _TALKING:
            raise RemoteProtocolError(self._why_refused(FrameType.GAME))
        try:
            play = decode_play(payload.decode())
        except UnicodeDecodeError:
            raise RemoteProtocolError("invalid UTF-8 in GAME") from None
        next_state = _TRANSITIONS.get((self.state, PEER, turn_step(play)))
        if next_state is None:
            raise RemoteProtocolError(f"GAME {play.kind} out of turn")
        self.state = next_state
        self.received += 1
        return play

    def _why_refused(self, frame_type: FrameType) -> str:
        if self.state in (State.AWAIT_HELLO, State.AWAIT_ANSWER):
            return f"{frame_type.name} before HELLO"
        if frame_type is FrameType.HELLO:
            return "second HELLO"
        if frame_type is FrameType.TEXT:
            return "TEXT out of turn"
        return f"{frame_type.name} not allowed in state {self.state.name}"

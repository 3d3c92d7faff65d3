r"""A conversation with a peer that is not turnchat: lines (nc, telnet) or raw writes.

`TextPeerDecoder` has the interface of FrameDecoder (receive_data, next_frame, ended) and
`TextPeerConversation` that of `Conversation` (send, receive_frame, state), so the link and
the session drive either without knowing which: each line (or read) the peer sends comes
out of the decoder as a TEXT frame, a `/q` as QUIT. What differs is what the peer can be
held to. A text peer sees no turns, so it cannot be held to them: every line (or read) it
sends is a message, shown and never dropped, and it counts as the peer's turn, whoever's
turn it was. Our side keeps its discipline: we send
on our turn only. Nothing the peer sends can break this protocol: invalid UTF-8 shows as
replacement characters, and a line longer than MAX_PAYLOAD bytes arrives in pieces.

In both, a whole message `/q` (or `\q`, `/quit`) from the peer is QUIT, and the peer
closing the connection is its way of leaving too.

LINE: one line ending in LF or CRLF is one message each way. Our greeting and our QUIT go
out as one line each, marked `[turnchat]`, so a person on nc knows who is there and that
we left.

RAW: no framing and no newline, as the assignment's programs do it: each message goes out
as its bytes, and each receive of up to MAX_PAYLOAD bytes is one message; we greet with
nothing and leave with the message `/q`, as they do. TCP keeps no message boundaries, so
on a real network one send may arrive as two messages or two as one; that is the reason
frames exist.
"""

import codecs
from collections import deque

from turnchat.wire.conversation import Role, State
from turnchat.wire.errors import LocalProtocolError, RemoteProtocolError
from turnchat.wire.events import Error, Event, Hello, Play, Quit, Text
from turnchat.wire.frames import Frame, FrameType
from turnchat.wire.limits import MAX_PAYLOAD, over_the_limit
from turnchat.wire.modes import Mode

LINE_MARK = "[turnchat]"  # starts the lines we write that are not the user's messages
PEER_QUIT_LINE = "/q"  # a line peer leaves with this, as a turnchat user does
# A whole message that is one of these is the peer leaving: the assignment's programs
# send "/q" (some "\q" or "/quit") as their last message before they close.
PEER_QUIT_MESSAGES = frozenset({PEER_QUIT_LINE, "\\q", "/quit"})


class TextPeerDecoder:
    """Cuts the bytes of one text peer's connection into messages (LINE or RAW)."""

    def __init__(self, mode: Mode) -> None:
        assert mode is not Mode.FRAMES
        self.mode = mode
        self.ended = False  # the peer closed its side: no more bytes will come
        self._received = bytearray()  # LINE: the line being received
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._frames: deque[Frame] = deque()

    def receive_data(self, data: bytes) -> None:
        """Take bytes from the peer; b"" means the peer closed its side of the stream."""
        if self.ended:
            return
        if not data:
            self.ended = True
            if self._received:  # a last line without a newline still counts
                self._line(bytes(self._received))
                self._received.clear()
            if tail := self._decoder.decode(b"", final=True):  # raw: a cut character
                self._message(tail)
        elif self.mode is Mode.RAW:
            self._read(data)
        else:
            self._lines(data)

    def next_frame(self) -> Frame | None:
        """The next message as a frame (TEXT, or QUIT for `/q`), or None until more come."""
        return self._frames.popleft() if self._frames else None

    def _message(self, text: str) -> None:
        if text.strip() in PEER_QUIT_MESSAGES:
            self._frames.append(Frame(FrameType.QUIT, b""))
        else:
            self._frames.append(Frame(FrameType.TEXT, text.encode()))

    def _lines(self, data: bytes) -> None:
        received = self._received
        received += data
        start = 0
        while (newline := received.find(b"\n", start)) >= 0:
            self._line(received[start:newline])
            start = newline + 1
        del received[:start]
        # No end in sight: show what we have (+1 leaves room for a CR before the newline).
        while len(received) > MAX_PAYLOAD + 1:
            del received[:self._piece(received)]

    def _line(self, line: bytes | bytearray) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        while len(line) > MAX_PAYLOAD:  # shown in pieces, not dropped
            line = line[self._piece(line):]
        self._message(self._decoder.decode(line, final=True))

    def _piece(self, line: bytes | bytearray) -> int:
        """Show the first piece of an over-long line as a message; return its length."""
        cut = MAX_PAYLOAD
        while cut > MAX_PAYLOAD - 3 and line[cut] & 0b1100_0000 == 0b1000_0000:
            cut -= 1  # do not split a character between two pieces
        self._message(self._decoder.decode(line[:cut]))
        return cut

    def _read(self, data: bytes) -> None:
        text = self._decoder.decode(data)
        if not text:  # a character cut in two: the rest comes with the next read
            return
        if text.endswith("\n"):  # the programs send what fgets() read, newline and all
            text = text[:-2] if text.endswith("\r\n") else text[:-1]
        self._message(text)


class TextPeerConversation:
    """One side of a conversation in LINE or RAW mode: events in, bytes out."""

    peer_hello = None  # a plain-text peer does not greet; the chat names it itself

    def __init__(self, role: Role, mode: Mode) -> None:
        assert mode is not Mode.FRAMES
        self.role = role
        self.mode = mode
        self.state = State.SEND_HELLO  # until our greeting (a line, or nothing) is out
        self._spoke_first = False  # the peer's line came before our greeting: our turn then
        self._my_name = "The turnchat user"  # until our HELLO names us

    # -- sending ---------------------------------------------------------------------------

    def send(self, event: Event) -> bytes:
        """Return the bytes that say `event`, or raise LocalProtocolError and change nothing."""
        state = self.state
        if state is State.CLOSED:
            raise LocalProtocolError("The conversation is over.")
        if isinstance(event, Text):
            if state is not State.MY_TURN:
                raise LocalProtocolError("It is not your turn." if state is State.THEIR_TURN
                                         else "The conversation has not started yet.")
            data = self._text_bytes(event.text)
            self.state = State.THEIR_TURN
            return data
        if isinstance(event, Hello):
            if state is not State.SEND_HELLO:
                raise LocalProtocolError("HELLO is sent once, first.")
            self.state = (State.MY_TURN if self.role is Role.CONNECTOR or self._spoke_first
                          else State.THEIR_TURN)
            self._my_name = event.name
            return self._notice(f"You are talking with {event.name}, who uses turnchat. "
                                f"Type a line and press Enter to send it; {PEER_QUIT_LINE} "
                                "leaves.")
        if isinstance(event, Quit | Error):
            self.state = State.CLOSED
            if isinstance(event, Error):
                return self._notice(f"closing: {event.reason}")
            if self.mode is Mode.RAW:  # the assignment's programs leave, and see us leave,
                return PEER_QUIT_LINE.encode()  # by this message and nothing else
            return self._notice(f"{self._my_name} left the conversation"
                                + (f": {event.reason}." if event.reason else "."))
        if isinstance(event, Play):
            raise LocalProtocolError("Games need turnchat on both sides; this peer sends "
                                     "plain text.")
        raise TypeError(f"cannot send {event!r}")

    def send_text(self, text: str) -> bytes:
        """`send(Text(text))`, as Conversation.send_text: the chat sends messages so."""
        return self.send(Text(text))

    def _text_bytes(self, text: str) -> bytes:
        if not text.strip():
            raise LocalProtocolError("An empty message is not sent.")
        data = text.encode()
        if len(data) > MAX_PAYLOAD:
            raise LocalProtocolError(
                f"The message is {over_the_limit(len(data))}."
            )
        return data + b"\n" if self.mode is Mode.LINE else data

    def _notice(self, sentence: str) -> bytes:
        """A line for the person at the other end; raw peers get none: they are programs."""
        if self.mode is Mode.RAW:
            return b""
        return f"{LINE_MARK} {sentence}\n".encode()

    # -- receiving -------------------------------------------------------------------------

    def receive_frame(self, frame: Frame) -> Event:
        """The event a message from TextPeerDecoder is. Whatever the peer sends is taken: it
        sees no turns, so every message counts as its turn, whoever's turn it was."""
        if self.state is State.CLOSED:
            raise RemoteProtocolError("a message after the conversation ended")
        if frame.type is FrameType.QUIT:
            self.state = State.CLOSED
            return Quit()
        if self.state is State.SEND_HELLO:  # a line that came before our greeting
            self._spoke_first = True
        else:
            self.state = State.MY_TURN
        return Text(frame.payload.decode())

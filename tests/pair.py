"""Two sessions joined in memory, driven as two people would: type a line, read the screen.

As h11's ConnectionPair: no socket, no process, no terminal. ana connects to bo; each is a
real `Chat` (session/chat.py) holding a real wire `Conversation`, and what one sends is
handed to the other's connection as bytes, cut into frames by that connection's own
decoder, so every frame crosses the real codec. `settle()` delivers what is
in flight, in order, until both are quiet; time moves only when a test says `wait`.

    pair = Pair()
    pair.ana.type("hi bo")
    pair.settle()
    assert pair.bo.messages == ["ana: hi bo"]
"""

import heapq
import itertools
from collections import deque
from collections.abc import Callable

from turnchat.session.chat import Chat, Ending
from turnchat.session.commands import Command, help_text, parse_command
from turnchat.wire import (
    ConnectionLost,
    Conversation,
    Event,
    LocalProtocolError,
    RemoteProtocolError,
    Role,
)
from turnchat.wire.events import PeerBrokeProtocol
from turnchat.wire.frames import Frame, FrameDecoder


class FakeClock:
    """Timers that fire only when the test moves time on."""

    class _Timer:
        def __init__(self, callback: Callable[[], None]) -> None:
            self.callback, self.cancelled = callback, False

        def cancel(self) -> None:
            self.cancelled = True

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, FakeClock._Timer]] = []
        self._order = itertools.count()

    def call_later(self, delay: float, callback: Callable[[], None]) -> "FakeClock._Timer":
        timer = FakeClock._Timer(callback)
        heapq.heappush(self._timers, (self.now + delay, next(self._order), timer))
        return timer

    def advance(self, seconds: float) -> None:
        until = self.now + seconds
        while self._timers and self._timers[0][0] <= until:
            when, _, timer = heapq.heappop(self._timers)
            self.now = when
            if not timer.cancelled:
                timer.callback()
        self.now = until


class MemoryConnection:
    """One end of the in-memory connection: a Connection (session/ports.py) for a Chat."""

    def __init__(self, wire: deque[tuple["MemoryConnection", bytes]]):
        self.decoder = FrameDecoder()
        self.peer: MemoryConnection | None = None
        self.on_frame: Callable[[Frame], None] = lambda frame: None
        self.on_end: Callable[[Event], None] = lambda event: None
        self.sent: list[bytes] = []  # every chunk of bytes this side put on the wire
        self.closed = False
        self.ended = False
        self._wire = wire  # bytes in flight, both ways, in the order they were sent

    def send(self, data: bytes) -> None:
        if data and not self.closed:
            self.sent.append(data)
            assert self.peer is not None
            self._wire.append((self.peer, data))

    def deliver_buffered(self) -> None:
        while not self.closed and not self.ended:
            try:
                frame = self.decoder.next_frame()
            except RemoteProtocolError as error:
                self.ended = True
                self.on_end(PeerBrokeProtocol(error.reason))
                return
            if frame is None:
                if self.decoder.ended:
                    self.ended = True
                    self.on_end(ConnectionLost())
                return
            self.on_frame(frame)

    def arrive(self, data: bytes) -> None:
        if not self.closed:
            self.decoder.receive_data(data)
            self.deliver_buffered()

    def close(self, linger: bool) -> None:
        if not self.closed:
            self.closed = True
            assert self.peer is not None
            self._wire.append((self.peer, b""))  # the stream ends, after what was sent


class Person:
    """A ChatView that keeps what a person would see, and types as a script would."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.chat: Chat
        self.messages: list[str] = []  # "sender: text", as the peer's messages are shown
        self.notices: list[str] = []
        self.games: list[str] = []
        self.ending: Ending | None = None

    # -- ChatView --------------------------------------------------------------------------

    def show_message(self, sender: str, text: str) -> None:
        self.messages.append(f"{sender}: {text}")

    def show_notice(self, text: str) -> None:
        self.notices.append(text)

    def show_game(self, text: str) -> None:
        self.games.append(text)

    def refresh(self) -> None:
        pass

    def finish(self, ending: Ending) -> None:
        self.ending = ending

    # -- typing ----------------------------------------------------------------------------

    def type(self, line: str) -> str:
        """Enter one line as the plain face does; the refusal sentence, or ""."""
        command, text = parse_command(line)
        try:
            if command is Command.QUIT:
                self.chat.leave()
            elif command is Command.HELP:
                self.show_notice(help_text())
            elif command is Command.MESSAGE:
                self.chat.say(text, literal=line.lstrip().startswith("/"))
            elif command is Command.UNKNOWN:
                self.chat.say(line, literal=True)
            else:
                self.chat.table.command(command, text)
        except LocalProtocolError as error:
            return str(error)
        return ""

    @property
    def my_turn(self) -> bool:
        return self.chat.my_turn

    @property
    def last_game(self) -> str:
        return self.games[-1] if self.games else ""


class Pair:
    """ana (the connector) and bo (the listener), greeted and talking."""

    def __init__(self, greet: bool = True) -> None:
        self.clock = FakeClock()
        self.wire: deque[tuple[MemoryConnection, bytes]] = deque()
        self.ana, self.bo = Person("ana"), Person("bo")
        ana_end, bo_end = MemoryConnection(self.wire), MemoryConnection(self.wire)
        ana_end.peer, bo_end.peer = bo_end, ana_end
        self.ends = {"ana": ana_end, "bo": bo_end}
        self.conversations = {"ana": Conversation(Role.CONNECTOR),
                              "bo": Conversation(Role.LISTENER)}
        for person, end in ((self.ana, ana_end), (self.bo, bo_end)):
            person.chat = Chat(self.clock, person.name, person, handshake_seconds=10)
            end.on_frame, end.on_end = person.chat.receive_frame, person.chat.connection_ended
        if greet:
            self.greet()

    def greet(self) -> None:
        self.ana.chat.reached(self.ends["ana"], self.conversations["ana"], "bo.example:7777")
        data = self.wire.popleft()[1]  # ana's HELLO: the listener screens it, then joins
        bo_end, bo_conversation = self.ends["bo"], self.conversations["bo"]
        bo_end.decoder.receive_data(data)
        frame = bo_end.decoder.next_frame()
        assert frame is not None
        bo_conversation.receive_frame(frame)
        self.bo.chat.joined(bo_end, bo_conversation, "127.0.0.1:50000")
        self.settle()

    def settle(self) -> None:
        """Deliver everything in flight, both ways, until nothing moves."""
        while self.wire:
            end, data = self.wire.popleft()
            end.arrive(data)

    def vanish(self, who: str) -> None:
        """`who`'s connection drops: the other side's stream ends, without QUIT."""
        end = self.ends[who]
        end.closed = True
        assert end.peer is not None
        end.peer.arrive(b"")
        self.settle()


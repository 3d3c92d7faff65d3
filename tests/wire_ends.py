"""One conversation on one connection, joined as net/link.py and session/chat.py join them.

The wire keeps the two apart: a decoder per connection cuts bytes into frames, and the
conversation, which outlives any connection, turns frames into events. Tests of the wire
drive both at once through an `End`: bytes in, events out, and `ConnectionLost` once the
stream has ended, as the link reports it to the session.
"""

from turnchat.wire import ConnectionLost, Conversation, Event, Mode, State
from turnchat.wire.frames import FrameDecoder
from turnchat.wire.textpeer import TextPeerConversation, TextPeerDecoder


class End:
    """A conversation and the decoder of the connection it runs on."""

    def __init__(self, conversation: Conversation | TextPeerConversation) -> None:
        self.conversation = conversation
        self.decoder = (FrameDecoder() if conversation.mode is Mode.FRAMES
                        else TextPeerDecoder(conversation.mode))
        self._lost = False

    def send(self, event: Event) -> bytes:
        return self.conversation.send(event)

    @property
    def state(self) -> State:
        return self.conversation.state

    @property
    def peer_hello(self) -> object:
        return self.conversation.peer_hello

    def receive_data(self, data: bytes) -> None:
        self.decoder.receive_data(data)

    def next_event(self) -> Event | None:
        """The next event, or None until more bytes arrive; raises RemoteProtocolError.
        Nothing more is read once the conversation is over, as the session stops reading."""
        if self._lost or self.conversation.state in (State.BROKEN, State.CLOSED):
            return None
        frame = self.decoder.next_frame()
        if frame is None:
            if self.decoder.ended:
                self._lost = True
                return ConnectionLost()
            return None
        return self.conversation.receive_frame(frame)

    def events(self, *chunks: bytes) -> list[Event]:
        """Every event the chunks make, in order."""
        found = []
        for chunk in chunks:
            self.receive_data(chunk)
            while (event := self.next_event()) is not None:
                found.append(event)
        return found

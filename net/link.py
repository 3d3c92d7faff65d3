"""The link: one connection to the peer, driven by the reactor, carrying frames both ways.

It owns the non-blocking socket, the connection's decoder (wire/frames.py, or a text peer's
wire/textpeer.py) and an outgoing buffer (a non-blocking send can be partial). It knows
nothing of turns: bytes that arrive come out as whole frames for `on_frame`, and the
connection ending, or carrying what is not frames, as the event `ConnectionLost` or
`PeerBrokeProtocol` for `on_end`; nothing escapes as an exception. The conversation lives
in the session, which decides what each of those means, so a link can end without the
conversation ending. Under --tls the socket carries records: a `TLS` object (net/tls.py)
turns them into the connection's bytes and back, and nothing else changes.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from turnchat.net.closing import Farewell, Farewells
from turnchat.net.reactor import Reactor
from turnchat.wire import ConnectionLost, Event, Mode, RemoteProtocolError
from turnchat.wire.events import PeerBrokeProtocol
from turnchat.wire.frames import Frame, FrameDecoder
from turnchat.wire.limits import MAX_PAYLOAD

TYPE_CHECKING = False
if TYPE_CHECKING:
    from turnchat.net.tls import TLS
    from turnchat.wire.textpeer import TextPeerDecoder

READ_CHUNK = 65536  # read in bounded chunks; never recv(declared length), which reserves it
RAW_READ_SIZE = MAX_PAYLOAD  # raw mode: the assignment's recv(4096), one read one message


class Link:
    """One connection: frames in via `on_frame`, its end via `on_end`, bytes out via `send`."""

    def __init__(
        self,
        reactor: Reactor,
        sock: socket.socket,
        decoder: FrameDecoder | TextPeerDecoder,
        on_frame: Callable[[Frame], None],
        on_end: Callable[[Event], None],
        tls: TLS | None = None,
        farewells: Farewells | None = None,
        on_text: Callable[[bytes], None] | None = None,
    ) -> None:
        """`on_text`, with a FrameDecoder: takes the payload of a TEXT frame that came in
        a read of its own (the usual message), instead of `on_frame`."""
        self.reactor = reactor
        self.sock = sock
        self.decoder = decoder
        self.on_frame = on_frame
        self.on_end = on_end
        self.on_text = on_text
        self._outgoing = bytearray()
        self._writing = False
        self._closed = False  # we closed it: nothing more in or out
        self._ended = False  # its end was reported: nothing more is read from it
        # In raw mode each read is one message, so a read takes what the peer's one
        # recv(4096) would have taken.
        self._read_size = RAW_READ_SIZE if decoder.mode is Mode.RAW else READ_CHUNK
        self._tls = tls  # --tls: the handshake is done; the bytes on the socket are records
        self._farewells = farewells  # where our closing is tracked, so a face can wait for it
        sock.setblocking(False)
        reactor.add_reader(sock, self._readable)
        if tls is not None:  # records that came with the handshake's last flight
            for chunk in tls.receive():
                decoder.receive_data(chunk)

    def send(self, data: bytes) -> None:
        """Send `data` (the conversation's bytes) to the peer, now or as soon as it can go."""
        if self._tls is not None:
            data = self._tls.encrypt(data)
        if self._closed:
            return
        if not self._outgoing:  # the usual case: straight out; only a rest has to wait
            try:
                sent = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._send_failed()
                return
            if sent == len(data):
                return
            data = data[sent:]
        self._outgoing += data
        if not self._writing:
            self.reactor.add_writer(self.sock, self._flush)
            self._writing = True

    def deliver_buffered(self) -> None:
        """Hand out every frame already received, then the end if the stream has ended."""
        decoder = self.decoder
        while not self._closed and not self._ended:
            try:
                frame = decoder.next_frame()
            except RemoteProtocolError as error:
                self._end(PeerBrokeProtocol(error.reason))
                return
            if frame is None:
                if decoder.ended:
                    self._end(ConnectionLost())
                return
            self.on_frame(frame)

    def _end(self, event: Event) -> None:
        """Report the end, once: from then on nothing more is read from this connection."""
        self._ended = True
        self.reactor.remove_reader(self.sock)
        self.on_end(event)

    def _readable(self) -> None:
        try:
            data = self.sock.recv(self._read_size)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # reset by the peer: the same as the stream ending
            data = b""
        if self._tls is None:  # the usual case, kept short: it runs once a message
            if not data:
                self.reactor.remove_reader(self.sock)
            elif self.on_text is not None:
                payload = self.decoder.lone_text(data)  # type: ignore[union-attr]
                if payload is not None:  # one whole message, and nothing else
                    self.on_text(payload)
                    return
            self.decoder.receive_data(data)
        else:
            received = self._received(data)
            if self._closed or self._ended:  # its answer failed, and the end is reported
                return
            if not data or received[-1:] == [b""]:
                self.reactor.remove_reader(self.sock)
            if len(received) == 1 and self.on_text is not None:
                payload = self.decoder.lone_text(received[0])  # type: ignore[union-attr]
                if payload is not None:
                    self.on_text(payload)
                    return
            for chunk in received:
                self.decoder.receive_data(chunk)
        self.deliver_buffered()

    def _received(self, data: bytes) -> list[bytes]:
        """What `data` from the socket says to the conversation: itself, or under TLS the
        plaintext it completes (maybe nothing yet), and b"" once the stream has ended."""
        tls = self._tls
        if tls is None:
            return [data]
        tls.feed(data)
        chunks = tls.receive()  # the handshake is done: this only decrypts
        if answer := tls.to_send():  # TLS has things of its own to say now and then
            self._outgoing += answer
            self._flush()
        return chunks

    def _send_failed(self) -> None:
        """The peer is gone; what it sent before still gets read and shown, then the
        connection is reported lost."""
        self._outgoing.clear()
        self._stop_writing()
        self._lost()

    def _flush(self) -> None:
        if self._closed or not self._outgoing:
            self._stop_writing()
            return
        try:
            sent = self.sock.send(self._outgoing)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._send_failed()
            return
        del self._outgoing[:sent]
        if self._outgoing and not self._writing:
            self.reactor.add_writer(self.sock, self._flush)
            self._writing = True
        elif not self._outgoing and self._writing:
            self._stop_writing()

    def _stop_writing(self) -> None:
        if self._writing:
            self.reactor.remove_writer(self.sock)
            self._writing = False

    def _lost(self) -> None:
        """Our send failed: read what is left, then report the connection lost."""
        while not self._closed and not self._ended:
            try:
                data = self.sock.recv(self._read_size)
            except OSError:
                data = b""
            received = self._received(data)
            for chunk in received:
                self.decoder.receive_data(chunk)
            self.deliver_buffered()
            if not data or received[-1:] == [b""]:
                break
        if not self._closed and not self._ended:
            self._end(ConnectionLost())

    def close(self, linger: bool) -> Farewell | None:
        """Stop watching the socket and close it politely on the reactor: what is queued
        goes first. Returns the farewell under way (None if already closed).

        `linger` when our QUIT or ERROR was the last word, so that it is read before we go.
        """
        if self._closed:
            return None
        self._closed = True
        self.reactor.remove_reader(self.sock)
        self._stop_writing()
        farewell = Farewell(self.reactor, self.sock, bytes(self._outgoing), linger)
        self._outgoing.clear()
        if self._farewells is not None:
            self._farewells.add(farewell)
        return farewell

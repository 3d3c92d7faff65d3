"""The frame codec: `length (uint32 BE) | type (u8) | payload`, bytes in and bytes out.

The decoder checks the length field the moment its four bytes are in, so an oversize or
zero length is refused before a single byte of the body is read or reserved. It knows
nothing of turns or text; `conversation.py` gives frames their meaning.

A decoder belongs to one connection, the conversation does not: half a frame left on a
connection that died must never be joined to the next connection's bytes, so each
connection gets a new decoder and the conversation sees only whole frames.
"""

from __future__ import annotations

import struct
from enum import IntEnum

from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.limits import HEADER_SIZE, MAX_FRAME_LENGTH, MAX_PAYLOAD
from turnchat.wire.modes import Mode

_HEADER = struct.Struct(">IB")  # length, then the type byte that the length counts
_LENGTH = struct.Struct(">I")


class FrameType(IntEnum):
    HELLO = 0x01
    TEXT = 0x02
    QUIT = 0x03
    ERROR = 0x04
    GAME = 0x05  # the games extension (docs/PROTOCOL.md): a JSON object, see wire/play.py
    ACK = 0x06  # the resume extension (wire/resume.py): how many data frames came
    RESUME = 0x07  # the resume extension: take a dropped conversation up on a new connection
    PAIR = 0x08  # the pairing extension (wire/pairing.py): a short code, before HELLO


# 0x09..0x0F are reserved for extensions that this version does not speak yet.
_TYPE_OF_BYTE = {frame_type.value: frame_type for frame_type in FrameType}
_TEXT = bytes([FrameType.TEXT])

TEXT_INSTEAD_OF_FRAMES = "plain text instead of turnchat frames"  # lines: a person on nc
# No line end in what came: the classic assignment programs send what they have, as it is.
TEXT_WITHOUT_LINE_ENDS = "plain text without a line end instead of turnchat frames"


class Frame(tuple[FrameType, bytes]):
    """One decoded frame, (type, payload). A tuple: the decoder makes one per message, so it
    must be cheap (written out: typing.NamedTuple would import typing at start-up)."""

    __slots__ = ()

    def __new__(cls, frame_type: FrameType, payload: bytes) -> Frame:
        return tuple.__new__(cls, (frame_type, payload))

    @property
    def type(self) -> FrameType:
        return self[0]

    @property
    def payload(self) -> bytes:
        return self[1]

    def __repr__(self) -> str:
        return f"Frame({self[0]!r}, {self[1]!r})"


def encode_frame(frame_type: FrameType, payload: bytes) -> bytes:
    """Return the bytes of one frame; a payload over MAX_PAYLOAD is a bug in the caller."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    return _HEADER.pack(len(payload) + 1, frame_type) + payload


class FrameDecoder:
    """Turns the byte stream of one connection, cut anywhere, into whole frames."""

    mode = Mode.FRAMES

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._start = 0  # consumed bytes are dropped in bulk, not one frame at a time
        self.ended = False  # the peer closed its side: no more bytes will come
        self._framed = False  # a whole frame has come on this connection
        self._text = False  # its first byte was not 0x00: a person, or nc, not frames

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def receive_data(self, data: bytes) -> None:
        """Take bytes from the connection; b"" means the peer closed its side."""
        if not data:
            self.ended = True
            return
        if not self._framed and data[0] and not self.buffered:
            self._text = True  # a frame's first byte is 0x00 (a length under 16 MiB)
        self._buffer += data

    def lone_text(self, data: bytes) -> bytes | None:
        """If nothing waits in this decoder and `data` is exactly one whole TEXT frame,
        take it and return its payload; otherwise take nothing and return None (then feed
        `data` to receive_data as usual).

        The usual message arrives so, in a read of its own: this is its way in without a
        buffer copy or a Frame. A frame too long, or of another type, is left to
        next_frame, which refuses or decodes it."""
        length = len(data) - HEADER_SIZE
        if (self._buffer or length > MAX_FRAME_LENGTH or data[4:5] != _TEXT
                or _LENGTH.unpack_from(data)[0] != length):
            return None
        self._framed = True
        return data[5:]  # after the length and the type byte

    @property
    def buffered(self) -> int:
        """How many received bytes are not yet part of a returned frame."""
        return len(self._buffer) - self._start

    def next_frame(self) -> Frame | None:
        """Return the next whole frame, or None until more bytes arrive.

        Raises RemoteProtocolError for a length of 0 or over MAX_FRAME_LENGTH, and for a
        type this version does not know, as soon as the header shows it; and for text where
        the connection's first frame should be.
        """
        if self._text:
            raise RemoteProtocolError(TEXT_INSTEAD_OF_FRAMES if b"\n" in self._buffer
                                      else TEXT_WITHOUT_LINE_ENDS)
        buffer, start = self._buffer, self._start
        available = len(buffer) - start
        if available < HEADER_SIZE:
            return None
        (length,) = _LENGTH.unpack_from(buffer, start)
        if length == 0:
            raise RemoteProtocolError("frame length 0 (it must count the type byte)")
        if length > MAX_FRAME_LENGTH:
            raise RemoteProtocolError(
                f"frame length {length} exceeds the limit of {MAX_FRAME_LENGTH}"
            )
        if available < HEADER_SIZE + 1:
            return None
        type_byte = buffer[start + HEADER_SIZE]
        frame_type = _TYPE_OF_BYTE.get(type_byte)
        if frame_type is None:
            raise RemoteProtocolError(f"unknown frame type 0x{type_byte:02x}")
        end = start + HEADER_SIZE + length
        if len(buffer) < end:
            return None
        payload = bytes(buffer[start + HEADER_SIZE + 1 : end])
        if end == len(buffer):
            buffer.clear()
            self._start = 0
        elif end > 65536:
            del buffer[:end]
            self._start = 0
        else:
            self._start = end
        self._framed = True
        return Frame(frame_type, payload)

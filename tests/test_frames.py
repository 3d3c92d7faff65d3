"""The frame codec: every chunking of a stream, and bad lengths refused before the body."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.wirebytes import ERROR, HELLO, QUIT, TEXT, frame
from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.frames import Frame, FrameDecoder, FrameType, encode_frame
from turnchat.wire.limits import MAX_PAYLOAD

STREAM_FRAMES = [
    (HELLO, b'{"app":"turnchat","version":1,"name":"ana"}'),
    (TEXT, "héllo 👋".encode()),
    (TEXT, b"x" * MAX_PAYLOAD),
    (QUIT, b""),
    (ERROR, b"reason"),
]
STREAM = b"".join(frame(t, p) for t, p in STREAM_FRAMES)
EXPECTED = [Frame(FrameType(t), p) for t, p in STREAM_FRAMES]


def decode_all(chunks: list[bytes]) -> list[Frame]:
    decoder = FrameDecoder()
    frames = []
    for chunk in chunks:
        decoder.feed(chunk)
        while (found := decoder.next_frame()) is not None:
            frames.append(found)
    assert decoder.buffered == 0
    return frames


def test_encode_matches_the_protocol_examples() -> None:
    assert encode_frame(FrameType.TEXT, b"hello").hex(" ") == "00 00 00 06 02 68 65 6c 6c 6f"
    assert encode_frame(FrameType.QUIT, b"") == bytes.fromhex("0000000103")


def test_one_byte_at_a_time() -> None:
    assert decode_all([STREAM[i : i + 1] for i in range(len(STREAM))]) == EXPECTED


def test_every_single_split_point() -> None:
    for cut in range(len(STREAM) + 1):
        assert decode_all([STREAM[:cut], STREAM[cut:]]) == EXPECTED, cut


@pytest.mark.parametrize("size", [2, 3, 5, 7, 64, 4097, 4101])
def test_fixed_chunk_sizes(size: int) -> None:
    assert decode_all([STREAM[i : i + size] for i in range(0, len(STREAM), size)]) == EXPECTED


def test_whole_stream_in_one_chunk() -> None:
    assert decode_all([STREAM]) == EXPECTED


def test_oversize_length_is_refused_from_the_header_alone() -> None:
    decoder = FrameDecoder()
    decoder.feed(b"\x00\x00\x10\x02")  # length 4098: no type byte, no body yet
    with pytest.raises(RemoteProtocolError, match="4098 exceeds the limit of 4097"):
        decoder.next_frame()


def test_largest_length_is_accepted() -> None:
    decoder = FrameDecoder()
    decoder.feed(frame(TEXT, b"y" * MAX_PAYLOAD))
    assert decoder.next_frame() == Frame(FrameType.TEXT, b"y" * MAX_PAYLOAD)


def test_zero_length_is_refused() -> None:
    decoder = FrameDecoder()
    decoder.feed(b"\x00\x00\x00\x00")
    with pytest.raises(RemoteProtocolError, match="length 0"):
        decoder.next_frame()


def test_huge_length_from_text_is_refused() -> None:
    decoder = FrameDecoder()
    decoder.feed(b"hello\n")  # what a person typing into nc sends
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        decoder.next_frame()


@pytest.mark.parametrize("type_byte", [0x00, 0x09, 0x0F, 0x10, 0xFF])
def test_unknown_and_reserved_types_are_refused(type_byte: int) -> None:
    decoder = FrameDecoder()
    decoder.feed(bytes([0, 0, 0, 3, type_byte]))
    with pytest.raises(RemoteProtocolError, match="unknown frame type"):
        decoder.next_frame()


def test_partial_header_waits() -> None:
    decoder = FrameDecoder()
    decoder.feed(b"\x00\x00")
    assert decoder.next_frame() is None
    assert decoder.buffered == 2


def test_encoder_refuses_oversize_payload() -> None:
    with pytest.raises(ValueError):
        encode_frame(FrameType.TEXT, b"z" * (MAX_PAYLOAD + 1))


@given(st.lists(st.integers(0, len(STREAM)), max_size=30))
def test_any_chunking(cuts: list[int]) -> None:
    points = [0, *sorted(cuts), len(STREAM)]
    assert decode_all([STREAM[a:b] for a, b in itertools.pairwise(points)]) == EXPECTED

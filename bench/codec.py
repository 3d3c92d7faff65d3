"""Codec: how fast `FrameDecoder` turns a byte stream into frames.

The stream holds frames of mixed sizes (mostly short chat lines, some long ones) and is
fed to the decoder in random chunk sizes, as a socket delivers it. The baseline is the
least a decoder can do in Python: `struct.unpack_from` over the same bytes, already whole
and in one piece, slicing each payload out.
"""

import random
import statistics
import struct
import time

from turnchat.wire.frames import FrameDecoder, FrameType, encode_frame
from turnchat.wire.limits import MAX_PAYLOAD

SEED = 7  # the same stream and the same cuts on every run
MAX_CHUNK = 16384


def payload_sizes(count: int, chooser: random.Random) -> list[int]:
    """Mostly chat lines (10-200 bytes), some paragraphs, a few at the limit."""
    sizes = []
    for _ in range(count):
        kind = chooser.random()
        if kind < 0.7:
            sizes.append(chooser.randint(10, 200))
        elif kind < 0.95:
            sizes.append(chooser.randint(200, 1500))
        else:
            sizes.append(chooser.randint(1500, MAX_PAYLOAD))
    return sizes


def make_stream(size_bytes: int) -> tuple[bytes, list[bytes], int]:
    """A stream of about `size_bytes`, its random cuts, and how many frames it holds."""
    chooser = random.Random(SEED)
    frames = []
    total = 0
    while total < size_bytes:
        for size in payload_sizes(100, chooser):
            frame = encode_frame(FrameType.TEXT, b"x" * size)
            frames.append(frame)
            total += len(frame)
    stream = b"".join(frames)
    chunks = []
    position = 0
    while position < len(stream):
        step = chooser.randint(1, MAX_CHUNK)
        chunks.append(stream[position:position + step])
        position += step
    return stream, chunks, len(frames)


def decode_with_turnchat(chunks: list[bytes]) -> int:
    decoder = FrameDecoder()
    count = 0
    for chunk in chunks:
        decoder.feed(chunk)
        while decoder.next_frame() is not None:
            count += 1
    return count


def decode_with_struct(stream: bytes) -> int:
    header = struct.Struct(">IB")
    position, end, count = 0, len(stream), 0
    while position < end:
        length, _ = header.unpack_from(stream, position)
        _payload = stream[position + 5:position + 4 + length]
        position += 4 + length
        count += 1
    return count


def measure(size_bytes: int, repetitions: int) -> tuple[float, float, int]:
    """Median MB/s of turnchat's decoder and of the baseline, and frames in the stream."""
    stream, chunks, frames = make_stream(size_bytes)
    ours, theirs = [], []
    for _ in range(repetitions):
        started = time.perf_counter()
        if decode_with_turnchat(chunks) != frames:
            raise RuntimeError("FrameDecoder lost or invented frames")
        ours.append(len(stream) / (time.perf_counter() - started) / 1e6)
        started = time.perf_counter()
        if decode_with_struct(stream) != frames:
            raise RuntimeError("the struct baseline miscounted")
        theirs.append(len(stream) / (time.perf_counter() - started) / 1e6)
    return statistics.median(ours), statistics.median(theirs), frames

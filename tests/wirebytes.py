"""Frames written by hand from PROTOCOL.md, independent of the code under test."""

import json
import struct

HELLO, TEXT, QUIT, ERROR, GAME = 1, 2, 3, 4, 5


def frame(frame_type: int, payload: bytes = b"") -> bytes:
    return struct.pack(">IB", len(payload) + 1, frame_type) + payload


def hello(name: str = "raw", version: int = 1) -> bytes:
    body = json.dumps({"app": "turnchat", "version": version, "name": name})
    return frame(HELLO, body.encode())


def text(message: str) -> bytes:
    return frame(TEXT, message.encode())


def game(kind: str, **fields: object) -> bytes:
    """A GAME frame as docs/PROTOCOL.md writes it: {"kind": ..., other fields}."""
    return frame(GAME, json.dumps({"kind": kind, **fields}).encode())

"""How the bytes on the connection carry messages: frames, lines, or raw writes.

Frames (PROTOCOL.md) are turnchat's own and the default. The other two are for peers that
are not turnchat: a person on nc, socat or telnet types lines (LINE), and the classic
assignment programs send and `recv(4096)` whatever bytes they have (RAW).
"""

from enum import Enum


class Mode(Enum):
    FRAMES = "frames"  # length-prefixed frames: turnchat on both sides
    LINE = "line"  # one line of text is one message: nc, socat, telnet
    RAW = "raw"  # one write out, one read in (up to MAX_PAYLOAD bytes) is one message

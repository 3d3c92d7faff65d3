"""Standard input as a queue of messages for the plain face: one line is one message.

Read with `os.read` and split here, never `sys.stdin.readline()` after a select (that would
strand lines in Python's buffer). A last line without a newline still counts, a trailing CR
is dropped (CRLF files), blank lines are skipped, and a line that cannot be sent (too long,
not UTF-8) is reported and skipped so the next line takes its place. Lines read ahead wait
in the queue for their turn; reading pauses while READ_AHEAD_BYTES are waiting, so a huge
input is never held in memory. Regular files and /dev/null cannot be watched by epoll:
they never block, so they are read directly whenever the queue runs dry.
"""

import os
from collections import deque
from collections.abc import Callable
from enum import Enum

from turnchat.net.reactor import Reactor
from turnchat.wire.limits import MAX_PAYLOAD, over_the_limit

READ_CHUNK = 65536
READ_AHEAD_BYTES = 65536  # queued text beyond this pauses reading: memory stays flat


class Marker(Enum):
    QUIT = "a /q line"
    END_OF_INPUT = "end of input"


Item = str | Marker


class StdinLines:
    """Lines of a file descriptor, queued as messages, `Marker.QUIT` or END_OF_INPUT."""

    def __init__(
        self,
        reactor: Reactor,
        fd: int,
        on_ready: Callable[[], None],
        on_skipped: Callable[[str], None],
    ) -> None:
        self.queue: deque[Item] = deque()
        self._reactor = reactor
        self._fd = fd
        self._on_ready = on_ready
        self._on_skipped = on_skipped
        self._partial = bytearray()
        self._discarding = 0  # bytes of an over-long line being skipped, 0 if none
        self._line_number = 0
        self._queued_bytes = 0
        self._ended = False
        self._watching = False
        self._direct = False
        self.person = False  # a terminal: a person types, and /q means now
        try:
            os.fstat(fd)
        except OSError:  # no standard input at all
            self._finish()
            return
        self.person = os.isatty(fd)
        try:
            reactor.add_reader(fd, self._readable)
            self._watching = True
        except OSError:  # a regular file or /dev/null: it never blocks, read it on demand
            self._direct = True

    def pop(self) -> Item:
        item = self.queue.popleft()
        if isinstance(item, str):
            self._queued_bytes -= len(item)
            if not (self._direct or self._watching or self._ended):
                self._resume()
        return item

    def fill(self) -> None:
        """For a regular file: read until a line is queued or the file ends."""
        while self._direct and not self.queue and not self._ended:
            self._take(self._read())

    def _readable(self) -> None:
        self._take(self._read())
        if self._queued_bytes >= READ_AHEAD_BYTES and self._watching:
            self._reactor.remove_reader(self._fd)
            self._watching = False
        self._on_ready()

    def _resume(self) -> None:
        if self._queued_bytes < READ_AHEAD_BYTES:
            self._reactor.add_reader(self._fd, self._readable)
            self._watching = True

    def _read(self) -> bytes | None:
        """Bytes read, b"" at the end of input, or None if nothing is ready after all."""
        try:
            return os.read(self._fd, READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:  # e.g. the terminal went away: no more input will come
            return b""

    def _take(self, data: bytes | None) -> None:
        if data is None:
            return
        if not data:
            if self._partial or self._discarding:
                self._line(b"")
            self._finish()
            return
        start = 0
        if self._partial or self._discarding:  # first the line that the last read cut
            newline = data.find(b"\n")
            if newline < 0:
                self._collect(data)
                return
            self._line(data[:newline])
            start = newline + 1
        start = self._plain_lines(data, start)
        while (newline := data.find(b"\n", start)) >= 0:
            self._line(data[start:newline])
            start = newline + 1
        self._collect(data[start:])

    def _plain_lines(self, data: bytes, start: int) -> int:
        """Queue at once the whole lines of `data` from `start` if every one is a plain
        message (ASCII, not blank, no CR, no slash, within the limit): a script's usual
        input, decoded and split once per read instead of line by line. Returns where the
        rest begins: still `start` when some line needs `_line`'s care (then all go so)."""
        end = data.rfind(b"\n") + 1
        if end <= start:
            return start
        whole = data[start:end] if start or end < len(data) else data
        if not whole.isascii() or b"\r" in whole or b"/" in whole:
            return start
        lines = whole.decode().split("\n")
        lines.pop()  # what follows the last newline: nothing
        if max(map(len, lines)) > MAX_PAYLOAD or not all(map(str.strip, lines)):
            return start
        self.queue.extend(lines)
        self._queued_bytes += len(whole) - len(lines)
        self._line_number += len(lines)
        return end

    def _collect(self, piece: bytes) -> None:
        if self._discarding:
            self._discarding += len(piece)
        else:
            self._partial += piece
            if len(self._partial) > MAX_PAYLOAD + 1:  # +1: a CR that will be dropped
                self._discarding = len(self._partial)
                self._partial.clear()

    def _line(self, tail: bytes) -> None:
        """A newline (or the end of input) closes the line made of what came before + tail."""
        self._line_number += 1
        if self._discarding:
            size = self._discarding + len(tail)
            self._discarding = 0
            self._skip(f"is {over_the_limit(size)}")
            return
        raw = bytes(self._partial) + tail
        self._partial.clear()
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if len(raw) > MAX_PAYLOAD:
            self._skip(f"is {over_the_limit(len(raw))}")
            return
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            self._skip("is not valid UTF-8")
            return
        if not text.strip():
            return
        if "/" in text and _is_quit(text):
            self.queue.append(Marker.QUIT)
            return
        self.queue.append(text)
        self._queued_bytes += len(text)

    def _skip(self, why: str) -> None:
        self._on_skipped(f"Line {self._line_number} of the input {why}; skipped.")

    def _finish(self) -> None:
        self._ended = True
        self.queue.append(Marker.END_OF_INPUT)
        if self._watching:
            self._reactor.remove_reader(self._fd)
            self._watching = False


def _is_quit(line: str) -> bool:
    """Whether `line` is /q (or /quit, /exit). The commands are loaded only for a line
    with a slash: start-up does not pay for them."""
    from turnchat.session.commands import Command, parse_command

    return parse_command(line)[0] is Command.QUIT

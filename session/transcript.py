"""--log FILE: the conversation written down as it happens, one JSON object a line.

Each message, ours and the peer's, becomes one line such as
`{"time": "2026-11-21T10:15:02.123+01:00", "direction": "in", "from": "ana",
"text": "hi", "mode": "line", "peer": "127.0.0.1:50312"}`, written with one `os.write`
before the message is shown or sent: there is no buffer in this process, so a crash or
SIGKILL loses nothing the kernel has been given. When the disk fills up, a record that
could be written only in part is taken back, so the file always ends with a whole line.
Around the messages, lines with an "event" tell the rest of the story as the user saw it:
`{"time": ..., "event": "notice", "text": "ana connected from 127.0.0.1:50312", "peer":
...}`, "game" for offers, moves and results, and "end" with the sentence and the exit
"status". The text is what was said, not what the screen showed: JSON escapes whatever control
characters it holds. The file is appended to (several conversations and --keep share it)
and made with mode 0600, since a transcript is private.
"""

import contextlib
import json
import os
import stat
from collections.abc import Callable
from datetime import datetime

from turnchat.wire import Mode

FILE_MODE = 0o600  # read and write for the owner only
_LINK_HINT = {"a symbolic link": " (turnchat does not follow links for a transcript: name "
                                 "the file it points to)"}


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file (and
    a folder, which opening refuses in its own words)."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "a device or socket"


class TranscriptError(Exception):
    """The file cannot be opened for writing; the message is one sentence for the user."""


class Transcript:
    """An open transcript file; `record` appends one message."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self._fd = fd
        self._on_failure: Callable[[str], None] | None = None

    @classmethod
    def open(cls, path: str) -> "Transcript":
        """Open `path` to append (creating it 0600), or raise TranscriptError saying why.

        Only a regular file will do: a symbolic link is not followed (the transcript is
        private, and a link could send it elsewhere), and a named pipe or a device is
        refused at once, where opening it could wait for ever for a reader.
        """
        try:
            kind = _kind(os.lstat(path).st_mode)
        except FileNotFoundError:
            kind = None
        except OSError as error:
            raise TranscriptError(f"cannot write the transcript {path!r}: "
                                  f"{error.strerror or error}") from None
        if kind is not None:
            raise TranscriptError(f"{path!r} is {kind}, not a regular file"
                                  + _LINK_HINT.get(kind, ""))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
                         | os.O_NOFOLLOW | os.O_NONBLOCK, FILE_MODE)
        except OSError as error:
            raise TranscriptError(f"cannot write the transcript {path!r}: "
                                  f"{error.strerror or error}") from None
        kind = _kind(os.fstat(fd).st_mode)  # it could have changed since lstat
        if kind is not None:
            os.close(fd)
            raise TranscriptError(f"{path!r} is {kind}, not a regular file")
        os.set_blocking(fd, True)
        return cls(path, fd)

    def on_failure(self, callback: Callable[[str], None]) -> None:
        """Who to tell (once) if a write fails later, e.g. when the disk is full."""
        self._on_failure = callback

    def record(self, direction: str, sender: str, text: str, mode: Mode, peer: str) -> None:
        """Append one message: `direction` is "in" (from the peer) or "out" (ours)."""
        self._write({"direction": direction, "from": sender, "text": text,
                     "mode": mode.value, "peer": peer})

    def note(self, event: str, text: str, peer: str, **more: object) -> None:
        """Append what happened around the messages, as the user was shown it: `event` is
        "notice" (who connected, who was turned away), "game" (offers, moves, results) or
        "end" (how and why the conversation ended, with its exit `status`)."""
        self._write({"event": event, "text": text, "peer": peer, **more})

    def _write(self, fields: dict[str, object]) -> None:
        if self._fd < 0:
            return
        line = json.dumps({
            "time": datetime.now().astimezone().isoformat(timespec="milliseconds"),
            **fields,
        }, ensure_ascii=False) + "\n"
        data = line.encode(errors="replace")  # a lone surrogate typed by our user
        written = 0
        try:
            while written < len(data):  # one write, unless the disk is filling up
                written += os.write(self._fd, data[written:])
        except OSError as error:
            if written:  # take the torn record back: the file ends with a whole line
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, os.lseek(self._fd, 0, os.SEEK_END) - written)
            self.close()
            if self._on_failure is not None:
                self._on_failure(f"Cannot write the transcript {self.path!r} "
                                 f"({error.strerror or error}); it stops here.")

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

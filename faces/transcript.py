"""--log FILE: the conversation written down as it happens, one JSON object a line.

Each message, ours and the peer's, becomes one line such as
`{"time": "2026-11-21T10:15:02.123+01:00", "direction": "in", "from": "ana",
"text": "hi", "mode": "line", "peer": "127.0.0.1:50312"}`, written with one `os.write`
before the message is shown or after it is sent: there is no buffer in this process, so a
crash or SIGKILL loses nothing the kernel has been given. The text is what was said, not
what the screen showed: JSON escapes whatever control characters it holds. The file is
appended to (several conversations and --keep share it) and made with mode 0600, since a
transcript is private.
"""

import json
import os
from collections.abc import Callable
from datetime import datetime

from wire import Mode

FILE_MODE = 0o600  # read and write for the owner only


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
        """Open `path` to append (creating it 0600), or raise TranscriptError saying why."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                         FILE_MODE)
        except OSError as error:
            raise TranscriptError(f"cannot write the transcript {path!r}: "
                                  f"{error.strerror or error}") from None
        return cls(path, fd)

    def on_failure(self, callback: Callable[[str], None]) -> None:
        """Who to tell (once) if a write fails later, e.g. when the disk is full."""
        self._on_failure = callback

    def record(self, direction: str, sender: str, text: str, mode: Mode, peer: str) -> None:
        """Append one message: `direction` is "in" (from the peer) or "out" (ours)."""
        if self._fd < 0:
            return
        line = json.dumps({
            "time": datetime.now().astimezone().isoformat(timespec="milliseconds"),
            "direction": direction,
            "from": sender,
            "text": text,
            "mode": mode.value,
            "peer": peer,
        }, ensure_ascii=False) + "\n"
        data = line.encode(errors="replace")  # a lone surrogate typed by our user
        try:
            while data:
                data = data[os.write(self._fd, data):]
        except OSError as error:
            self.close()
            if self._on_failure is not None:
                self._on_failure(f"Cannot write the transcript {self.path!r} "
                                 f"({error.strerror or error}); it stops here.")

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

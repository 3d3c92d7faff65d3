"""turnchat in a real pty (pexpect), its output rendered by pyte into the screen a person sees."""

import os
import re
import time

import pexpect
import pyte

from tests.processes import WAIT, turnchat_argv


class _AnsweringScreen(pyte.Screen):
    """A screen that answers the cursor position requests a real terminal answers.

    prompt_toolkit draws the bottom toolbar only once it knows how many rows lie below the
    cursor, which it learns from such an answer.
    """

    answer = staticmethod(lambda data: None)

    def write_process_input(self, data: str) -> None:
        self.answer(data)


class TerminalTurnchat:
    def __init__(self, *args: str, rows: int = 30, cols: int = 100,
                 env: dict[str, str] | None = None, plain: bool = False,
                 fault: str | None = None, prefix: tuple[str, ...] = ()) -> None:
        """`plain`: stdin from /dev/null, so turnchat picks its plain face, writing to the
        terminal. `fault`: Python run first, to plant a bug."""
        environment = {**os.environ, "TERM": "xterm-256color"}
        environment.pop("NO_COLOR", None)
        environment.pop("PROMPT_TOOLKIT_NO_CPR", None)
        environment.update(env or {})
        self.screen = _AnsweringScreen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        argv = turnchat_argv(args, fault, prefix)
        if plain:
            argv = ["/bin/sh", "-c", 'exec "$@" < /dev/null', "sh", *argv]
        self.child = pexpect.spawn(argv[0], argv[1:], env=environment,
                                   dimensions=(rows, cols), cwd="/")
        self.screen.answer = lambda data: self.child.send(data.encode())

    def _pump(self, timeout: float) -> None:
        try:
            data = self.child.read_nonblocking(65536, timeout)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            time.sleep(min(timeout, 0.05))
            return
        self.raw += data
        self.stream.feed(data)

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, pattern: str, timeout: float = WAIT) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while not (found := re.search(pattern, self.text)):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} on the screen:\n{self.text}")
            self._pump(0.1)
        return found

    def settle(self, seconds: float = 0.3) -> None:
        """Read whatever arrives for a moment, to see that something does not happen."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._pump(0.05)

    def prompt_line(self) -> str:
        """The line with the prompt, once it is drawn (it vanishes while text prints above)."""
        self.wait_for("you>")
        return [line for line in self.text.splitlines() if "you>" in line][-1]

    def type(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self, timeout: float = WAIT) -> int:
        deadline = time.monotonic() + timeout
        while self.child.isalive():
            if time.monotonic() > deadline:
                raise AssertionError(f"turnchat did not end:\n{self.text}")
            self._pump(0.1)
        self._pump(0.05)
        self.child.close()
        return self.child.exitstatus

    def close_window(self, timeout: float = WAIT) -> int:
        """Close the terminal, as closing its window does (the kernel hangs up on turnchat:
        SIGHUP, and its input fails); return turnchat's exit status."""
        pty = self.child.ptyproc  # closed through its owner, so nothing closes it twice
        pty.fileobj.close()
        pty.fd, pty.closed = -1, True
        self.child.child_fd, self.child.closed = -1, True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.child.pid, os.WNOHANG)
            if pid:
                self.child.terminated = True
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.02)
        raise AssertionError("turnchat did not end after its terminal closed")

    def close(self) -> None:
        if self.child.closed:
            return
        if self.child.isalive():
            self.child.terminate(force=True)

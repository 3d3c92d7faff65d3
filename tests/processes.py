"""Real turnchat processes and raw protocol peers on 127.0.0.1, for end-to-end tests."""

import contextlib
import os
import re
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TURNCHAT = ROOT / "turnchat.py"
WAIT = 15.0  # generous: these machines are shared; a passing test never waits this long


@dataclass
class Result:
    status: int
    out: str
    err: str


class Program:
    """One program with piped stdin, stdout and stderr, read as they come.

    With `typed`, stdin is a terminal (a pty) instead of a pipe, as when a person types
    into a program whose output goes to a pipe; `write` types into it."""

    def __init__(self, argv: list[str], stdin: bytes | None = None,
                 env: dict[str, str] | None = None, typed: bool = False) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        env.pop("TURNCHAT_DEBUG", None)
        self._keyboard: int | None = None
        terminal: int | None = None
        if typed:
            self._keyboard, terminal = os.openpty()
        self.popen = subprocess.Popen(
            argv, stdin=subprocess.PIPE if terminal is None else terminal,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd="/",
        )
        if terminal is not None:
            os.close(terminal)
        self._buffers = {"out": bytearray(), "err": bytearray()}
        self._selector = selectors.DefaultSelector()
        for name, pipe in (("out", self.popen.stdout), ("err", self.popen.stderr)):
            assert pipe is not None
            os.set_blocking(pipe.fileno(), False)
            self._selector.register(pipe, selectors.EVENT_READ, name)
        if stdin is not None:
            self.write(stdin)
            self.close_stdin()

    def write(self, data: bytes) -> None:
        if self._keyboard is not None:
            os.write(self._keyboard, data)
            return
        assert self.popen.stdin is not None
        self.popen.stdin.write(data)
        self.popen.stdin.flush()

    def close_stdin(self) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.close()

    def _pump(self, timeout: float) -> bool:
        """Read what is ready; False once both pipes have ended."""
        if not self._selector.get_map():
            return False
        for key, _ in self._selector.select(timeout):
            data = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
            if data:
                self._buffers[key.data] += data
            else:
                self._selector.unregister(key.fileobj)
        return True

    def text(self, which: str) -> str:
        return self._buffers[which].decode(errors="replace")

    def expect(self, which: str, pattern: str, timeout: float = WAIT) -> re.Match[str]:
        """Wait until stdout ("out") or stderr ("err") matches `pattern`."""
        deadline = time.monotonic() + timeout
        while not (found := re.search(pattern, self.text(which))):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._pump(min(remaining, 0.5)):
                raise AssertionError(
                    f"no {pattern!r} in std{which}; stdout={self.text('out')!r} "
                    f"stderr={self.text('err')!r}"
                )
        return found

    def finish(self, timeout: float = WAIT) -> Result:
        """Wait for the process to end by itself; fail (and kill it) if it does not."""
        deadline = time.monotonic() + timeout
        while self._pump(max(0.0, min(deadline - time.monotonic(), 0.5))):
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"{self.name} did not end; stderr={self.text('err')!r}")
        try:
            status = self.popen.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.name} did not end; stderr={self.text('err')!r}") from None
        return Result(status, self.text("out"), self.text("err"))

    def kill(self, signum: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signum)
            if signum == signal.SIGKILL:
                self.popen.wait(WAIT)

    def close(self) -> None:
        self.kill()
        for pipe in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(BrokenPipeError):
                    pipe.close()
        self._selector.close()
        if self._keyboard is not None:
            os.close(self._keyboard)
            self._keyboard = None

    @property
    def name(self) -> str:
        return Path(self.popen.args[0]).name  # type: ignore[index]


# Runs turnchat with a fault planted first: argv is [root, code to run first, *arguments].
_WITH_FAULT = ("import sys; sys.path.insert(0, sys.argv[1]); exec(sys.argv[2]); "
               "import turnchat; sys.exit(turnchat.main(sys.argv[3:]))")


def turnchat_argv(args: tuple[str, ...], fault: str | None = None,
                  prefix: tuple[str, ...] = ()) -> list[str]:
    """How to start turnchat.py; `fault` is Python run first, to plant a bug; `prefix`
    runs it through another command (`ip netns exec NAME`)."""
    if fault is None:
        return [*prefix, sys.executable, str(TURNCHAT), *args]
    return [*prefix, sys.executable, "-c", _WITH_FAULT, str(ROOT), fault, *args]


class Turnchat(Program):
    """One `python3 turnchat.py ...`."""

    def __init__(self, *args: str, stdin: bytes | None = None,
                 env: dict[str, str] | None = None, fault: str | None = None,
                 typed: bool = False, prefix: tuple[str, ...] = ()) -> None:
        super().__init__(turnchat_argv(args, fault, prefix), stdin, env, typed)

    @property
    def name(self) -> str:
        return "turnchat"


def listening_port(listener: Turnchat) -> int:
    return int(listener.expect("err", r"Listening on 127\.0\.0\.1:(\d+)").group(1))


def free_port() -> int:
    """A port nothing listens on (bound and released; the kernel will not reuse it soon)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RawPeer:
    """A hand-driven protocol peer: a plain socket reading and writing frames by hand."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.settimeout(WAIT)

    @classmethod
    def connect(cls, port: int) -> "RawPeer":
        return cls(socket.create_connection(("127.0.0.1", port), timeout=WAIT))

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise EOFError(f"stream ended after {data!r}")
            data += chunk
        return data

    def read_frame(self) -> tuple[int, bytes]:
        (length,) = struct.unpack(">I", self._exactly(4))
        body = self._exactly(length)
        return body[0], body[1:]

    def read_line(self) -> bytes:
        """One line, newline included (byte by byte: a test's lines are short)."""
        line = b""
        while not line.endswith(b"\n"):
            line += self._exactly(1)
        return line

    def read_all(self) -> bytes:
        """Everything until the other side closes."""
        data = b""
        while chunk := self.sock.recv(65536):
            data += chunk
        return data

    def at_eof(self) -> bool:
        """True if the other side closed (after everything it sent was read)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()

"""The real Magic Wormhole transit relay, for the tests that meet through one.

It is installed by the tests themselves, as nc and socat are installed by CI: into a
virtual environment of its own (`.venv-relay` beside the checkout's `.venv`), because it
brings Twisted, which turnchat must never import. The first test that needs it builds it
(about ten seconds); two test workers wait for each other on a lock. `TransitRelay` runs
`twist transitrelay` on a free port of 127.0.0.1 and stops it by its pid.
"""

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.processes import ROOT, WAIT, free_port

VENV = ROOT / ".venv-relay"
PACKAGE = "magic-wormhole-transit-relay"


def relay_program() -> Path:
    """`twist` from the relay's own environment, made the first time."""
    twist = VENV / "bin" / "twist"
    with open(ROOT / ".venv-relay.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (VENV / ".ready").exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                            "--disable-pip-version-check", PACKAGE], check=True)
            (VENV / ".ready").touch()
    return twist


class TransitRelay:
    """`twist transitrelay` listening on 127.0.0.1:`port` (a free one by default)."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1",
                 prefix: tuple[str, ...] = ()) -> None:
        """`prefix` runs it elsewhere (`ip netns exec NAME`), on `host` there."""
        self.host = host
        self.port = port or free_port()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__; a file, not a pipe: it logs each connection
        self.process = subprocess.Popen(
            [*prefix, str(relay_program()), "transitrelay",
             f"--port=tcp:{self.port}:interface={host}"],
            stdout=self._log, stderr=subprocess.STDOUT, cwd="/",
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        deadline = time.monotonic() + WAIT
        while True:  # twist keeps running when it cannot bind: wait for the port itself
            if prefix:  # not reachable from here: its log says when it listens
                if b"starting on %d" % self.port in self.log():
                    return
            else:
                with contextlib.suppress(OSError), socket.create_connection(
                        (host, self.port), timeout=1):
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the transit relay did not start: {self.log()[-500:]!r}")
            time.sleep(0.05)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> bytes:
        """What the relay wrote so far (it logs each connection)."""
        self._log.seek(0)
        return self._log.read()

    def __enter__(self) -> "TransitRelay":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._log.close()

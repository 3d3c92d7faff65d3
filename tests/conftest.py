"""Fixtures that start real processes and make sure every one of them is stopped."""

from collections.abc import Callable, Iterator

import pytest

from tests.processes import Program, RawPeer, Turnchat
from tests.terminal import TerminalTurnchat


@pytest.fixture
def turnchat() -> Iterator[Callable[..., Turnchat]]:
    """Start `turnchat.py` with the given arguments; all are killed at the end of the test."""
    started: list[Turnchat] = []

    def start(*args: str, stdin: bytes | None = None,
              env: dict[str, str] | None = None) -> Turnchat:
        process = Turnchat(*args, stdin=stdin, env=env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


@pytest.fixture
def program() -> Iterator[Callable[..., Program]]:
    """Start another program (nc, socat); all are killed at the end of the test."""
    started: list[Program] = []

    def start(*argv: str, stdin: bytes | None = None) -> Program:
        process = Program(list(argv), stdin=stdin)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


@pytest.fixture
def raw_peers() -> Iterator[list[RawPeer]]:
    """Raw sockets a test opens; all are closed at the end of the test."""
    peers: list[RawPeer] = []
    yield peers
    for peer in peers:
        peer.close()


@pytest.fixture
def terminal() -> Iterator[Callable[..., TerminalTurnchat]]:
    """Start `turnchat.py` in a real pty; all are killed at the end of the test."""
    started: list[TerminalTurnchat] = []

    def start(*args: str, **options: object) -> TerminalTurnchat:
        term = TerminalTurnchat(*args, **options)  # type: ignore[arg-type]
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()

"""Fixtures that start real processes and make sure every one of them is stopped."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest

from tests.processes import Program, RawPeer, Turnchat
from tests.terminal import TerminalTurnchat


class _Closable(Protocol):
    def close(self) -> None: ...


T = TypeVar("T", bound=_Closable)


def _closed_after(make: Callable[..., T]) -> Iterator[Callable[..., T]]:
    """Yield a starter that remembers what it made; close all of it when the test ends."""
    started: list[T] = []

    def start(*args: Any, **options: Any) -> T:
        started.append(made := make(*args, **options))
        return made

    yield start
    for each in started:
        each.close()


@pytest.fixture
def turnchat() -> Iterator[Callable[..., Turnchat]]:
    """Start `turnchat.py` with the given arguments (and stdin=, env=)."""
    yield from _closed_after(Turnchat)


@pytest.fixture
def program() -> Iterator[Callable[..., Program]]:
    """Start another program (nc, socat): program("nc", "-l", ...)."""
    yield from _closed_after(lambda *argv, stdin=None: Program(list(argv), stdin=stdin))


@pytest.fixture
def terminal() -> Iterator[Callable[..., TerminalTurnchat]]:
    """Start `turnchat.py` in a real pty."""
    yield from _closed_after(TerminalTurnchat)


@pytest.fixture
def homes(tmp_path: Path) -> dict[str, dict[str, str]]:
    """The config folders (XDG_CONFIG_HOME) of bo, ana and eve, as on three machines."""
    return {who: {"XDG_CONFIG_HOME": str(tmp_path / who)} for who in ("bo", "ana", "eve")}


@pytest.fixture
def raw_peers() -> Iterator[list[RawPeer]]:
    """Raw sockets a test opens; all are closed at the end of the test."""
    peers: list[RawPeer] = []
    yield peers
    for peer in peers:
        peer.close()

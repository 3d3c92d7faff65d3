"""Telling our user about strangers turned away, without drowning them.

Each connection the listener drops used to print a line, so 2,000 strangers gave 2,000
lines (and, in the interactive face, 2,000 redraws of the prompt). The first few in a
minute are named one by one, with the reason; the rest are counted by kind and summed up
in one sentence at the end of that minute, or sooner when a peer arrives or the listener
stops, so the summary never lands in the middle of a conversation's start.
"""

from collections import Counter
from collections.abc import Callable

from turnchat.net.reactor import Reactor, TimerHandle

NAMED_PER_MINUTE = 3  # strangers named one by one in a minute; the rest are counted
MINUTE = 60.0


class Kind:
    """What a turned-away stranger was, in the words the summary counts them with. Plain
    strings, not an Enum: creating an Enum class costs every start of a listener."""

    JUNK = "junk"
    PROGRAM = "another program"
    SILENT = "silent"
    BROKE_PROTOCOL = "broke the protocol"
    NO_TLS = "no TLS"
    TLS_FAILED = "TLS handshake failed"
    NOT_PAIRED = "not paired"
    CROWDED = "too many waiting"


class TurnedAwayReport:
    """Names the first few strangers dropped in a minute; counts and sums up the rest."""

    def __init__(self, reactor: Reactor, on_notice: Callable[[str], None]) -> None:
        self._reactor = reactor
        self._on_notice = on_notice
        self._named = 0
        self._counted: Counter[str] = Counter()
        self._minute: TimerHandle | None = None

    def dropped(self, origin: str, why: str, kind: str) -> None:
        """One stranger from `origin` was turned away because `why`; `kind` is a Kind."""
        if self._minute is None:
            self._minute = self._reactor.call_later(MINUTE, self._minute_over)
        if self._named < NAMED_PER_MINUTE:
            self._named += 1
            self._on_notice(f"Dropped a connection from {origin}: {why}.")
        else:
            self._counted[kind] += 1

    def flush(self) -> None:
        """Say now how many were counted and not named (a peer arrived, or we stop)."""
        counted = self._counted.total()
        if counted:
            kinds = ", ".join(f"{number} {kind}"
                              for kind, number in self._counted.most_common())
            self._on_notice(f"{counted} more connection{'s' if counted > 1 else ''} turned "
                            f"away in the last minute ({kinds}).")
            self._counted.clear()

    def _minute_over(self) -> None:
        self._minute = None
        self.flush()
        self._named = 0

    def close(self) -> None:
        self.flush()
        if self._minute is not None:
            self._minute.cancel()
            self._minute = None

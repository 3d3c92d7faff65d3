"""Resume, swept: the scripted conversation of tests/resume_harness.py, cut once at every
byte offset of each direction (plain and TLS, FIN and reset), and cut again at every
offset of the resume itself. Each run must show both people every message exactly once,
in order, the same game result, and end with status 0 within the deadline.

`make test` runs a stride of each sweep; the full sweeps carry the `sweep` marker and
run in CI (`make sweep`). The naive designs the prototype rejected are kept below as
variants that the same sweep must catch, so that the harness keeps its teeth.
"""

import functools

import pytest

from tests.relay import DOWN, UP, Cut
from tests.resume_harness import Outcome, converse
from turnchat.net import link as link_module
from turnchat.roles import starting
from turnchat.wire.resume import Ledger

TLS_MARGIN = 128  # bytes past the counted handshake: more than its last flight (about 80)
STRIDE = 13  # make test: every 13th offset, starting at a different one for each sweep


@functools.cache
def uncut(tls: bool) -> Outcome:
    outcome = converse({}, tls=tls)
    assert outcome.faults() == [] and outcome.connections == 1
    return outcome


def offsets(tls: bool, direction: str, stride: int, start: int = 0) -> list[int]:
    """Every byte offset of the first connection in `direction` after any TLS handshake
    (a cut inside it fails the first connection, before any conversation), strided."""
    outcome = uncut(tls)
    first = outcome.handshake_up if direction == UP else outcome.handshake_down
    if tls:  # the relay's count at the handshake's end may lag its last flight by a record
        first += TLS_MARGIN
    total = outcome.up if direction == UP else outcome.down
    return list(range(first + start % stride, total, stride))


def check(cuts: dict[int, Cut], tls: bool = False, heartbeat: float = 5.0) -> None:
    outcome = converse(cuts, tls=tls, heartbeat=heartbeat)
    assert outcome.faults() == [], (cuts, outcome.ana.notices, outcome.bo.notices)


def test_uncut_the_script_runs_once_on_one_connection() -> None:
    outcome = uncut(False)
    assert outcome.ana.messages == ["hello ana", "fine; a game?", "thanks ☺"]
    assert outcome.bo.messages == ["hi bo", "how are you?", "good game", "bye for now"]
    assert outcome.bo.ending is not None
    assert outcome.bo.ending.message == "You left the conversation; ana was told."
    assert not any("reconnect" in notice.lower() for notice in outcome.ana.notices)


def _sweep_cases(stride: int) -> list:
    cases = []
    for tls in (False, True):
        for direction in (UP, DOWN):
            cases.append(pytest.param(tls, direction, stride,
                                      id=f"{'tls' if tls else 'plain'}-{direction}"))
    return cases


def _sweep(tls: bool, direction: str, stride: int) -> list[str]:
    failures = []
    for number, offset in enumerate(offsets(tls, direction, stride, start=stride // 2)):
        how = "close" if number % 2 else "reset"
        outcome = converse({0: Cut(direction, offset, how)}, tls=tls)
        if outcome.faults():
            failures.append(f"{direction} {offset} {how}: {outcome.faults()}")
    return failures


@pytest.mark.parametrize(("tls", "direction", "stride"), _sweep_cases(STRIDE))
def test_a_cut_at_every_offset_strided(tls: bool, direction: str, stride: int) -> None:
    assert _sweep(tls, direction, stride) == []


@pytest.mark.sweep
@pytest.mark.parametrize(("tls", "direction", "stride"), _sweep_cases(1))
def test_a_cut_at_every_offset(tls: bool, direction: str, stride: int) -> None:
    assert _sweep(tls, direction, stride) == []


def _resume_cuts(tls: bool, stride: int, directions: tuple[str, ...] = (UP, DOWN)) -> list[str]:
    """The first connection reset in the middle of the game; the second (the resume
    handshake, under TLS its TLS handshake too, and the resend) cut at every offset of
    each direction; the third clean."""
    middle = (uncut(tls).handshake_up + uncut(tls).up) // 2
    failures = []
    for direction in directions:
        limit = 1400 if tls else 400
        for offset in range(stride // 3, limit, stride):
            cuts = {0: Cut(UP, middle, "reset"), 1: Cut(direction, offset, "close")}
            outcome = converse(cuts, tls=tls)
            if outcome.faults():
                failures.append(f"resume cut {direction} {offset}: {outcome.faults()}")
    return failures


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
def test_the_resume_itself_cut_strided(tls: bool) -> None:
    """Under TLS every 39th offset (the TLS handshake makes it 1,400 offsets a direction,
    each a whole conversation); make sweep cuts at every one."""
    assert _resume_cuts(tls, 3 * STRIDE if tls else STRIDE) == []


@pytest.mark.sweep
@pytest.mark.parametrize("direction", [UP, DOWN])
@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
def test_the_resume_itself_cut_at_every_offset(tls: bool, direction: str) -> None:
    assert _resume_cuts(tls, 1, (direction,)) == []


@pytest.mark.parametrize("offset", [40, 150, 250])
@pytest.mark.parametrize("direction", [UP, DOWN])
def test_a_silent_connection_is_found_by_the_heartbeat_and_replaced(
        direction: str, offset: int) -> None:
    """A black hole (a dead NAT): nothing more arrives either way and no FIN comes; with a
    0.1 s heartbeat the silence is found, and a new connection takes over. At 40 bytes
    the greeting is under way (no session yet): its time (here 0.5 s) runs out, and the
    connector greets again on a new connection."""
    outcome = converse({0: Cut(direction, offset, "silent")}, heartbeat=0.1, timeout=0.5)
    assert outcome.faults() == []
    assert outcome.connections == 2


SILENCE_STRIDE = 4  # a black hole is found by waiting out the heartbeat: about 1 s a run


@pytest.mark.sweep
@pytest.mark.parametrize("direction", [UP, DOWN])
def test_silence_at_every_fourth_offset(direction: str) -> None:
    failures = []
    for offset in offsets(False, direction, SILENCE_STRIDE):
        outcome = converse({0: Cut(direction, offset, "silent")}, heartbeat=0.1, timeout=0.5)
        if outcome.faults():
            failures.append(f"{direction} {offset}: {outcome.faults()}")
    assert failures == []


def test_a_quitter_whose_ack_was_cut_off_learns_from_the_tombstone_that_it_was_heard() -> None:
    """ana's QUIT reaches bo, but the connection resets before bo's ACK of it comes back:
    ana redials, and bo, which has ended, still answers RESUME with its count."""
    script = [("ana", "hi"), ("bo", "yo"), ("ana", "/q")]
    whole = converse({}, script=script)
    assert whole.faults() == []
    ack = 13  # the last frame down: bo's ACK of ana's QUIT; one byte of it goes through
    outcome = converse({0: Cut(DOWN, whole.down - ack + 1, "reset")}, script=script)
    assert outcome.faults() == []
    assert outcome.connections == 2
    assert outcome.ana.ending is not None
    assert outcome.ana.ending.message == "You left the conversation; bo was told."
    assert outcome.bo.ending is not None
    assert outcome.bo.ending.message == "ana left the conversation."


# -- the naive designs: the same sweep must catch each ------------------------------------


def _caught(monkeypatch: pytest.MonkeyPatch, stride: int = 7) -> list[str]:
    """Sweep (strided) until four runs fail: a naive design stalls or loses messages, and
    a stall is judged after 3 s rather than the usual deadline."""
    failures: list[str] = []
    for direction in (UP, DOWN):
        for offset in offsets(False, direction, stride):
            outcome = converse({0: Cut(direction, offset, "reset")}, deadline_seconds=3.0)
            if outcome.faults():
                failures.append(f"{direction} {offset}")
                if len(failures) > 3:
                    return failures
    return failures


def test_the_sweep_catches_a_resume_that_resends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def resend_nothing(self: Ledger, count: int) -> bytes:
        Ledger.acknowledge(self, self.sent)
        return b""

    monkeypatch.setattr(Ledger, "resend_after", resend_nothing)
    assert len(_caught(monkeypatch)) > 3


def test_the_sweep_catches_a_resume_that_resends_the_last_turn(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the peer's count says, the frame that ended our last turn goes again."""
    real = Ledger.resend_after

    def resend_last_turn(self: Ledger, count: int) -> bytes:
        real(self, count)
        return getattr(self, "_last", b"")

    real_passing = Ledger.passing

    def passing(self: Ledger, frame_bytes: bytes) -> None:
        self._last = frame_bytes  # type: ignore[attr-defined]
        real_passing(self, frame_bytes)

    monkeypatch.setattr(Ledger, "resend_after", resend_last_turn)
    monkeypatch.setattr(Ledger, "passing", passing)
    assert len(_caught(monkeypatch)) > 3


def test_the_sweep_catches_one_decoder_for_the_whole_session(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Half a frame left from the dead connection joined to the next one's bytes."""
    shared: dict[int, object] = {}
    real_link = link_module.Link

    class SessionDecoderLink(real_link):  # type: ignore[misc, valid-type]
        """Every connection of one chat reads through the chat's first decoder."""

        def __init__(self, reactor, sock, decoder, on_frame, *rest, **named) -> None:  # type: ignore[no-untyped-def]
            kept = shared.setdefault(id(on_frame.__self__), decoder)
            if kept is not decoder:
                kept.ended = False  # type: ignore[attr-defined]
            super().__init__(reactor, sock, kept, on_frame, *rest, **named)

    monkeypatch.setattr(starting, "Link", SessionDecoderLink)
    assert len(_caught(monkeypatch, stride=3)) > 3

"""The game offer and a secret's opening, as a table: every phase by every step, driven
through real matches and compared with the table written out here from docs/PROTOCOL.md."""

from collections.abc import Callable

import pytest

from turnchat.games.base import IllegalMove
from turnchat.games.match import STEPS, GameBroken, Match, Phase
from turnchat.wire import Play

P = Phase
EXPECTED = {  # (phase, step) -> the phase after it; every other cell is refused
    (P.FREE, "we offer"): P.WE_OFFERED,
    (P.FREE, "they offer"): P.THEY_OFFERED,
    (P.WE_OFFERED, "they accept"): P.PLAYING,
    (P.WE_OFFERED, "they decline"): P.FREE,
    (P.THEY_OFFERED, "we accept"): P.PLAYING,
    (P.THEY_OFFERED, "we decline"): P.FREE,
    (P.PLAYING, "we move"): P.PLAYING,
    (P.PLAYING, "they move"): P.PLAYING,
    (P.PLAYING, "we resign"): P.FREE,
    (P.PLAYING, "they resign"): P.FREE,
    (P.OPENING_OWED, "they reveal"): P.FREE,
}
STEP_NAMES = ["we offer", "we accept", "we decline", "we move", "we resign", "they offer",
              "they accept", "they decline", "they move", "they resign", "they reveal"]


def in_phase(phase: Phase, mover: str = "we") -> tuple[Match, Match]:
    """(bo, ana) with bo's table in `phase`; when playing, `mover` is to move."""
    bo, ana = Match("bo", "ana"), Match("ana", "bo")
    if phase is P.WE_OFFERED:
        ana.receive(bo.offer("tictactoe", "")[0])
    elif phase is P.THEY_OFFERED:
        bo.receive(ana.offer("tictactoe", "")[0])
    elif phase is P.PLAYING:
        bo.receive(ana.offer("tictactoe", "")[0])
        ana.receive(bo.accept()[0])  # bo accepted: bo moves first
        if mover == "they":
            ana.receive(bo.move(5)[0])
    elif phase is P.OPENING_OWED:  # bo guessed at ana's word, and resigned
        bo.receive(ana.offer("hangman", "apple")[0])
        ana.receive(bo.accept()[0])
        ana.receive(bo.resign()[0])
    assert bo.phase is phase
    return bo, ana


def steps(bo: Match, ana: Match) -> dict[str, Callable[[], object]]:
    def reveal() -> object:
        automatic = ana.automatic()
        return bo.receive(automatic[0] if automatic else Play("reveal", {"opening": {}}))

    return {
        "we offer": lambda: bo.offer("connect4", ""),
        "we accept": bo.accept,
        "we decline": bo.decline,
        "we move": lambda: bo.move(1),
        "we resign": bo.resign,
        "they offer": lambda: bo.receive(Play("offer", {"game": "connect4"})),
        "they accept": lambda: bo.receive(Play("accept", {})),
        "they decline": lambda: bo.receive(Play("decline", {})),
        "they move": lambda: bo.receive(Play("move", {"move": 1})),
        "they resign": lambda: bo.receive(Play("resign", {})),
        "they reveal": reveal,
    }


@pytest.mark.parametrize("step", STEP_NAMES)
@pytest.mark.parametrize("phase", list(Phase))
def test_every_phase_by_every_step(phase: Phase, step: str) -> None:
    bo, ana = in_phase(phase, "they" if step == "they move" else "we")
    expected = EXPECTED.get((phase, step))
    if expected is None:
        with pytest.raises(GameBroken if step.startswith("they") else IllegalMove):
            steps(bo, ana)[step]()
        assert bo.phase is phase  # refused: nothing changed
    else:
        steps(bo, ana)[step]()
        assert bo.phase is expected


def test_the_code_table_allows_exactly_the_cells_of_this_one() -> None:
    assert {cell for cell in STEPS if cell[1] in STEP_NAMES} == set(EXPECTED)
    for cell, after in EXPECTED.items():
        assert after in STEPS[cell]


def test_a_game_that_ends_and_a_secret_that_is_owed() -> None:
    bo, ana = in_phase(P.PLAYING)
    for mover, other, cell in ((bo, ana, 1), (ana, bo, 4), (bo, ana, 2), (ana, bo, 5)):
        other.receive(mover.move(cell)[0])
    ana.receive(bo.move(3)[0])  # three in a row: the move ends the game
    assert bo.phase is P.FREE and ana.phase is P.FREE
    bo, ana = in_phase(P.OPENING_OWED)
    assert ana.phase is P.FREE  # ana's own secret: it owes, bo waits

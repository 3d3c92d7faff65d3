"""Nim, a fourth game written the way a contributor would add one: this one file, and one
line in the registry (`REGISTRY["nim"] = "tests.fourth_game:Nim"`), nothing else.

Ten stones; each move takes 1, 2 or 3; whoever takes the last stone wins.
"""

from __future__ import annotations

from turnchat.games.base import FIRST, SECOND, Game, IllegalMove, Move, Outcome

STONES = 10


class Nim(Game):
    name = "nim"
    title = "Nim"
    how_to_move = "take 1, 2 or 3 stones"
    move_help = "1, 2 or 3 stones"
    marks = ("first", "second")

    __slots__ = ("_left", "_taken")

    def __init__(self, left: int, taken: int) -> None:
        self._left, self._taken = left, taken  # stones left, moves made

    @classmethod
    def new(cls) -> Nim:
        return cls(STONES, 0)

    def to_move(self) -> int | None:
        return None if self._left == 0 else (FIRST, SECOND)[self._taken % 2]

    def legal_moves(self) -> list[Move]:
        return list(range(1, min(3, self._left) + 1)) if self._left else []

    def parse_move(self, typed: str, bare: bool = False) -> Move | None:
        text = typed.strip()
        return int(text) if text in ("1", "2", "3") else None

    def apply(self, move: Move) -> Nim:
        if self._left == 0:
            raise IllegalMove("The game is over.")
        if type(move) is not int or move not in self.legal_moves():
            raise IllegalMove(f"Take 1 to {min(3, self._left)} stones.")
        return Nim(self._left - move, self._taken + 1)

    def outcome(self) -> Outcome | None:
        if self._left:
            return None
        return Outcome((FIRST, SECOND)[(self._taken - 1) % 2], "took the last stone")

    def render(self) -> str:
        return "o " * self._left + f"({self._left} left)"

    def describe(self, move: Move) -> str:
        return f"took {move}"

"""Connect Four: drop discs into 7 columns of 6; four in a row in any direction wins.

X (the first seat) drops first. A move is a column number 1-7, on the wire as well; the
disc falls to the lowest empty place. A full board with no four in a row is a draw.
"""

from __future__ import annotations

from turnchat.games.base import FIRST, SECOND, Game, IllegalMove, Move, Outcome

COLUMNS, ROWS = 7, 6
CONNECT = 4
_DIRECTIONS = ((1, 0), (0, 1), (1, 1), (1, -1))  # across, up, and the two diagonals


class ConnectFour(Game):
    name = "connect4"
    title = "Connect Four"
    how_to_move = "a column number 1-7"
    move_help = "a column 1-7"
    marks = ("X", "O")

    __slots__ = ("_columns", "_outcome")

    def __init__(self, columns: tuple[tuple[int, ...], ...], outcome: Outcome | None) -> None:
        self._columns = columns  # each column from the bottom up
        self._outcome = outcome

    @classmethod
    def new(cls) -> ConnectFour:
        return cls(((),) * COLUMNS, None)

    def to_move(self) -> int | None:
        if self._outcome is not None:
            return None
        discs = sum(len(column) for column in self._columns)
        return FIRST if discs % 2 == 0 else SECOND

    def legal_moves(self) -> list[Move]:
        if self._outcome is not None:
            return []
        return [index + 1 for index, column in enumerate(self._columns) if len(column) < ROWS]

    def parse_move(self, typed: str, bare: bool = False) -> Move | None:
        text = typed.strip()
        if len(text) == 1 and "1" <= text <= str(COLUMNS):
            return int(text)
        return None

    def apply(self, move: Move) -> ConnectFour:
        seat = self.to_move()
        if seat is None:
            raise IllegalMove("The game is over.")
        if type(move) is not int or not 1 <= move <= COLUMNS:
            raise IllegalMove(f"A Connect Four move is a column number from 1 to {COLUMNS}.")
        if len(self._columns[move - 1]) == ROWS:
            raise IllegalMove(f"Column {move} is full.")
        columns = list(self._columns)
        columns[move - 1] += (seat,)
        return ConnectFour(tuple(columns), _judge(columns, move - 1, seat))

    def outcome(self) -> Outcome | None:
        return self._outcome

    def describe(self, move: Move) -> str:
        return f"dropped a disc into column {move}"

    def render(self) -> str:
        lines = ["  " + "   ".join(str(number) for number in range(1, COLUMNS + 1))]
        for row in reversed(range(ROWS)):
            cells = (
                self.marks[column[row]] if row < len(column) else " "
                for column in self._columns
            )
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("+" + "---+" * COLUMNS)
        return "\n".join(lines)


def _mark_at(columns: list[tuple[int, ...]], x: int, y: int) -> int | None:
    if 0 <= x < COLUMNS and 0 <= y < len(columns[x]):
        return columns[x][y]
    return None


def _judge(columns: list[tuple[int, ...]], x: int, seat: int) -> Outcome | None:
    """The outcome after `seat` dropped into column x: only lines through that disc count."""
    y = len(columns[x]) - 1
    for dx, dy in _DIRECTIONS:
        run = 1
        for sign in (1, -1):
            step = 1
            while _mark_at(columns, x + sign * step * dx, y + sign * step * dy) == seat:
                run += 1
                step += 1
        if run >= CONNECT:
            return Outcome(seat, "four in a row")
    if all(len(column) == ROWS for column in columns):
        return Outcome(None, "the board is full")
    return None

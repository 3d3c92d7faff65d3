"""Tic-tac-toe: three in a row on a 3x3 board. X (the first seat) moves first.

Cells are numbered 1-9 like the lines of a page (1 2 3 across the top), or named by column
letter and row number: a1 is the top left, b2 the centre, c3 the bottom right. A move on
the wire is the cell number.
"""

from __future__ import annotations

import re

from turnchat.games.base import FIRST, SECOND, Game, IllegalMove, Move, Outcome

SIZE = 3
_LINES = (
    (0, 1, 2), (3, 4, 5), (6, 7, 8),  # rows
    (0, 3, 6), (1, 4, 7), (2, 5, 8),  # columns
    (0, 4, 8), (2, 4, 6),  # diagonals
)
_COORDINATE = re.compile(r"([abc])([123])|([123])([abc])")


def cell_name(cell: int) -> str:
    """Cell 1-9 as a coordinate: 5 is b2."""
    row, column = divmod(cell - 1, SIZE)
    return f"{'abc'[column]}{row + 1}"


class TicTacToe(Game):
    name = "tictactoe"
    title = "tic-tac-toe"
    how_to_move = "a cell 1-9 (1 2 3 is the top row) or a coordinate a1-c3 (b2 is the centre)"
    move_help = "a cell 1-9 (1 2 3 is the top row) or a1-c3 (b2 centre)"
    marks = ("X", "O")

    __slots__ = ("_board", "_outcome")

    def __init__(self, board: tuple[int | None, ...], outcome: Outcome | None) -> None:
        self._board = board
        self._outcome = outcome

    @classmethod
    def new(cls) -> TicTacToe:
        return cls((None,) * (SIZE * SIZE), None)

    def to_move(self) -> int | None:
        if self._outcome is not None:
            return None
        return FIRST if self._board.count(None) % 2 == 1 else SECOND

    def legal_moves(self) -> list[Move]:
        if self._outcome is not None:
            return []
        return [index + 1 for index, mark in enumerate(self._board) if mark is None]

    def parse_move(self, typed: str, bare: bool = False) -> Move | None:
        text = typed.strip().lower()
        if len(text) == 1 and text in "123456789":
            return int(text)
        match = _COORDINATE.fullmatch(text)
        if match is None:
            return None
        letter = match.group(1) or match.group(4)
        digit = match.group(2) or match.group(3)
        return (int(digit) - 1) * SIZE + "abc".index(letter) + 1

    def apply(self, move: Move) -> TicTacToe:
        seat = self.to_move()
        if seat is None:
            raise IllegalMove("The game is over.")
        if type(move) is not int or not 1 <= move <= SIZE * SIZE:
            raise IllegalMove("A tic-tac-toe move is a cell number from 1 to 9.")
        if self._board[move - 1] is not None:
            raise IllegalMove(f"Cell {move} ({cell_name(move)}) is taken.")
        board = list(self._board)
        board[move - 1] = seat
        return TicTacToe(tuple(board), _judge(board, seat))

    def outcome(self) -> Outcome | None:
        return self._outcome

    def describe(self, move: Move) -> str:
        return f"took cell {move} ({cell_name(move)})"

    def render(self) -> str:
        def shown(index: int) -> str:
            mark = self._board[index]
            return str(index + 1) if mark is None else self.marks[mark]

        rows = [
            f" {row + 1}   " + " | ".join(shown(row * SIZE + column) for column in range(SIZE))
            for row in range(SIZE)
        ]
        return "\n".join(["     a   b   c", ("\n" + "    ---+---+---\n").join(rows)])


def _judge(board: list[int | None], seat: int) -> Outcome | None:
    """The outcome after `seat` moved: only the mover can have just won."""
    for a, b, c in _LINES:
        if board[a] == seat and board[b] == seat and board[c] == seat:
            return Outcome(seat, "three in a row")
    if None not in board:
        return Outcome(None, "the board is full")
    return None

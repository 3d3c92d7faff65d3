"""The one interface every game implements, and the words its rules speak.

A game is pure rules: no sockets, no terminal, no clock. Its state is a value that `apply`
replaces with the next one, so both sides can hold the whole game and check every move.
A move is the small JSON value that crosses the wire (a cell number, a column, a guess),
so the same `apply` checks what our user typed and what the peer sent; a move that breaks
the rules raises `IllegalMove` with a sentence, whoever made it.

Seats: `FIRST` makes the first move and is the player who accepted the offer; `SECOND`
offered (and, in hangman, chose the word).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

FIRST, SECOND = 0, 1
Move = Any  # a JSON value: int, str, list or dict, as each game defines


class IllegalMove(Exception):
    """The rules forbid this move; the message is a sentence for the user."""


class Cheated(Exception):
    """The peer's side of a secret (hangman's word) does not match what it committed to."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a game ended: the winning seat (None for a draw) and why, in a few words."""

    winner: int | None
    how: str


class Game(ABC):
    """The state of one game, as both players can see it."""

    __slots__ = ()
    name: ClassVar[str]  # after /play, and in the offer on the wire
    title: ClassVar[str]  # in sentences
    how_to_move: ClassVar[str]  # the move syntax, in "Your move" sentences
    move_help: ClassVar[str]  # the move syntax in /help: short, one line
    marks: ClassVar[tuple[str, str]]  # what each seat is called on the board
    secret: ClassVar[str] = ""  # what follows `/play NAME` and is kept hidden ("word")

    @classmethod
    def offer_title(cls, setup: dict[str, Any]) -> str:
        """What the peer's offer (with these setup fields, already checked) is called."""
        return cls.title

    def opened(self, opening: dict[str, Any], offerer: str) -> str:
        """The sentence for an opening `check_opening` accepted."""
        return f"{offerer}'s secret was opened, and every answer was true."

    # -- starting ------------------------------------------------------------------------

    @classmethod
    def offered(cls, argument: str) -> tuple[Game, dict[str, Any]]:
        """The offerer's game, and the setup fields its offer carries.

        `argument` is what followed `/play NAME` (hangman's word); raise IllegalMove if it
        is wrong. Most games take none.
        """
        if argument:
            raise IllegalMove(f"{cls.title} takes nothing after its name.")
        return cls.new(), {}

    @classmethod
    def accepted(cls, setup: dict[str, Any]) -> Game:
        """The accepting side's game, from the setup fields of the peer's offer."""
        return cls.new()

    @classmethod
    @abstractmethod
    def new(cls) -> Game:
        """A game before its first move."""

    # -- playing -------------------------------------------------------------------------

    @abstractmethod
    def to_move(self) -> int | None:
        """The seat whose move it is, or None when the game is over."""

    @abstractmethod
    def legal_moves(self) -> list[Move]:
        """Every move the player to move may make, as far as this side can know."""

    @abstractmethod
    def parse_move(self, typed: str, bare: bool = False) -> Move | None:
        """The move `typed` means, or None if it does not look like a move at all.

        `bare` when the user typed it as a plain line rather than after /m: a game refuses
        here the forms that read like talk (a whole word in hangman). Only the form is
        checked; `apply` judges whether the move is allowed.
        """

    @abstractmethod
    def apply(self, move: Move) -> Game:
        """The game after the player to move makes `move`; IllegalMove if it may not."""

    @abstractmethod
    def outcome(self) -> Outcome | None:
        """How the game ended, or None while it goes on."""

    @abstractmethod
    def render(self) -> str:
        """The board in ASCII, at most 80 columns, the same on both sides."""

    def describe(self, move: Move) -> str:
        """What `move`, about to be made here, did, after a name: "took cell 5 (b2)"."""
        return f"moved {move}"

    # -- moves a client makes by itself, and secrets opened at the end ---------------------

    def is_settled(self) -> bool:
        """False while a move waits for the automatic answer that completes it."""
        return True

    def automatic_seat(self) -> int | None:
        """The seat whose every move this side's client makes by itself, if any."""
        return None

    def automatic_move(self) -> Move | None:
        """A move this side's client makes without its user (hangman's answers)."""
        return None

    def opening(self) -> dict[str, Any] | None:
        """What this side reveals when the game ends (hangman's word and salt)."""
        return None

    def awaits_opening(self) -> bool:
        """Whether the peer owes this side an opening once the game is over."""
        return False

    def check_opening(self, opening: dict[str, Any]) -> None:
        """Check the peer's opening against everything it said; Cheated if it lied."""
        raise IllegalMove("this game has no secret to open")

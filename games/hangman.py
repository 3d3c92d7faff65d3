"""Hangman with a committed word: the setter cannot change it or lie about a letter.

The offerer (the second seat) sets a secret word of MIN_LETTERS..MAX_LETTERS letters a-z.
Its offer carries only the length and a commitment, SHA-256 over a random salt followed by
the word, so the word never crosses the wire while the game goes on. The guesser (the first
seat) guesses a letter, or the whole word, one guess a turn; the setter's client answers
each guess by itself (the letter's positions, or whether the word is right). Six wrong
guesses hang the guesser; every letter found wins.

When the game ends the setter's client opens the commitment (word and salt) and the
guesser's client checks it: the hash, the length, and that every answer was true of that
word. Answers that already contradict each other are refused the moment they arrive.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import textwrap
from typing import Any

from turnchat.games.base import FIRST, SECOND, Cheated, Game, IllegalMove, Move, Outcome

MIN_LETTERS, MAX_LETTERS = 2, 20  # shorter is no game; longer crowds an 80-column line
MAX_MISSES = 6  # head, body, two arms, two legs
SALT_BYTES = 16  # enough that nobody can try every word of the length against the hash
_WORD = re.compile(f"[a-z]{{{MIN_LETTERS},{MAX_LETTERS}}}")
_HEX_DIGEST = re.compile("[0-9a-f]{64}")
_HEX_SALT = re.compile(f"[0-9a-f]{{{2 * SALT_BYTES}}}")

_GALLOWS = (  # one picture per number of misses, 0..MAX_MISSES
    ("", "", ""), (" O", "", ""), (" O", " |", ""), (" O", "/|", ""), (" O", "/|\\", ""),
    (" O", "/|\\", "/"), (" O", "/|\\", "/ \\"),
)


def commitment_of(word: str, salt: bytes) -> str:
    """SHA-256 over the salt bytes followed by the word's bytes, in lowercase hex."""
    return hashlib.sha256(salt + word.encode()).hexdigest()


class Hangman(Game):
    name = "hangman"
    title = "hangman"
    how_to_move = "a letter a-z, or /m WORD to guess the whole word"
    move_help = "a letter a-z, or /m WORD to guess the whole word"
    secret = "word"
    marks = ("guesser", "setter")

    __slots__ = ("_answers", "_commitment", "_misses", "_outcome", "_pending", "_revealed",
                 "_secret")

    def __init__(self, commitment: str, revealed: tuple[str | None, ...],
                 secret: tuple[str, bytes] | None) -> None:
        self._commitment = commitment
        self._revealed = revealed
        self._secret = secret  # (word, salt) on the setter's side only
        self._answers: tuple[tuple[str, Any], ...] = ()  # every guess with its answer
        self._misses: tuple[str, ...] = ()
        self._pending: str | None = None  # a guess waiting for its answer
        self._outcome: Outcome | None = None

    # -- starting ------------------------------------------------------------------------

    @classmethod
    def offered(cls, argument: str) -> tuple[Hangman, dict[str, Any]]:
        word = argument.strip().lower()
        if not word:
            raise IllegalMove("Hangman needs a secret word: /play hangman WORD.")
        if not _WORD.fullmatch(word):
            raise IllegalMove(f"The secret word must be {MIN_LETTERS} to {MAX_LETTERS} "
                              "letters a-z, with no spaces.")
        salt = secrets.token_bytes(SALT_BYTES)
        commitment = commitment_of(word, salt)
        game = cls(commitment, (None,) * len(word), (word, salt))
        return game, {"length": len(word), "commitment": commitment}

    @classmethod
    def accepted(cls, setup: dict[str, Any]) -> Hangman:
        length, commitment = setup.get("length"), setup.get("commitment")
        if type(length) is not int or not MIN_LETTERS <= length <= MAX_LETTERS:
            raise IllegalMove(f"a hangman word has {MIN_LETTERS} to {MAX_LETTERS} letters")
        if not isinstance(commitment, str) or not _HEX_DIGEST.fullmatch(commitment):
            raise IllegalMove("a hangman offer needs a SHA-256 commitment in hex")
        return cls(commitment, (None,) * length, None)

    @classmethod
    def offer_title(cls, setup: dict[str, Any]) -> str:
        return f"hangman with a {setup['length']}-letter word"

    def opened(self, opening: dict[str, Any], offerer: str) -> str:
        return (f"The word was {opening['word']}: {offerer}'s offer committed to it and every "
                "answer was true.")

    @classmethod
    def new(cls) -> Hangman:
        raise TypeError("a hangman game starts from an offer with a word")

    def _with(self, **changes: Any) -> Hangman:
        game = Hangman(self._commitment, self._revealed, self._secret)
        game._answers, game._misses = self._answers, self._misses
        game._pending, game._outcome = self._pending, self._outcome
        for name, value in changes.items():
            setattr(game, f"_{name}", value)
        return game

    # -- playing -------------------------------------------------------------------------

    def to_move(self) -> int | None:
        if self._outcome is not None:
            return None
        return SECOND if self._pending is not None else FIRST

    def legal_moves(self) -> list[Move]:
        seat = self.to_move()
        if seat == FIRST:
            tried = {guess for guess, _ in self._answers}
            return [{"guess": letter} for letter in "abcdefghijklmnopqrstuvwxyz"
                    if letter not in tried]
        automatic = self.automatic_move()
        return [] if automatic is None else [automatic]  # the guesser cannot know the word

    def parse_move(self, typed: str, bare: bool = False) -> Move | None:
        text = typed.strip().lower()
        if self.to_move() != FIRST or not text.isascii() or not text.isalpha():
            return None
        if len(text) == 1 or not bare:
            return {"guess": text}
        return None

    def apply(self, move: Move) -> Hangman:
        seat = self.to_move()
        if seat is None:
            raise IllegalMove("The game is over.")
        if seat == FIRST:
            return self._guess(move)
        return self._answer(move)

    def _guess(self, move: Move) -> Hangman:
        guess = move.get("guess") if isinstance(move, dict) and len(move) == 1 else None
        if not isinstance(guess, str) or not guess.isascii() or not guess.isalpha():
            raise IllegalMove("A hangman guess is a letter a-z or a whole word.")
        if guess != guess.lower():
            raise IllegalMove("A hangman guess is written in lowercase.")
        if len(guess) > 1 and len(guess) != len(self._revealed):
            raise IllegalMove(f"The word has {len(self._revealed)} letters; "
                              f"{guess} has {len(guess)}.")
        if any(guess == earlier for earlier, _ in self._answers):
            raise IllegalMove(f"{guess} was already guessed.")
        return self._with(pending=guess)

    def _answer(self, move: Move) -> Hangman:
        guess = self._pending
        assert guess is not None
        if len(guess) == 1:
            positions = move.get("positions") if isinstance(move, dict) and len(move) == 1 \
                else None
            if not _is_position_list(positions, len(self._revealed)):
                raise IllegalMove("A hangman answer to a letter is its positions in the word.")
            if any(self._revealed[place - 1] is not None for place in positions):
                raise IllegalMove("the answer puts a letter where another was already found")
            revealed = list(self._revealed)
            for place in positions:
                revealed[place - 1] = guess
            misses = self._misses if positions else (*self._misses, guess)
            answer: Any = sorted(positions)
        else:
            right = move.get("right") if isinstance(move, dict) and len(move) == 1 else None
            if not isinstance(right, bool):
                raise IllegalMove("A hangman answer to a word says whether it is right.")
            if right and (contradiction := self._contradiction(guess)):
                raise IllegalMove(f"the answer says {guess} is right, but {contradiction}")
            revealed = list(guess) if right else list(self._revealed)
            misses = self._misses if right else (*self._misses, guess)
            answer = right
        outcome = None
        if None not in revealed:
            outcome = Outcome(FIRST, "the word was found")
        elif len(misses) >= MAX_MISSES:
            outcome = Outcome(SECOND, "hanged")
        return self._with(revealed=tuple(revealed), misses=misses, pending=None,
                          answers=(*self._answers, (guess, answer)), outcome=outcome)

    def outcome(self) -> Outcome | None:
        return self._outcome

    def is_settled(self) -> bool:
        return self._pending is None

    def describe(self, move: Move) -> str:
        guess = self._pending
        if guess is None:
            guess = move["guess"]
            return f"guessed the letter {guess}" if len(guess) == 1 else f"guessed the word {guess}"
        if len(guess) > 1:
            return f"answered: {guess} is {'right' if move['right'] else 'wrong'}"
        positions = move["positions"]
        return f"answered: {guess} is at {_places(sorted(positions))}" if positions \
            else f"answered: {guess} is not in the word"

    def render(self) -> str:
        head, body, legs = _GALLOWS[min(len(self._misses), MAX_MISSES)]
        word = " ".join(letter or "_" for letter in self._revealed)
        missed = textwrap.fill(
            f"Missed: {', '.join(self._misses) or 'none'}   ({len(self._misses)} of "
            f"{MAX_MISSES})", width=79, initial_indent=" ", subsequent_indent=" " * 9)
        return "\n".join([
            "   +---+",
            "   |   |",
            f"  {head:<3}  |",
            f"  {body:<3}  |",
            f"  {legs:<3}  |",
            "       |",
            " =========",
            f" Word:   {word}   ({len(self._revealed)} letters)",
            missed,
        ])

    # -- the setter's answers and the opening ------------------------------------------------

    def automatic_seat(self) -> int | None:
        return SECOND if self._secret is not None else None

    def automatic_move(self) -> Move | None:
        if self._secret is None or self._pending is None or self._outcome is not None:
            return None
        word, guess = self._secret[0], self._pending
        if len(guess) == 1:
            return {"positions": [place + 1 for place, letter in enumerate(word)
                                  if letter == guess]}
        return {"right": guess == word}

    def opening(self) -> dict[str, Any] | None:
        if self._secret is None:
            return None
        word, salt = self._secret
        return {"word": word, "salt": salt.hex()}

    def awaits_opening(self) -> bool:
        return self._secret is None

    def check_opening(self, opening: dict[str, Any]) -> None:
        word, salt = opening.get("word"), opening.get("salt")
        if not isinstance(word, str) or not isinstance(salt, str) \
                or not _HEX_SALT.fullmatch(salt):
            raise Cheated("its opening of the hangman word is malformed")
        if commitment_of(word, bytes.fromhex(salt)) != self._commitment:
            raise Cheated(f"the word it revealed, {word!r}, is not the word it committed to "
                          "when it offered the game")
        if len(word) != len(self._revealed) or not _WORD.fullmatch(word):
            raise Cheated(f"the word it revealed, {word!r}, is not the promised "
                          f"{len(self._revealed)} letters a-z")
        if contradiction := self._contradiction(word):
            raise Cheated(f"it lied about the word {word!r}: {contradiction}")

    def _contradiction(self, word: str) -> str | None:
        """How the answers received so far are false of `word`, or None if all are true."""
        for guess, answer in self._answers:
            if len(guess) > 1:
                if answer != (guess == word):
                    return f"it answered that {guess} was {'right' if answer else 'wrong'}"
                continue
            truth = [place + 1 for place, letter in enumerate(word) if letter == guess]
            if answer != truth:
                said = f"at {_places(answer)}" if answer else "not in the word"
                real = f"at {_places(truth)}" if truth else "not in it"
                return f"it answered that {guess} was {said}, but it is {real}"
        return None


def _places(positions: list[int]) -> str:
    return ("position " if len(positions) == 1 else "positions ") + \
        ", ".join(str(place) for place in positions)


def _is_position_list(positions: object, length: int) -> bool:
    return (
        isinstance(positions, list)
        and all(type(place) is int and 1 <= place <= length for place in positions)
        and len(set(positions)) == len(positions)
    )

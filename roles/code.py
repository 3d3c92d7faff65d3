"""Pairing codes: `NAMEPLATE-ODDWORD-EVENWORD`, made to be read aloud, as magic-wormhole's.

The nameplate (a number) says which code is meant, and is no secret: a listener that has
moved on to a new code refuses an old one before any cryptography. The two words are the
secret: one "odd" and one "even" word of the PGP word list (roles/pgp_words.txt), 16 bits,
so one online guess succeeds with probability 1/65,536, and SPAKE2 allows no offline test.
A word that is not in its list is caught before connecting, with a suggestion.
"""

import difflib
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

NAMEPLATES = 999  # 1..999: short to say; it only tells one code from the one before


class CodeError(ValueError):
    """The code as typed cannot be right; str() is a sentence for the person."""


@dataclass(frozen=True)
class Code:
    nameplate: str
    odd: str
    even: str

    def __str__(self) -> str:
        return f"{self.nameplate}-{self.odd}-{self.even}"


@cache
def _words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(odd words, even words), 256 each, in byte order."""
    odd, even = [], []
    for line in (Path(__file__).parent / "pgp_words.txt").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            _, even_word, odd_word = line.split()
            odd.append(odd_word)
            even.append(even_word)
    return tuple(odd), tuple(even)


def new_code(not_nameplate: str = "") -> Code:
    """A fresh code; its nameplate differs from `not_nameplate` (the code it replaces)."""
    odd, even = _words()
    while (nameplate := str(secrets.randbelow(NAMEPLATES) + 1)) == not_nameplate:
        pass
    return Code(nameplate, secrets.choice(odd), secrets.choice(even))


def parse_code(text: str) -> Code:
    """The code the person typed (any case, hyphens or spaces between the parts); raise
    CodeError with a sentence that says what is wrong and, for a misspelt word, what it
    probably is."""
    parts = text.strip().lower().replace(" ", "-").split("-")
    parts = [part for part in parts if part]
    if len(parts) != 3:
        raise CodeError(f"{text.strip()!r} is not a pairing code: it has three parts, a "
                        "number and two words, as in 7-crossover-clockwork.")
    nameplate, first, second = parts
    if not nameplate.isdigit() or not 1 <= int(nameplate) <= NAMEPLATES:
        raise CodeError(f"the code must begin with a number from 1 to {NAMEPLATES}, not "
                        f"{nameplate!r}.")
    odd, even = _words()
    if first in even and second in odd:
        raise CodeError(f"the words are swapped: the code is {int(nameplate)}-{second}-{first}.")
    for word, words, which in ((first, odd, "first"), (second, even, "second")):
        if word not in words:
            raise CodeError(_not_a_word(word, words, odd + even, which))
    return Code(str(int(nameplate)), first, second)


def _not_a_word(word: str, words: tuple[str, ...], every: tuple[str, ...], which: str) -> str:
    sentence = f"{word!r} is not a word of the list"
    if word in every:
        return f"{sentence} for the {which} word: check the order of the words."
    close = difflib.get_close_matches(word, words, n=1, cutoff=0.6)
    return f"{sentence}; did you mean {close[0]}?" if close else f"{sentence}; check the code."

"""The games two people can play inside a conversation, one module each.

A game is one file holding a `Game` subclass (games/base.py says what it must do) and one
line in REGISTRY. Modules are imported when a game is first named, so a conversation
that plays nothing never loads them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from turnchat.games.base import Game

REGISTRY = {  # the name after /play and on the wire: "module:class"
    "tictactoe": "turnchat.games.tictactoe:TicTacToe",
    "connect4": "turnchat.games.connect4:ConnectFour",
    "hangman": "turnchat.games.hangman:Hangman",
}


def game_named(name: str) -> type[Game] | None:
    """The game called `name` (as typed after /play, or sent in an offer), or None."""
    where = REGISTRY.get(name)
    if where is None:
        return None
    module, _, attribute = where.partition(":")
    # __import__ with a fromlist returns the module itself; importlib would cost start-up.
    return getattr(__import__(module, fromlist=[attribute]), attribute)  # type: ignore[no-any-return]

"""Games at the chat's table: the user's game commands out, the peer's GAME frames in.

`GameTable` drives a `Match` (games/match.py, pure) for the `Chat`: it checks the turn,
sends each step through the chat's link, shows what happened, makes the moves our client
makes by itself (hangman's answers), and holds one message the hangman setter types
while the guesser thinks, to send with the next answer in the same turn. The games load
only when a game is first named.
"""

from __future__ import annotations

from typing import Any, Protocol

from turnchat.games import REGISTRY, game_named
from turnchat.games.base import IllegalMove
from turnchat.games.match import GameBroken, Match
from turnchat.session.commands import Command
from turnchat.session.sanitize import sanitize
from turnchat.wire import LocalProtocolError, Play


class MoveRefused(LocalProtocolError):
    """What was typed as our move cannot be made. Retyped as it is, it would be refused
    again, so a face lets it go instead of keeping it as a draft."""


class Host(Protocol):
    """What the table needs of the conversation it sits in (session/chat.py's Chat)."""

    my_name: str
    peer_name: str
    ending: object | None

    @property
    def peer_games(self) -> tuple[str, ...] | None: ...

    @property
    def my_turn(self) -> bool: ...
    @property
    def view(self) -> GameView: ...
    def send_play(self, play: Play) -> None: ...
    def send_text(self, text: str) -> None: ...
    def refuse(self, reason: str, sentence: str) -> None: ...


class GameView(Protocol):
    def show_game(self, text: str) -> None: ...


class GameTable:
    """The games of one conversation, as the faces reach them through the chat."""

    def __init__(self, chat: Host) -> None:
        self._chat = chat
        self._match: Match | None = None
        self.held: str | None = None  # the setter's message that goes with the next answer

    @property
    def match(self) -> Match:
        if self._match is None:
            self._match = Match(self._chat.my_name, self._chat.peer_name)
        return self._match

    @property
    def playing(self) -> bool:
        return self._match is not None and self._match.game is not None

    # -- what our user does ----------------------------------------------------------------

    def command(self, command: Command, argument: str) -> None:
        """Carry out a game command; LocalProtocolError with a sentence if it cannot be."""
        match = self.match
        if command is Command.SCORE:
            self._show([match.score()])
            return
        self._check_my_turn()
        try:
            if command is Command.PLAY:
                name, _, word = argument.partition(" ")
                if not name:
                    raise IllegalMove("Say which game: /play tictactoe, /play connect4 or "
                                      "/play hangman WORD.")
                self._check_peer_has(name.lower())
                step = match.offer(name.lower(), word.strip())
            elif command is Command.ACCEPT:
                step = match.accept()
            elif command is Command.DECLINE:
                step = match.decline()
            elif command is Command.RESIGN:
                step = match.resign()
            else:
                try:
                    step = match.move(self._parsed(argument))
                except IllegalMove as error:
                    raise MoveRefused(str(error)) from None
        except IllegalMove as error:
            raise LocalProtocolError(str(error)) from None
        self._send(*step)

    def _check_peer_has(self, name: str) -> None:
        games = self._chat.peer_games
        if games is not None and name in REGISTRY and name not in games:
            raise IllegalMove(f"{self._chat.peer_name}'s turnchat has no {name}.")

    def check_offer(self, name: str) -> None:
        """Raise LocalProtocolError with the sentence if `/play NAME` could not go now:
        asked before a face asks for the game's secret, not after."""
        self._check_my_turn()
        try:
            self._check_peer_has(name.lower())
            self.match.can_offer()
        except IllegalMove as error:
            raise LocalProtocolError(str(error)) from None

    @staticmethod
    def secret_of(name: str) -> str:
        """What `/play NAME` asks for hidden when nothing follows it ("word"), or ""."""
        game = game_named(name.lower()) if name.lower() in REGISTRY else None
        return game.secret if game is not None else ""

    def bare_move(self, text: str) -> bool:
        """If `text` alone is a move in the game on the table, make it and return True.

        On our move (our turn, the game waiting for us) anything else is refused: a slip
        (`8` in Connect Four, `5a1`) must not go to the peer as chat and give the turn
        away without a move. Talking then takes `/say`.
        """
        match = self.match
        move = match.parse_move(text, bare=True)
        if move is None:
            game = match.game
            if game is not None and match.my_move() and self._chat.my_turn:
                raise MoveRefused(f"{text.strip()!r} is not a {game.title} move; a move is "
                                  f"{game.how_to_move} (/say TEXT talks instead).")
            return False
        if not match.my_move():
            raise LocalProtocolError(f"It is {self._chat.peer_name}'s move; /say {text.strip()} "
                                     "sends it as a message.")
        self._check_my_turn()
        try:
            step = match.move(move)
        except IllegalMove as error:
            raise MoveRefused(str(error)) from None
        self._send(*step)
        return True

    def can_hold(self) -> bool:
        """Whether a message typed now, off our turn, can wait for our next automatic move."""
        match = self._match
        return self.held is None and match is not None and match.plays_for_me()

    # -- what the peer does ----------------------------------------------------------------

    def receive(self, play: Play) -> None:
        try:
            lines = self.match.receive(play)
        except GameBroken as broken:
            self._chat.refuse(broken.reason, broken.sentence)
            return
        self._show(lines)
        while self._chat.ending is None and (step := self.match.automatic()) is not None:
            play, lines = step
            held, talk = self.held, play.kind == "move" and self.held is not None
            if talk:
                play = Play("move", {**play.fields, "keep_turn": True})
            self._send(play, lines)
            if talk and held is not None:
                self.held = None
                self._chat.send_text(held)

    def peer_talked(self) -> None:
        """Our turn came by a message: a held message goes now."""
        held, self.held = self.held, None
        if held is not None:
            self._chat.send_text(held)

    # -- shared ------------------------------------------------------------------------------

    def _parsed(self, typed: str) -> Any:
        game = self.match.game
        if game is None:
            raise IllegalMove("There is no game on; /play starts one.")
        if not typed.strip():
            raise IllegalMove(f"/m needs a move: {game.how_to_move}.")
        move = game.parse_move(typed, bare=False)
        if move is None:
            if not self.match.my_move():
                raise IllegalMove(f"It is {self._chat.peer_name}'s move.")
            raise IllegalMove(f"{typed!r} is not a {game.title} move; a move is "
                              f"{game.how_to_move}.")
        return move

    def _check_my_turn(self) -> None:
        if not self._chat.my_turn:
            raise LocalProtocolError(f"It is {self._chat.peer_name}'s turn; game steps too "
                                     "wait for yours.")

    def _send(self, play: Play, lines: list[str]) -> None:
        self._chat.send_play(play)
        self._show(lines)

    def _show(self, lines: list[str]) -> None:
        self._chat.view.show_game("\n".join(sanitize(line) for line in lines))


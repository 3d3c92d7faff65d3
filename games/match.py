"""The games of one conversation, from our side: offers, the game on the table, the tally.

`Match` knows the steps every game shares (offer, accept or decline, move, resign, and
hangman-style openings) and nothing of any one game's rules, which it asks of the `Game`
on the table. It is pure: our user's actions come back as the `Play` to send, the peer's
`Play` as lines to show, and a peer that breaks a game's rules raises `GameBroken`.
Both sides run the same code on the same moves, so both hold the same board.

Seats: whoever accepts an offer takes the first seat and moves first; the offerer chose
the game (and in hangman the word).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from turnchat.games import REGISTRY, game_named
from turnchat.games.base import FIRST, SECOND, Cheated, Game, IllegalMove, Outcome
from turnchat.wire.events import Play

MAX_UNKNOWN_NAME = 32  # of a game we lack, as we repeat it


class GameBroken(Exception):
    """The peer broke a game's rules or lied: the conversation ends with ERROR(reason)."""

    def __init__(self, reason: str, sentence: str) -> None:
        super().__init__(reason)
        self.reason = reason  # short, for the ERROR frame
        self.sentence = sentence  # what our user is told, naming the peer


@dataclass
class Tally:
    """Games won by each side and drawn, in this conversation."""

    mine: int = 0
    theirs: int = 0
    draws: int = 0

    def count(self, winner_is_me: bool | None) -> None:
        if winner_is_me is None:
            self.draws += 1
        elif winner_is_me:
            self.mine += 1
        else:
            self.theirs += 1


@dataclass
class _Offer:
    by_me: bool
    game: type[Game]
    prepared: Game | None = None  # the offerer's own game, set up with its secret
    setup: dict[str, Any] = field(default_factory=dict)


class Match:
    """Everything game-related in one conversation, from our user's side."""

    def __init__(self, my_name: str, peer_name: str) -> None:
        self.my_name = my_name
        self.peer_name = peer_name
        self.game: Game | None = None
        self.my_seat = FIRST
        self.tally = Tally()
        self._offer: _Offer | None = None
        self._awaiting_opening: Game | None = None  # ended; the peer still owes its opening
        self._reveal: dict[str, Any] | None = None  # the peer resigned: our secret to open
        self._unknown_offer: str | None = None  # offered a game we lack: decline it

    # -- what our user may do ------------------------------------------------------------

    def offer(self, name: str, argument: str) -> tuple[Play, list[str]]:
        self._check_no_game()
        if self._offer is not None:
            raise IllegalMove(self._open_offer_sentence())
        game = game_named(name)
        if game is None:
            raise IllegalMove(f"There is no game called {name!r}; the games are "
                              f"{', '.join(REGISTRY)}.")
        prepared, setup = game.offered(argument)
        self._offer = _Offer(True, game, prepared, setup)
        return Play("offer", {"game": name, **setup}), [
            f"You offered {game.title}; {self.peer_name} may /accept (and move first) "
            "or /decline."]

    def accept(self) -> tuple[Play, list[str]]:
        offer = self._peer_offer()
        self._offer = None
        self._start(offer.game.accepted(offer.setup), FIRST)
        return Play("accept", {}), self._started_lines(offer.game, "You accepted")

    def decline(self) -> tuple[Play, list[str]]:
        offer = self._peer_offer()
        self._offer = None
        return Play("decline", {}), [f"You declined {offer.game.title}."]

    def move(self, move: Any) -> tuple[Play, list[str]]:
        game = self._my_move_game()
        after = game.apply(move)
        return self._moved(Play("move", {"move": move}), game, after, by_me=True)

    def resign(self) -> tuple[Play, list[str]]:
        game = self.game
        if game is None:
            raise IllegalMove("There is no game to resign.")
        fields: dict[str, Any] = {}
        if (opening := game.opening()) is not None:
            fields["opening"] = opening
        lines = [f"You resigned; {self.peer_name} won."]
        lines += self._finish(game, Outcome(1 - self.my_seat, "resigned"))
        return Play("resign", fields), lines

    def score(self) -> str:
        tally = self.tally
        draws = f"{tally.draws} draw{'' if tally.draws == 1 else 's'}"
        return f"Score: {self.my_name} {tally.mine}, {self.peer_name} {tally.theirs}, {draws}."

    # -- what our user is told about the game on the table ---------------------------------

    def parse_move(self, typed: str, bare: bool) -> Any:
        """The move `typed` is in the game on the table, or None if it is not one."""
        return None if self.game is None else self.game.parse_move(typed, bare)

    def plays_for_me(self) -> bool:
        """Whether our client makes our moves by itself in the game on the table."""
        return self.game is not None and self.game.automatic_seat() == self.my_seat

    def my_move(self) -> bool:
        return self.game is not None and self.game.to_move() == self.my_seat

    def automatic(self) -> tuple[Play, list[str]] | None:
        """A step our client takes by itself now (hangman's answer or its reveal), made."""
        if self._unknown_offer is not None:
            self._unknown_offer = None
            return Play("decline", {}), []
        if self._reveal is not None:
            play, self._reveal = Play("reveal", {"opening": self._reveal}), None
            return play, []
        game = self.game
        if game is None or game.to_move() != self.my_seat:
            return None
        move = game.automatic_move()
        return None if move is None else self.move(move)

    # -- what the peer does ------------------------------------------------------------------

    def receive(self, play: Play) -> list[str]:
        """Apply the peer's step; the lines to show. GameBroken if it breaks the rules."""
        try:
            return getattr(self, f"_receive_{play.kind}")(play.fields)
        except IllegalMove as error:
            reason = str(error).rstrip(".")
            raise GameBroken(f"illegal {play.kind}: {reason}",
                             f"{self.peer_name} sent an illegal {play.kind} ({reason})") \
                from None
        except Cheated as error:
            raise GameBroken(f"cheated: {error}",
                             f"{self.peer_name} cheated: {error}") from None

    def _receive_offer(self, fields: dict[str, Any]) -> list[str]:
        if self.game is not None or self._awaiting_opening is not None:
            raise IllegalMove("an offer while a game is on")
        if self._offer is not None:
            raise IllegalMove("an offer while another is open")
        fields = dict(fields)
        name = fields.pop("game", None)
        if not isinstance(name, str):
            raise IllegalMove("an offer that names no game")
        game = game_named(name)
        if game is None:  # a game of a newer turnchat: declined, the conversation goes on
            self._unknown_offer = name[:MAX_UNKNOWN_NAME]
            return [f"{self.peer_name} offered {self._unknown_offer!r}, a game this turnchat "
                    "does not have; declined."]
        game.accepted(fields)  # a malformed setup is refused now, not when accepted
        self._offer = _Offer(False, game, setup=fields)
        return [f"{self.peer_name} offers {game.offer_title(fields)}: /accept (you move "
                "first) or /decline."]

    def _receive_accept(self, fields: dict[str, Any]) -> list[str]:
        offer = self._my_open_offer()
        self._offer = None
        assert offer.prepared is not None
        self._start(offer.prepared, SECOND)
        return self._started_lines(offer.game, f"{self.peer_name} accepted")

    def _receive_decline(self, fields: dict[str, Any]) -> list[str]:
        offer = self._my_open_offer()
        self._offer = None
        return [f"{self.peer_name} declined {offer.game.title}."]

    def _receive_move(self, fields: dict[str, Any]) -> list[str]:
        game = self.game
        if game is None:
            raise IllegalMove("a move with no game on")
        if game.to_move() != 1 - self.my_seat:
            raise IllegalMove("a move out of turn")
        after = game.apply(fields.get("move"))
        opened = []
        if after.outcome() is not None and after.awaits_opening():
            opened = self._open(after, fields.get("opening"))
        return self._moved(Play("move", fields), game, after, by_me=False)[1] + opened

    def _receive_resign(self, fields: dict[str, Any]) -> list[str]:
        game = self.game
        if game is None:
            raise IllegalMove("a resignation with no game on")
        opened = self._open(game, fields.get("opening")) if game.awaits_opening() else []
        lines = [f"{self.peer_name} resigned; you won."]
        lines += self._finish(game, Outcome(self.my_seat, "resigned"))
        self._reveal = game.opening()
        return lines + opened

    def _receive_reveal(self, fields: dict[str, Any]) -> list[str]:
        game = self._awaiting_opening
        if game is None:
            raise IllegalMove("a reveal with nothing to open")
        self._awaiting_opening = None
        return self._open(game, fields.get("opening"))

    # -- shared steps ------------------------------------------------------------------------

    def _start(self, game: Game, my_seat: int) -> None:
        self.game, self.my_seat = game, my_seat

    def _started_lines(self, game: type[Game], who_accepted: str) -> list[str]:
        table = self.game
        assert table is not None
        first, second = (self.my_name, self.peer_name) if self.my_seat == FIRST \
            else (self.peer_name, self.my_name)
        marks = table.marks
        return [f"{who_accepted}: {game.title}, {first} ({marks[FIRST]}) moves first, "
                f"{second} is {marks[SECOND]}.", table.render(), self._whose_move(table)]

    def _moved(self, play: Play, before: Game, after: Game, by_me: bool) -> tuple[Play, list[str]]:
        who = "You" if by_me else self.peer_name
        lines = [f"{who} {before.describe(play.fields['move'])}."]
        self.game = after
        outcome = after.outcome()
        if outcome is None:
            if after.is_settled():
                lines += [after.render(), self._whose_move(after)]
            return play, lines
        lines.append(after.render())
        if by_me and (opening := after.opening()) is not None:
            play = Play("move", {**play.fields, "opening": opening})
        return play, lines + self._finish(after, outcome)

    def _finish(self, game: Game, outcome: Outcome) -> list[str]:
        self.game = None
        if outcome.how == "resigned" and game.awaits_opening() and outcome.winner != self.my_seat:
            self._awaiting_opening = game  # we resigned: the opening comes in a reveal
        if outcome.winner is None:
            ending = f"Game over: a draw ({outcome.how})."
            self.tally.count(None)
        else:
            winner_is_me = outcome.winner == self.my_seat
            name = "you" if winner_is_me else self.peer_name
            ending = f"Game over: {name} won ({outcome.how})."
            self.tally.count(winner_is_me)
        return [ending, self.score()]

    def _open(self, game: Game, opening: Any) -> list[str]:
        if not isinstance(opening, dict):
            raise Cheated(f"it ended {game.title} without opening its commitment")
        game.check_opening(opening)
        return [game.opened(opening, self.peer_name)]

    def _whose_move(self, game: Game) -> str:
        if game.to_move() == self.my_seat:
            return f"Your move ({game.marks[self.my_seat]}): {game.how_to_move}."
        return f"{self.peer_name}'s move ({game.marks[1 - self.my_seat]})."

    # -- refusals ----------------------------------------------------------------------------

    def _check_no_game(self) -> None:
        if self.game is not None:
            raise IllegalMove(f"A game of {self.game.title} is on; /resign ends it.")
        if self._awaiting_opening is not None:
            secret = self._awaiting_opening.secret or "secret"
            raise IllegalMove(f"Waiting for {self.peer_name}'s client to reveal the {secret}.")

    def _open_offer_sentence(self) -> str:
        assert self._offer is not None
        if self._offer.by_me:
            return f"Your offer of {self._offer.game.title} is waiting for {self.peer_name}."
        return f"{self.peer_name} offered {self._offer.game.title}: /accept or /decline first."

    def _peer_offer(self) -> _Offer:
        if self._offer is None or self._offer.by_me:
            raise IllegalMove(f"{self.peer_name} has not offered a game.")
        return self._offer

    def _my_open_offer(self) -> _Offer:
        if self._offer is None or not self._offer.by_me:
            raise IllegalMove("an answer to no offer")
        return self._offer

    def _my_move_game(self) -> Game:
        game = self.game
        if game is None:
            raise IllegalMove("There is no game on; /play starts one.")
        if game.to_move() != self.my_seat:
            raise IllegalMove(f"It is {self.peer_name}'s move.")
        return game

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
from enum import Enum, auto
from typing import Any

from turnchat.games import REGISTRY, game_named
from turnchat.games.base import FIRST, SECOND, Cheated, Game, IllegalMove, Outcome
from turnchat.wire.events import Play

MAX_UNKNOWN_NAME = 32  # of a game we lack, as we repeat it


class Phase(Enum):
    """Where the table of one conversation stands; derived from what the match holds."""

    FREE = auto()  # no game and no offer: either side may offer
    WE_OFFERED = auto()
    THEY_OFFERED = auto()
    PLAYING = auto()
    OPENING_OWED = auto()  # we resigned a game whose secret the peer holds: its reveal is due


# The steps of the game offer and of a secret's opening: (phase, step) -> the phases it may
# lead to. A step that is not here is refused: our user's with a sentence, the peer's as
# GameBroken. What a move may be is for the game on the table to say; this table only says
# when a move, an offer or an answer may come at all.
STEPS: dict[tuple[Phase, str], frozenset[Phase]] = {
    (Phase.FREE, "we offer"): frozenset({Phase.WE_OFFERED}),
    (Phase.FREE, "they offer"): frozenset({Phase.THEY_OFFERED, Phase.FREE}),  # FREE: unknown
    (Phase.WE_OFFERED, "they accept"): frozenset({Phase.PLAYING}),
    (Phase.WE_OFFERED, "they decline"): frozenset({Phase.FREE}),
    (Phase.THEY_OFFERED, "we accept"): frozenset({Phase.PLAYING}),
    (Phase.THEY_OFFERED, "we decline"): frozenset({Phase.FREE}),
    (Phase.PLAYING, "we move"): frozenset({Phase.PLAYING, Phase.FREE}),  # FREE: game over
    (Phase.PLAYING, "they move"): frozenset({Phase.PLAYING, Phase.FREE}),
    (Phase.PLAYING, "we resign"): frozenset({Phase.FREE, Phase.OPENING_OWED}),
    (Phase.PLAYING, "they resign"): frozenset({Phase.FREE}),
    (Phase.OPENING_OWED, "they reveal"): frozenset({Phase.FREE}),
}


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

    @property
    def phase(self) -> Phase:
        if self.game is not None:
            return Phase.PLAYING
        if self._awaiting_opening is not None:
            return Phase.OPENING_OWED
        if self._offer is not None:
            return Phase.WE_OFFERED if self._offer.by_me else Phase.THEY_OFFERED
        return Phase.FREE

    def can_offer(self) -> None:
        """Raise IllegalMove with the reason if we could not offer a game now (so that a
        secret is not asked for in vain)."""
        self._check("we offer")

    def offer(self, name: str, argument: str) -> tuple[Play, list[str]]:
        self._check("we offer")
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
        self._check("we accept")
        offer = self._offer
        assert offer is not None
        self._offer = None
        self._start(offer.game.accepted(offer.setup), FIRST)
        return Play("accept", {}), self._started_lines(offer.game, "You accepted")

    def decline(self) -> tuple[Play, list[str]]:
        self._check("we decline")
        offer = self._offer
        assert offer is not None
        self._offer = None
        return Play("decline", {}), [f"You declined {offer.game.title}."]

    def move(self, move: Any) -> tuple[Play, list[str]]:
        self._check("we move")
        game = self.game
        assert game is not None
        if game.to_move() != self.my_seat:
            raise IllegalMove(f"It is {self.peer_name}'s move.")
        after = game.apply(move)
        return self._moved(Play("move", {"move": move}), game, after, by_me=True)

    def resign(self) -> tuple[Play, list[str]]:
        self._check("we resign")
        game = self.game
        assert game is not None
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
        self._check("they offer")
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
        self._check("they accept")
        offer = self._offer
        assert offer is not None
        self._offer = None
        assert offer.prepared is not None
        self._start(offer.prepared, SECOND)
        return self._started_lines(offer.game, f"{self.peer_name} accepted")

    def _receive_decline(self, fields: dict[str, Any]) -> list[str]:
        self._check("they decline")
        offer = self._offer
        assert offer is not None
        self._offer = None
        return [f"{self.peer_name} declined {offer.game.title}."]

    def _receive_move(self, fields: dict[str, Any]) -> list[str]:
        self._check("they move")
        game = self.game
        assert game is not None
        if game.to_move() != 1 - self.my_seat:
            raise IllegalMove("a move out of turn")
        after = game.apply(fields.get("move"))
        opened = []
        if after.outcome() is not None and after.awaits_opening():
            opened = self._open(after, fields.get("opening"))
        return self._moved(Play("move", fields), game, after, by_me=False)[1] + opened

    def _receive_resign(self, fields: dict[str, Any]) -> list[str]:
        self._check("they resign")
        game = self.game
        assert game is not None
        opened = self._open(game, fields.get("opening")) if game.awaits_opening() else []
        lines = [f"{self.peer_name} resigned; you won."]
        lines += self._finish(game, Outcome(self.my_seat, "resigned"))
        self._reveal = game.opening()
        return lines + opened

    def _receive_reveal(self, fields: dict[str, Any]) -> list[str]:
        self._check("they reveal")
        game = self._awaiting_opening
        assert game is not None
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
            how = outcome.how
            if how == "resigned":  # say who did: "ana won (resigned)" read as ana giving up
                how = f"{self.peer_name if winner_is_me else 'you'} resigned"
            ending = f"Game over: {name} won ({how})."
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

    def _check(self, step: str) -> None:
        """Refuse `step` if the table (STEPS) does not allow it in this phase."""
        phase = self.phase
        if (phase, step) in STEPS:
            return
        if step == "they offer" and phase in (Phase.WE_OFFERED, Phase.THEY_OFFERED):
            raise IllegalMove("an offer while another is open")
        if step.startswith("they "):  # the peer's: a reason for its ERROR
            raise IllegalMove(_PEER_REFUSALS[step])
        raise IllegalMove(self._refusal(step, phase))

    def _refusal(self, step: str, phase: Phase) -> str:
        """Our user's step refused in `phase`, in a sentence."""
        if step == "we offer":
            if phase is Phase.PLAYING:
                assert self.game is not None
                return f"A game of {self.game.title} is on; /resign ends it."
            if phase is Phase.OPENING_OWED:
                assert self._awaiting_opening is not None
                secret = self._awaiting_opening.secret or "secret"
                return f"Waiting for {self.peer_name}'s client to reveal the {secret}."
            assert self._offer is not None
            if self._offer.by_me:
                return f"Your offer of {self._offer.game.title} is waiting for {self.peer_name}."
            return (f"{self.peer_name} offered {self._offer.game.title}: /accept or /decline "
                    "first.")
        if step in ("we accept", "we decline"):
            return f"{self.peer_name} has not offered a game."
        if step == "we resign":
            return "There is no game to resign."
        return "There is no game on; /play starts one."


_PEER_REFUSALS = {  # the peer's step refused: the reason its ERROR carries
    "they offer": "an offer while a game is on",
    "they accept": "an answer to no offer",
    "they decline": "an answer to no offer",
    "they move": "a move with no game on",
    "they resign": "a resignation with no game on",
    "they reveal": "a reveal with nothing to open",
}

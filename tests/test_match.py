"""The match, pure: two sides play through offers, moves, resignations and openings, and
every cheat a peer could try is caught as GameBroken."""

import pytest

from turnchat.games.base import IllegalMove
from turnchat.games.hangman import Hangman
from turnchat.games.match import GameBroken, Match
from turnchat.wire import Play


def table() -> tuple[Match, Match]:
    """(ana, bo): ana offers, so bo moves first."""
    return Match("ana", "bo"), Match("bo", "ana")


def send(sender: Match, receiver: Match, step: tuple[Play, list[str]]) -> list[str]:
    play, _ = step
    lines = receiver.receive(play)
    while (automatic := receiver.automatic()) is not None:  # the receiver's client answers
        lines += sender.receive(automatic[0])
    return lines


def started(name: str, argument: str = "") -> tuple[Match, Match]:
    ana, bo = table()
    send(ana, bo, ana.offer(name, argument))
    send(bo, ana, bo.accept())
    return ana, bo


def test_offer_accept_and_a_whole_game_of_tictactoe() -> None:
    ana, bo = table()
    play, lines = ana.offer("tictactoe", "")
    assert play == Play("offer", {"game": "tictactoe"})
    assert bo.receive(play) == ["ana offers tic-tac-toe: /accept (you move first) or /decline."]
    play, lines = bo.accept()
    assert lines[0] == "You accepted: tic-tac-toe, bo (X) moves first, ana is O."
    seen = ana.receive(play)
    assert seen[0] == "bo accepted: tic-tac-toe, bo (X) moves first, ana is O."
    assert seen[1] == lines[1] and seen[2] == "bo's move (X)."
    for mover, other, cell in ((bo, ana, 1), (ana, bo, 4), (bo, ana, 2), (ana, bo, 5)):
        send(mover, other, mover.move(cell))
    play, mine = bo.move(3)
    theirs = ana.receive(play)
    assert mine[0] == "You took cell 3 (c1)." and theirs[0] == "bo took cell 3 (c1)."
    assert mine[1] == theirs[1]  # the same board on both screens
    assert mine[2:] == ["Game over: you won (three in a row).", "Score: bo 1, ana 0, 0 draws."]
    assert theirs[2:] == ["Game over: bo won (three in a row).", "Score: ana 0, bo 1, 0 draws."]


def test_decline_and_a_rematch_after_the_game() -> None:
    ana, bo = table()
    send(ana, bo, ana.offer("connect4", ""))
    assert send(bo, ana, bo.decline()) == ["bo declined Connect Four."]
    ana, bo = started("tictactoe")
    play, bo_saw = bo.resign()
    ana_saw = send(bo, ana, (play, bo_saw))
    assert "Game over: ana won (you resigned)." in bo_saw  # never "ana won (resigned)"
    assert "Game over: you won (bo resigned)." in ana_saw
    assert ana.score() == "Score: ana 1, bo 0, 0 draws."
    send(bo, ana, bo.offer("tictactoe", ""))  # the rematch: now ana moves first
    send(ana, bo, ana.accept())
    assert ana.my_move() and not bo.my_move()


def test_our_illegal_steps_are_refused_before_anything_is_sent() -> None:
    ana, bo = table()
    with pytest.raises(IllegalMove, match="no game called 'chess'"):
        ana.offer("chess", "")
    with pytest.raises(IllegalMove, match="has not offered"):
        ana.accept()
    with pytest.raises(IllegalMove, match="no game on"):
        ana.move(5)
    with pytest.raises(IllegalMove, match="no game to resign"):
        ana.resign()
    send(ana, bo, ana.offer("tictactoe", ""))
    with pytest.raises(IllegalMove, match="waiting for bo"):
        ana.offer("connect4", "")
    send(bo, ana, bo.accept())
    with pytest.raises(IllegalMove, match="It is bo's move"):
        ana.move(5)
    send(bo, ana, bo.move(5))
    with pytest.raises(IllegalMove, match="taken"):
        ana.move(5)
    with pytest.raises(IllegalMove, match="is on"):
        ana.offer("hangman", "apple")


def test_hangman_is_answered_by_the_setters_client_and_opened_at_the_end() -> None:
    ana, bo = started("hangman", "apple")
    lines = ana.receive(bo.move({"guess": "p"})[0])
    assert lines == ["bo guessed the letter p."]  # no board until the answer
    play, lines = ana.automatic()
    assert lines[0] == "You answered: p is at positions 2, 3."
    assert bo.receive(play)[:2] == ["ana answered: p is at positions 2, 3.", lines[1]]
    for letter in "ale":
        ana.receive(bo.move({"guess": letter})[0])
        play, _ = ana.automatic()
        lines = bo.receive(play)
    assert "a p p l e" in lines[1]
    assert lines[2] == "Game over: you won (the word was found)."
    assert lines[-1] == ("The word was apple: ana's offer committed to it and every answer "
                         "was true.")


def test_hangman_guesser_resigns_and_still_gets_the_word_opened() -> None:
    ana, bo = started("hangman", "apple")
    play, _ = bo.resign()
    assert "opening" not in play.fields
    ana.receive(play)
    reveal, _ = ana.automatic()
    assert reveal.kind == "reveal"
    with pytest.raises(IllegalMove, match="reveal the word"):
        bo.offer("tictactoe", "")
    assert bo.receive(reveal)[0].startswith("The word was apple")
    bo.offer("tictactoe", "")


# -- cheats ------------------------------------------------------------------------------


def caught(receiver: Match, play: Play) -> GameBroken:
    with pytest.raises(GameBroken) as error:
        receiver.receive(play)
    return error.value


def test_an_illegal_move_from_the_peer_is_caught() -> None:
    ana, bo = started("tictactoe")
    send(bo, ana, bo.move(5))
    send(ana, bo, ana.move(1))
    broken = caught(ana, Play("move", {"move": 1}))
    assert broken.reason == "illegal move: Cell 1 (a1) is taken"
    assert broken.sentence == "bo sent an illegal move (Cell 1 (a1) is taken)"


def test_a_move_out_of_the_game_turn_is_caught() -> None:
    ana, bo = started("connect4")
    send(bo, ana, bo.move(4))
    assert caught(ana, Play("move", {"move": 3})).reason == "illegal move: a move out of turn"


@pytest.mark.parametrize("play", [
    Play("move", {"move": 5}), Play("accept", {}), Play("decline", {}),
    Play("resign", {}), Play("reveal", {"opening": {}}),
    Play("offer", {"game": 7}), Play("offer", {"game": "hangman", "length": 99}),
])
def test_steps_that_make_no_sense_now_are_caught(play: Play) -> None:
    assert caught(Match("ana", "bo"), play).reason.startswith(f"illegal {play.kind}")


def test_an_offer_of_a_game_this_side_lacks_is_declined_not_an_error() -> None:
    """A newer turnchat may offer a game this one does not have (docs/PROTOCOL.md)."""
    bo = Match("bo", "ana")
    assert bo.receive(Play("offer", {"game": "chess", "clock": 300})) == [
        "ana offered 'chess', a game this turnchat does not have; declined."]
    assert bo.automatic() == (Play("decline", {}), [])
    assert bo.automatic() is None
    send(bo, Match("ana", "bo"), bo.offer("tictactoe", ""))  # and the table is free


def test_a_hangman_answer_that_lies_is_exposed() -> None:
    ana, bo = started("hangman", "apple")
    ana.receive(bo.move({"guess": "e"})[0])
    lie, _ = ana.move({"positions": []})  # ana's client is made to lie: e is at 5
    assert ana.game is not None and ana.game.to_move() == ana.my_seat ^ 1
    bo.receive(lie)
    for letter in "xyzqw":
        ana.receive(bo.move({"guess": letter})[0])
        play, _ = ana.automatic()
        if letter != "w":
            bo.receive(play)
    assert "opening" in play.fields  # the sixth miss hangs bo, and ana opens the word
    broken = caught(bo, play)
    assert broken.sentence == ("ana cheated: it lied about the word 'apple': it answered "
                               "that e was not in the word, but it is at position 5")


def test_an_opening_that_does_not_match_the_commitment_is_exposed() -> None:
    ana, bo = started("hangman", "apple")
    play, _ = ana.resign()
    forged = Play("resign", {"opening": {**play.fields["opening"], "word": "mango"}})
    assert "not the word it committed to" in caught(bo, forged).sentence
    ana, bo = started("hangman", "apple")
    assert "without opening" in caught(bo, Play("resign", {})).sentence


def test_an_offer_setup_is_checked_when_it_arrives() -> None:
    _, setup = Hangman.offered("apple")
    broken = caught(Match("bo", "ana"), Play("offer", {"game": "hangman", **setup,
                                                       "commitment": "zz"}))
    assert broken.reason == "illegal offer: a hangman offer needs a SHA-256 commitment in hex"

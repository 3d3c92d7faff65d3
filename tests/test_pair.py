"""Turns, commands, endings and games between two sessions joined in memory (tests/pair.py):
the same Chat, table and wire as the real program, driven as two people would, in
milliseconds. The end-to-end tests with real processes and a real pty stay for what only
they can show (sockets, terminals, signals, nc and socat)."""

import pytest

from tests.pair import MemoryConnection, Pair
from turnchat.games import REGISTRY
from turnchat.session.ending import ExitStatus


def test_turns_pass_with_each_message_and_every_message_arrives_once_in_order() -> None:
    pair = Pair()
    assert pair.ana.my_turn and not pair.bo.my_turn  # the connector speaks first
    assert pair.ana.notices == ["Connected to bo at bo.example:7777."]
    assert pair.bo.notices == ["ana connected from 127.0.0.1:50000."]
    for turn in range(50):
        assert pair.ana.type(f"ana {turn}") == ""
        pair.settle()
        assert pair.bo.type(f"bo {turn}") == ""
        pair.settle()
    assert pair.bo.messages == [f"ana: ana {turn}" for turn in range(50)]
    assert pair.ana.messages == [f"bo: bo {turn}" for turn in range(50)]


def test_out_of_turn_and_empty_and_too_long_are_refused_and_nothing_is_sent() -> None:
    pair = Pair()
    sent = len(pair.ends["bo"].sent)
    assert pair.bo.type("too soon") == "It is ana's turn; wait for their message."
    assert pair.ana.type("   ") == "An empty message is not sent."
    assert pair.ana.type("x" * 4097) == "The message is 4097 bytes, 1 over the limit of 4096."
    assert len(pair.ends["bo"].sent) == sent and pair.ana.my_turn
    assert pair.ana.type("x" * 4096) == ""
    pair.settle()
    assert pair.bo.messages == ["ana: " + "x" * 4096]


def test_commands_slash_say_and_unknown_lines() -> None:
    pair = Pair()
    pair.ana.type("/help")
    assert pair.ana.notices[-1].startswith("Commands:\n  /q")
    pair.ana.type("//etc/passwd")
    pair.settle()
    pair.bo.type("/say /accept is a word too")
    pair.settle()
    pair.ana.type("/frobnicate")  # the plain face sends it as it is: a script's data
    pair.settle()
    assert pair.bo.messages == ["ana: /etc/passwd", "ana: /frobnicate"]
    assert pair.ana.messages == ["bo: /accept is a word too"]


@pytest.mark.parametrize("command", ["/q", "/quit", "/exit"])
@pytest.mark.parametrize(("who", "other"), [("ana", "bo"), ("bo", "ana")])
def test_leaving_ends_both_with_status_0(who: str, other: str, command: str) -> None:
    pair = Pair()
    getattr(pair, who).type(command)
    pair.settle()
    leaver, stayer = getattr(pair, who), getattr(pair, other)
    assert leaver.ending is not None and stayer.ending is not None
    assert (leaver.ending.status, leaver.ending.message) == (
        ExitStatus.ENDED, "You left the conversation.")
    assert (stayer.ending.status, stayer.ending.message) == (
        ExitStatus.ENDED, f"{who} left the conversation.")


def test_a_vanished_peer_is_connection_lost_with_status_1() -> None:
    pair = Pair()
    pair.ana.type("are you there?")
    pair.settle()
    pair.vanish("ana")
    assert pair.bo.messages == ["ana: are you there?"]
    assert pair.bo.ending is not None
    assert (pair.bo.ending.status, pair.bo.ending.message) == (
        ExitStatus.FAILED, "Connection to ana lost.")


def test_no_answer_to_the_greeting_ends_after_the_handshake_time() -> None:
    pair = Pair(greet=False)
    pair.ana.chat.reached(pair.ends["ana"], pair.conversations["ana"], "bo.example:7777")
    pair.clock.advance(9.9)
    assert pair.ana.ending is None
    pair.clock.advance(0.2)
    assert pair.ana.ending is not None
    assert pair.ana.ending.status is ExitStatus.UNREACHABLE
    assert pair.ana.ending.message.startswith(
        "cannot talk with bo.example:7777: no turnchat greeting within 10 s")


def test_tictactoe_to_a_win_with_talk_in_between() -> None:
    pair = Pair()
    script = [("ana", "/play tictactoe"), ("bo", "/accept"), ("bo", "5"), ("ana", "1"),
              ("bo", "3"), ("ana", "/say let me think"), ("bo", "hmm?"), ("ana", "2"),
              ("bo", "7")]
    for who, line in script:
        assert getattr(pair, who).type(line) == "", (who, line)
        pair.settle()
    assert pair.ana.messages == ["bo: hmm?"] and pair.bo.messages == ["ana: let me think"]
    ana_games, bo_games = "\n".join(pair.ana.games), "\n".join(pair.bo.games)
    assert "bo accepted: tic-tac-toe, bo (X) moves first, ana is O." in ana_games
    assert "Game over: bo won (three in a row).\nScore: ana 0, bo 1, 0 draws." in ana_games
    assert "Game over: you won (three in a row).\nScore: bo 1, ana 0, 0 draws." in bo_games
    ana_board = pair.ana.games[-1].splitlines()[1:7]
    assert ana_board == pair.bo.games[-1].splitlines()[1:7]  # the same board on both screens
    assert ana_board[1:] == [" 1   O | O | X", "    ---+---+---", " 2   4 | X | 6",
                             "    ---+---+---", " 3   X | 8 | 9"]


def test_connect4_refuses_a_bad_move_locally_and_plays_on() -> None:
    """Moved from test_games_end_to_end.py (two plain-face processes)."""
    pair = Pair()
    pair.ana.type("/play connect4")
    pair.settle()
    pair.bo.type("/accept")
    assert pair.bo.type("/m 9") == "'9' is not a Connect Four move; a move is a column " \
                                   "number 1-7."
    assert pair.bo.type("/m") == "/m needs a move: a column number 1-7."
    sent = len(pair.ends["bo"].sent)
    for slip in ("8", "4x"):  # on our move: refused, never sent as chat
        assert pair.bo.type(slip) == f"{slip!r} is not a Connect Four move; a move is a " \
                                     "column number 1-7 (/say TEXT talks instead)."
    assert len(pair.ends["bo"].sent) == sent and pair.bo.chat.my_move
    pair.bo.type("/say 8")  # a message, whatever it looks like: the turn goes, the move stays
    pair.settle()
    assert not pair.bo.chat.my_turn
    pair.ana.type("/say go on")
    pair.settle()
    for bo_move, ana_move in (("4", "5"), ("4", "5"), ("4", "5")):
        pair.bo.type(bo_move)
        pair.settle()
        pair.ana.type(ana_move)
        pair.settle()
    pair.bo.type("4")
    pair.settle()
    assert "Game over: you won (four in a row)." in "\n".join(pair.bo.games)
    assert "Game over: bo won (four in a row)." in "\n".join(pair.ana.games)
    assert pair.ana.type("/resign") == "There is no game to resign."
    pair.ana.type("and again?")  # the chat goes on after the game
    pair.settle()
    pair.bo.type("ok")
    pair.settle()
    assert (pair.bo.messages, pair.ana.messages) == (["ana: go on", "ana: and again?"],
                                                     ["bo: 8", "bo: ok"])
    rows = "+---+---+---+---+---+---+---+"
    assert "\n".join(pair.ana.games).count(rows) == "\n".join(pair.bo.games).count(rows) == 8


def test_hangman_answers_itself_and_the_setter_still_talks() -> None:
    """Moved from test_games_end_to_end.py (two plain-face processes): the same script."""
    pair = Pair()
    pair.ana.type("/play hangman apple")
    pair.settle()
    pair.bo.type("/accept")
    pair.settle()
    assert pair.ana.type("good guess") == ""  # off ana's turn: held for the next answer
    refused = []
    for guess in ("p", "a", "/m mango", "p", "l", "e"):
        refused.append(pair.bo.type(guess))
        pair.settle()  # ana's client answers by itself
    assert pair.bo.type("fun!") == ""
    pair.settle()
    bo_saw = "\n".join(pair.bo.notices + pair.bo.games)
    assert "ana offers hangman with a 5-letter word: /accept (you move first)" in bo_saw
    assert "apple" not in bo_saw.split("The word was apple")[0]  # secret until the end
    assert "ana answered: p is at positions 2, 3." in bo_saw
    assert "ana answered: mango is wrong." in bo_saw
    assert refused == ["", "", "", "p was already guessed.", "", ""]  # the turn stayed bo's
    assert "Game over: you won (the word was found)." in bo_saw
    assert "The word was apple: ana's offer committed to it and every answer was true." \
        in bo_saw
    assert "Game over: bo won (the word was found)." in "\n".join(pair.ana.games)
    assert pair.bo.messages == ["ana: good guess"]  # the setter's message went with an answer
    assert pair.ana.messages == ["bo: fun!"]
    assert " Missed: mango   (1 of 6)" in bo_saw


def test_decline_then_play_hangman_to_the_gallows() -> None:
    """Moved from test_games_end_to_end.py (two plain-face processes): the same script."""
    pair = Pair()
    for who, line in [("ana", "/play connect4"), ("bo", "/decline"), ("bo", "not that one"),
                      ("ana", "/play hangman ox"), ("bo", "/accept"),
                      *(("bo", letter) for letter in "qwyzjk"),
                      ("bo", "/play tictactoe"), ("ana", "/decline"), ("ana", "that was fun"),
                      ("bo", "ok")]:
        assert getattr(pair, who).type(line) == "", (who, line)
        pair.settle()
    ana_saw, bo_saw = "\n".join(pair.ana.games), "\n".join(pair.bo.games)
    assert "bo declined Connect Four." in ana_saw
    assert "Game over: ana won (hanged)." in bo_saw
    assert "The word was ox: ana's offer" in bo_saw
    assert "/ \\" in bo_saw
    assert "You declined tic-tac-toe." in ana_saw  # a rematch, offered by bo, declined
    assert pair.bo.messages == ["ana: that was fun"]
    assert pair.ana.messages == ["bo: not that one", "bo: ok"]


def test_a_held_message_is_shown_if_the_conversation_ends_first() -> None:
    """Moved from test_games_end_to_end.py (two plain-face processes)."""
    pair = Pair()
    pair.ana.type("/play hangman apple")
    pair.settle()
    pair.bo.type("/accept")
    pair.settle()
    assert pair.ana.type("one more thing") == ""  # held for the next answer
    pair.bo.type("/q")
    pair.settle()
    assert pair.ana.ending is not None and pair.ana.ending.status is ExitStatus.ENDED
    assert "Not sent (no answer was due before the end): one more thing" in pair.ana.notices
    assert pair.bo.messages == []


def test_a_harness_that_duplicates_a_frame_is_caught() -> None:
    """The deliberately broken variant: a connection that sends each message twice. The
    receiving conversation must refuse the second as out of turn, so the harness cannot
    report a conversation that real turnchat would not have."""
    pair = Pair()

    class Stutter(MemoryConnection):
        def send(self, data: bytes) -> None:
            super().send(data)
            if data and self.peer is not None:
                self._wire.append((self.peer, data))

    stutter = pair.ends["ana"]
    stutter.__class__ = Stutter
    pair.ana.type("once")
    pair.settle()
    assert pair.bo.messages == ["ana: once"]
    assert pair.bo.ending is not None and pair.bo.ending.status is ExitStatus.FAILED
    assert pair.bo.ending.message == "ana broke the protocol (TEXT out of turn); connection " \
                                     "closed."


def with_nim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, "nim", "tests.fourth_game:Nim")


def test_a_fourth_game_is_one_file_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with_nim(monkeypatch)
    pair = Pair()
    pair.ana.type("/help")
    assert "offer a game on your turn: tictactoe, connect4, hangman, nim" in pair.ana.notices[-1]
    assert "nim          1, 2 or 3 stones" in pair.ana.notices[-1]
    pair.ana.type("/play nim")
    pair.settle()
    pair.bo.type("/accept")
    for who, take in (("bo", "3"), ("ana", "3"), ("bo", "3"), ("ana", "1")):
        assert getattr(pair, who).type(take) == ""
        pair.settle()
    assert "Game over: you won (took the last stone)." in "\n".join(pair.ana.games)
    assert "Game over: ana won (took the last stone)." in "\n".join(pair.bo.games)


def test_a_game_the_peer_said_it_lacks_is_refused_here(monkeypatch: pytest.MonkeyPatch) -> None:
    with_nim(monkeypatch)
    pair = Pair(greet=False)
    pair.bo.chat.games = ("tictactoe", "connect4", "hangman")  # bo's turnchat has no nim
    pair.greet()
    sent = len(pair.ends["ana"].sent)
    assert pair.ana.type("/play nim") == "bo's turnchat has no nim."
    assert len(pair.ends["ana"].sent) == sent and pair.ana.my_turn  # nothing went out
    assert pair.ana.type("/play tictactoe") == ""


def test_an_offer_of_a_game_this_side_lacks_is_declined(monkeypatch: pytest.MonkeyPatch) -> None:
    """bo's turnchat is older: it says no games in HELLO and knows no nim. Its table
    declines the offer by itself, and the conversation goes on."""
    with_nim(monkeypatch)
    pair = Pair(greet=False)
    pair.bo.chat.games = None
    pair.greet()
    assert pair.ana.chat.peer_games is None
    assert pair.ana.type("/play nim") == ""
    monkeypatch.delitem(REGISTRY, "nim")  # from here on, as on bo's machine
    pair.settle()
    assert "ana offered 'nim', a game this turnchat does not have; declined." in pair.bo.games
    assert "bo declined Nim." in pair.ana.games
    assert pair.bo.type("maybe tic-tac-toe?") == ""
    pair.settle()
    assert pair.ana.messages == ["bo: maybe tic-tac-toe?"]
    assert pair.ana.ending is None and pair.bo.ending is None

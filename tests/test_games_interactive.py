"""Games in the interactive face: bo plays in a real pty against ana, a plain-face turnchat
whose input the test writes line by line, as a second person would type it."""

from collections.abc import Callable, Iterator

import pytest

from tests.processes import Turnchat
from tests.terminal import TerminalTurnchat
from tests.test_interactive import ENTER, UP
from tests.test_plain_conversation import connect

CLEAR_LINE = "\x15"  # Ctrl-U: the draft is kept on a refusal; the test clears it


@pytest.fixture
def table(
    terminal: Callable[..., TerminalTurnchat],
    turnchat: Callable[..., Turnchat],
) -> Iterator[tuple[TerminalTurnchat, Turnchat]]:
    term = terminal("--listen", "127.0.0.1:0", "--name", "bo")
    port = int(term.wait_for(r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    ana = connect(turnchat, port)
    term.wait_for("ana connected from")
    yield term, ana


def test_tictactoe_in_a_terminal(table: tuple[TerminalTurnchat, Turnchat]) -> None:
    term, ana = table
    ana.write(b"/play tictactoe\n")
    term.wait_for(r"ana offers tic-tac-toe: /accept \(you move first\) or /decline\.")
    term.type("/accept" + ENTER)
    term.wait_for(r"You accepted: tic-tac-toe, bo \(X\) moves first, ana is O\.")
    term.wait_for(r"Your move \(X\): a cell 1-9")
    term.wait_for("YOUR MOVE")  # the toolbar tells a move from a turn to talk
    term.type("b2" + ENTER)
    term.wait_for(r"You took cell 5 \(b2\)\.")
    ana.expect("err", r"bo took cell 5 \(b2\)\.")
    term.type("3" + ENTER)  # ana's turn: refused, and kept
    term.wait_for(r"It is ana's move; /say 3 sends it as a message\. Your draft is kept\.")
    assert term.prompt_line().endswith("you> 3")
    term.type(CLEAR_LINE)
    ana.write(b"1\n")
    term.wait_for(r"ana took cell 1 \(a1\)\.")
    term.type("5" + ENTER)
    term.wait_for(r"Cell 5 \(b2\) is taken\.")  # refused and cleared: retyping it is no use
    term.settle()
    assert term.prompt_line().endswith("you>")
    term.type("8" + "a" + ENTER)  # a slip on our move is not sent as chat
    term.wait_for(r"'8a' is not a tic-tac-toe move; a move is a cell 1-9")
    term.settle()
    assert term.prompt_line().endswith("you>")
    term.type("3" + ENTER)
    ana.write(b"2\n")
    term.wait_for(r"ana took cell 2 \(b1\)\.")
    term.type("/say a move? no, a word" + ENTER)  # talking passes the turn without moving
    ana.expect("out", "a move\\? no, a word\n")
    ana.write(b"go on\n")
    term.wait_for("ana: go on")
    term.type("7" + ENTER)
    term.wait_for(r"Game over: you won \(three in a row\)\.")
    assert " 1   O | O | X" in term.text and " 3   X | 8 | 9" in term.text
    ana.expect("err", r"Game over: bo won \(three in a row\)\.")
    term.type("/score" + ENTER)
    term.wait_for(r"Score: bo 1, ana 0, 0 draws\.")
    ana.write(b"well played\n")
    term.wait_for("ana: well played")
    term.type("/q" + ENTER)
    assert term.finish() == 0 and ana.finish().status == 0


def test_hangman_word_is_typed_hidden_and_answered_by_itself(
    table: tuple[TerminalTurnchat, Turnchat],
) -> None:
    term, ana = table
    ana.write(b"your turn\n")
    term.wait_for("ana: your turn")
    term.type("/play hangman" + ENTER)
    term.wait_for(r"hangman word \(hidden; Enter alone cancels\)>")
    term.type("zebra")
    term.settle()
    assert "zebra" not in term.text and b"zebra" not in term.raw  # a * a letter, no more
    term.type(ENTER)
    term.wait_for("You offered hangman")
    ana.expect("err", "bo offers hangman with a 5-letter word")
    ana.write(b"/accept\nz\n")
    term.wait_for("You answered: z is at position 1.")  # nobody typed it
    term.type("good start" + ENTER)  # ana's turn: held for the next answer
    term.wait_for(r"\(It goes to ana with your next answer\.\)")
    ana.write(b"q\n")
    ana.expect("out", "good start\n")
    term.wait_for("You answered: q is not in the word.")
    ana.write(b"/resign\n")
    ana.expect("err", "The word was zebra: bo's offer committed to it and every answer "
                      "was true.")
    term.wait_for(r"Game over: you won \(ana resigned\)\.")
    ana.write(b"/q\n")
    assert term.finish() == 0 and ana.finish().status == 0


def test_the_hidden_word_prompt_is_no_place_for_history_or_a_quit(
    table: tuple[TerminalTurnchat, Turnchat],
) -> None:
    term, ana = table
    ana.write(b"your turn\n")
    term.wait_for("ana: your turn")
    term.type("a sent message" + ENTER)
    ana.expect("out", "a sent message\n")
    ana.write(b"/play tictactoe\n")
    term.wait_for("ana offers tic-tac-toe")
    term.type("/play hangman" + ENTER)  # an offer is open: refused before any word is asked
    term.wait_for(r"ana offered tic-tac-toe: /accept or /decline first\.")
    term.settle()
    assert "hangman word (hidden" not in term.text
    term.type(CLEAR_LINE + "/decline" + ENTER)
    term.wait_for("You declined tic-tac-toe.")
    term.type("/play hangman" + ENTER)
    term.wait_for(r"hangman word \(hidden; Enter alone cancels\)>")
    term.type(UP)  # the history's "a sent message" must not become the word
    term.settle()
    prompt = [line for line in term.text.splitlines() if "hangman word" in line][-1]
    assert prompt.endswith("Enter alone cancels)>")
    term.type("/q" + ENTER)  # leaves, as /q does everywhere: not a word to offer
    assert term.finish() == 0
    done = ana.finish()
    assert "bo left the conversation." in done.err and "offers hangman" not in done.err

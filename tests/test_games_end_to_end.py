"""Games between two real turnchat processes in the plain face, played from their input
lines as a person would type them; the chat goes on during and after each game. (The
other games of this file moved to tests/test_pair.py, in memory; this one stays, to show
the whole path between two real processes.)"""

from collections.abc import Callable

from tests.processes import Turnchat
from tests.test_plain_conversation import connect, listen

Start = Callable[..., Turnchat]


def script(*lines: str) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


def last_board(stderr: str, first_line: str, height: int) -> list[str]:
    lines = stderr.splitlines()
    start = max(index for index, line in enumerate(lines) if line == first_line)
    return lines[start:start + height]


def test_tictactoe_to_a_win_with_talk_in_between(turnchat: Start) -> None:
    # ana offers; bo accepts and so is X and moves first. Talking passes a turn unmoved.
    listener, port = listen(turnchat, stdin=script(
        "/accept", "5", "3", "hmm?", "7", "/score", "thanks"))
    connector = connect(turnchat, port, stdin=script(
        "/play tictactoe", "1", "/say let me think", "2", "gg"))
    ana, bo = connector.finish(), listener.finish()
    assert (ana.status, bo.status) == (0, 0)
    assert ana.out == "hmm?\nthanks\n"  # stdout: only the peer's messages
    assert bo.out == "let me think\ngg\n"
    assert "ana offers tic-tac-toe: /accept (you move first) or /decline." in bo.err
    assert "bo accepted: tic-tac-toe, bo (X) moves first, ana is O." in ana.err
    assert "bo took cell 7 (a3)." in ana.err and "You took cell 7 (a3)." in bo.err
    assert "Game over: bo won (three in a row).\nScore: ana 0, bo 1, 0 draws." in ana.err
    assert "Game over: you won (three in a row).\nScore: bo 1, ana 0, 0 draws." in bo.err
    final = last_board(ana.err, "     a   b   c", 6)
    assert final == last_board(bo.err, "     a   b   c", 6)  # the same board on both screens
    assert final[1:] == [" 1   O | O | X", "    ---+---+---", " 2   4 | X | 6",
                         "    ---+---+---", " 3   X | 8 | 9"]

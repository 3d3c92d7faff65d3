"""A bug in turnchat still tells the peer, keeps the draft, and ends with one sentence.

Each test plants a fault in a real process (the games table raises as a peer's game offer
arrives) and watches what the peer receives on the wire and what our user is shown: an
ERROR frame, never a silent close; one sentence naming the bug, never a traceback.
"""

from collections.abc import Callable

import pytest

from tests.processes import RawPeer, Turnchat, listening_port
from tests.terminal import TerminalTurnchat
from tests.test_interactive import listening_with_raw_peer
from tests.test_plain_conversation import greeted_raw_connector
from tests.wirebytes import ERROR, game

BUG_REASON = b"turnchat on the other side stopped because of a bug"


def fault(exception: str) -> str:
    """Python that makes the games table raise `exception` on the peer's next step."""
    return ("import turnchat.games.match\n"
            "def receive(self, play):\n"
            f"    raise {exception}\n"
            "turnchat.games.match.Match.receive = receive\n")


@pytest.mark.parametrize("exception", [
    "KeyError('move')", "TypeError('bad operand')", "RecursionError('too deep')",
    "AssertionError()", "UnicodeEncodeError('utf-8', 'x', 0, 1, 'surrogates not allowed')",
])
def test_a_bug_in_the_plain_face_sends_error_and_says_so(
    turnchat: Callable[..., Turnchat], raw_peers: list[RawPeer], exception: str
) -> None:
    listener = turnchat("--listen", "127.0.0.1:0", "--name", "bo", fault=fault(exception),
                        stdin=b"first\nsecond\n")
    peer = greeted_raw_connector(listening_port(listener), raw_peers)
    peer.send(game("offer", game="tictactoe"))
    assert peer.read_frame() == (ERROR, BUG_REASON)
    assert peer.at_eof()
    peer.close()
    done = listener.finish()
    name = exception.split("(")[0]
    assert done.status == 1
    assert "Traceback" not in done.err and "internal error" not in done.err
    assert done.err.splitlines()[-1].startswith(
        f"turnchat: turnchat stopped because of a bug ({name}")
    assert done.err.splitlines()[-1].endswith(
        "; raw was told. TURNCHAT_DEBUG=1 shows the details.")
    assert "2 lines of the input were not sent." in done.err


def test_a_bug_in_the_interactive_face_keeps_the_draft_and_tells_the_peer(
    terminal: Callable[..., TerminalTurnchat], raw_peers: list[RawPeer]
) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers, fault=fault("KeyError('x')"))
    term.type("a draft I was typing")
    term.wait_for("you> a draft I was typing")
    peer.send(game("offer", game="tictactoe"))
    assert peer.read_frame() == (ERROR, BUG_REASON)
    assert peer.at_eof()
    peer.close()
    assert term.finish() == 1
    screen = term.text
    assert "Your unsent draft: a draft I was typing" in screen
    assert "turnchat: turnchat stopped because of a bug (KeyError: 'x'); raw was told." in screen
    assert "Traceback" not in screen

"""Nobody can cheat: a hand-driven peer on a raw socket tries every cheat against a real
turnchat, which sends ERROR, closes, and tells its user what the peer did."""

import hashlib
import json
from collections.abc import Callable

import pytest

from tests.processes import RawPeer, Turnchat
from tests.test_games_end_to_end import script
from tests.test_plain_conversation import listen
from tests.wirebytes import ERROR, GAME, HELLO, game, hello, text

Start = Callable[..., Turnchat]
SALT = bytes(range(16))


def cheater(turnchat: Start, raw_peers: list[RawPeer], lines: bytes) -> tuple[Turnchat, RawPeer]:
    """bo, a turnchat listener fed `lines` (its input stays open), and ana, a raw peer that
    has greeted it."""
    listener, port = listen(turnchat)
    listener.write(lines)
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(hello("ana"))
    assert peer.read_frame()[0] == HELLO
    return listener, peer


def read_game(peer: RawPeer) -> dict[str, object]:
    kind, payload = peer.read_frame()
    assert kind == GAME, payload
    return json.loads(payload)


def caught(listener: Turnchat, peer: RawPeer, reason: str, told: str) -> None:
    """bo answered with ERROR(reason), closed, and told its user `told`, exit status 1."""
    while (frame := peer.read_frame())[0] != ERROR:
        pass
    assert frame[1].decode() == reason
    assert peer.at_eof()
    peer.close()  # as a turnchat peer would: bo then stops waiting for the close at once
    done = listener.finish()
    assert done.status == 1
    assert f"turnchat: {told}; connection closed." in done.err


def tictactoe_started(turnchat: Start, raw_peers: list[RawPeer]) -> tuple[Turnchat, RawPeer]:
    """ana offered tic-tac-toe, bo accepted and took the centre: ana's move."""
    listener, peer = cheater(turnchat, raw_peers, script("/accept", "5"))
    peer.send(game("offer", game="tictactoe"))
    assert read_game(peer) == {"kind": "accept"}
    assert read_game(peer) == {"kind": "move", "move": 5}
    return listener, peer


def test_an_illegal_move_is_caught(turnchat: Start, raw_peers: list[RawPeer]) -> None:
    listener, peer = tictactoe_started(turnchat, raw_peers)
    peer.send(game("move", move=5))
    caught(listener, peer, "illegal move: Cell 5 (b2) is taken",
           "ana sent an illegal move (Cell 5 (b2) is taken)")


def test_a_move_out_of_the_conversation_turn_is_caught(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, peer = tictactoe_started(turnchat, raw_peers)
    peer.send(game("move", move=1) + game("move", move=2))
    caught(listener, peer, "GAME move out of turn",
           "ana broke the protocol (GAME move out of turn)")


def test_a_second_move_in_a_kept_turn_is_caught(turnchat: Start, raw_peers: list[RawPeer]) -> None:
    listener, peer = tictactoe_started(turnchat, raw_peers)
    peer.send(game("move", move=1, keep_turn=True) + game("move", move=2))
    caught(listener, peer, "illegal move: a move out of turn",
           "ana sent an illegal move (a move out of turn)")


def hangman_guessed(turnchat: Start, raw_peers: list[RawPeer], word: str = "apple"
                    ) -> tuple[Turnchat, RawPeer]:
    """ana offered hangman on `word`; bo accepted and guessed e: ana's client must answer."""
    listener, peer = cheater(turnchat, raw_peers, script("/accept", "e", "/say hi"))
    commitment = hashlib.sha256(SALT + word.encode()).hexdigest()
    peer.send(game("offer", game="hangman", length=len(word), commitment=commitment))
    assert read_game(peer) == {"kind": "accept"}
    assert read_game(peer) == {"kind": "move", "move": {"guess": "e"}}
    return listener, peer


def test_a_hangman_answer_that_lies_is_exposed(turnchat: Start, raw_peers: list[RawPeer]) -> None:
    listener, peer = hangman_guessed(turnchat, raw_peers)
    peer.send(game("move", move={"positions": []}))  # e is at 5 in apple
    assert peer.read_frame() == (2, b"hi")
    listener.expect("err", "ana answered: e is not in the word")
    peer.send(game("resign", opening={"word": "apple", "salt": SALT.hex()}))
    caught(listener, peer,
           "cheated: it lied about the word 'apple': it answered that e was not in the word, "
           "but it is at position 5",
           "ana cheated: it lied about the word 'apple': it answered that e was not in the "
           "word, but it is at position 5")


@pytest.mark.parametrize(("opening", "reason"), [
    ({"word": "mango", "salt": SALT.hex()},
     "the word it revealed, 'mango', is not the word it committed to when it offered the game"),
    ({"word": "apple", "salt": bytes(16).hex()},
     "the word it revealed, 'apple', is not the word it committed to when it offered the game"),
    (None, "it ended hangman without opening its commitment"),
])
def test_an_opening_that_does_not_match_the_commitment_is_exposed(
    turnchat: Start, raw_peers: list[RawPeer], opening: dict[str, str] | None, reason: str
) -> None:
    listener, peer = hangman_guessed(turnchat, raw_peers)
    peer.send(game("move", move={"positions": [5]}))
    assert peer.read_frame() == (2, b"hi")
    fields = {} if opening is None else {"opening": opening}
    peer.send(game("resign", **fields))
    caught(listener, peer, f"cheated: {reason}", f"ana cheated: {reason}")


def test_the_word_never_crosses_the_wire_before_the_end(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    _, peer = cheater(turnchat, raw_peers, script("/play hangman zebra", "/resign"))
    peer.send(text("your turn"))
    offer = read_game(peer)
    assert offer["kind"] == "offer" and offer["length"] == 5 and "zebra" not in str(offer)
    peer.send(game("accept") + game("move", move={"guess": "z"}))
    answer = read_game(peer)
    assert answer == {"kind": "move", "move": {"positions": [1]}}
    peer.send(text("hmm"))
    resign = read_game(peer)  # bo gives up on its turn, and opens the word
    salt = bytes.fromhex(resign["opening"]["salt"])
    assert resign["opening"]["word"] == "zebra"
    assert hashlib.sha256(salt + b"zebra").hexdigest() == offer["commitment"]

"""The GAME frame in the state machine: which kinds use a turn, and malformed payloads."""

import json

import pytest

from tests.test_conversation import events_of, pair, refused
from tests.wire_ends import End
from tests.wirebytes import GAME, frame, game, text
from turnchat.wire import LocalProtocolError, Play, State, Text


def test_game_bytes_match_the_example_in_the_protocol() -> None:
    connector, listener = pair()
    data = connector.send(Play("offer", {"game": "tictactoe"}))
    assert data == b'\x00\x00\x00\x24\x05{"kind":"offer","game":"tictactoe"}'
    assert json.loads(data[5:]) == json.loads(game("offer", game="tictactoe")[5:])
    events_of(listener, data)
    assert listener.send(Play("accept", {})) == b'\x00\x00\x00\x12\x05{"kind":"accept"}'
    assert listener.send(Play("move", {"move": 5})) == \
        b'\x00\x00\x00\x19\x05{"kind":"move","move":5}'



def test_offer_and_move_end_the_turn_like_text() -> None:
    connector, listener = pair()
    assert events_of(listener, connector.send(Play("offer", {"game": "connect4"}))) == [
        Play("offer", {"game": "connect4"})]
    assert connector.state is State.THEIR_TURN and listener.state is State.MY_TURN
    assert events_of(connector, listener.send(Play("move", {"move": 4}))) == [
        Play("move", {"move": 4})]
    assert connector.state is State.MY_TURN and listener.state is State.THEIR_TURN


def test_accept_and_decline_keep_the_turn() -> None:
    connector, listener = pair()
    events_of(listener, connector.send(Play("offer", {"game": "tictactoe"})))
    events_of(connector, listener.send(Play("decline", {})))
    assert listener.state is State.MY_TURN and connector.state is State.THEIR_TURN
    events_of(connector, listener.send(Play("accept", {})))
    events_of(connector, listener.send(Play("move", {"move": 5})))
    assert listener.state is State.THEIR_TURN and connector.state is State.MY_TURN


def test_a_move_that_keeps_the_turn_is_followed_by_text() -> None:
    connector, listener = pair()
    data = connector.send(Play("move", {"move": {"positions": []}, "keep_turn": True}))
    assert connector.state is State.MY_TURN
    data += connector.send(Text("and a word from me"))
    assert [type(event) for event in events_of(listener, data)] == [Play, Text]
    assert listener.state is State.MY_TURN


def test_resign_keeps_the_turn_and_reveal_may_come_out_of_turn() -> None:
    connector, listener = pair()
    events_of(listener, connector.send(Play("resign", {})))
    assert connector.state is State.MY_TURN
    events_of(connector, listener.send(Play("reveal", {"word": "x", "salt": "00"})))
    assert connector.state is State.MY_TURN and listener.state is State.THEIR_TURN


def test_our_game_steps_out_of_turn_are_refused_locally() -> None:
    _, listener = pair()
    for kind in ("offer", "move", "accept", "decline", "resign"):
        with pytest.raises(LocalProtocolError, match="not your turn"):
            listener.send(Play(kind, {}))
    assert listener.state is State.THEIR_TURN


@pytest.mark.parametrize("kind", ["offer", "move", "accept", "decline", "resign"])
def test_peer_game_steps_out_of_turn_are_protocol_errors(kind: str) -> None:
    connector, _ = pair()
    assert refused(connector, game(kind)) == f"GAME {kind} out of turn"


@pytest.mark.parametrize(("payload", "reason"), [
    (b"not json", "GAME is not valid JSON"),
    (b"[1, 2]", "GAME is not a JSON object"),
    (b'{"game": "tictactoe"}', "GAME has an unknown kind None"),
    (b'{"kind": "cheat"}', "GAME has an unknown kind 'cheat'"),
    (b'{"kind": ["offer"]}', "GAME has an unknown kind ['offer']"),
    (b'{"kind": "move", "keep_turn": "yes"}', 'GAME "keep_turn" is not true or false'),
    (b'{"kind": "move", "x": "\xff"}', "invalid UTF-8 in GAME"),
])
def test_malformed_game_payloads_are_protocol_errors(payload: bytes, reason: str) -> None:
    _, listener = pair()
    assert refused(listener, frame(GAME, payload)) == reason


def test_game_before_hello_is_a_protocol_error() -> None:
    from turnchat.wire import Conversation, Role

    assert refused(End(Conversation(Role.LISTENER)), game("offer")) == "GAME before HELLO"


def test_text_after_game_steps_still_flows() -> None:
    connector, listener = pair()
    events = events_of(listener, connector.send(Play("offer", {"game": "hangman"})))
    events += events_of(connector, listener.send(Play("decline", {})))
    assert events_of(connector, listener.send(Text("maybe later"))) == [Text("maybe later")]
    assert events_of(listener, connector.send(Text("ok"))) == [Text("ok")]
    assert events_of(connector, text("raw bytes too")) == [Text("raw bytes too")]

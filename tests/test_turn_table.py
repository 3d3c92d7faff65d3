"""The one transition table, as a table: every state, by either side, by every frame and
every GAME step. The expected table is written out here from docs/PROTOCOL.md, not read
from the code; each cell is driven through a real Conversation."""

import json

import pytest

from tests.wire_ends import End
from tests.wirebytes import ERROR, GAME, QUIT, TEXT, frame, hello
from turnchat.wire import (
    Conversation,
    Error,
    Hello,
    LocalProtocolError,
    Play,
    Quit,
    RemoteProtocolError,
    Role,
    State,
    Text,
)

S = State
STEPS = ["HELLO", "TEXT", "QUIT", "ERROR", "offer", "accept", "decline", "move",
         "move keeping the turn", "resign", "reveal"]
OPEN = [S.SEND_HELLO, S.AWAIT_ANSWER, S.AWAIT_HELLO, S.ANSWER_HELLO, S.MY_TURN, S.THEIR_TURN]
TALKING = [S.MY_TURN, S.THEIR_TURN]

WE_SEND = {
    (S.SEND_HELLO, "HELLO"): S.AWAIT_ANSWER,
    (S.ANSWER_HELLO, "HELLO"): S.THEIR_TURN,
    (S.MY_TURN, "TEXT"): S.THEIR_TURN,
    **{(state, "QUIT"): S.CLOSED for state in (S.AWAIT_ANSWER, S.MY_TURN, S.THEIR_TURN)},
    **{(state, "ERROR"): S.CLOSED for state in [*OPEN, S.BROKEN]},
    (S.MY_TURN, "offer"): S.THEIR_TURN,
    (S.MY_TURN, "move"): S.THEIR_TURN,
    **{(S.MY_TURN, step): S.MY_TURN
       for step in ("accept", "decline", "resign", "move keeping the turn")},
    **{(state, "reveal"): state for state in TALKING},
}
THEY_SEND = {
    (S.AWAIT_ANSWER, "HELLO"): S.MY_TURN,
    (S.AWAIT_HELLO, "HELLO"): S.ANSWER_HELLO,
    (S.THEIR_TURN, "TEXT"): S.MY_TURN,
    **{(state, "QUIT"): S.CLOSED for state in (S.ANSWER_HELLO, S.MY_TURN, S.THEIR_TURN)},
    **{(state, "ERROR"): S.CLOSED for state in OPEN},
    (S.THEIR_TURN, "offer"): S.MY_TURN,
    (S.THEIR_TURN, "move"): S.MY_TURN,
    **{(S.THEIR_TURN, step): S.THEIR_TURN
       for step in ("accept", "decline", "resign", "move keeping the turn")},
    **{(state, "reveal"): state for state in TALKING},
}


def play_of(step: str) -> Play:
    if step == "move keeping the turn":
        return Play("move", {"move": 1, "keep_turn": True})
    return Play(step, {"move": 1} if step == "move" else {})


def event_of(step: str) -> Hello | Text | Quit | Error | Play:
    return {"HELLO": Hello("ana"), "TEXT": Text("hi"), "QUIT": Quit(),
            "ERROR": Error("why")}.get(step) or play_of(step)


def bytes_of(step: str) -> bytes:
    if step in ("HELLO", "TEXT", "QUIT", "ERROR"):
        return {"HELLO": hello("bo"), "TEXT": frame(TEXT, b"hi"), "QUIT": frame(QUIT),
                "ERROR": frame(ERROR, b"why")}[step]
    play = play_of(step)
    return frame(GAME, json.dumps({"kind": play.kind, **play.fields}).encode())


def at(state: State) -> End:
    conversation = Conversation(Role.CONNECTOR if state in (S.SEND_HELLO, S.AWAIT_ANSWER)
                                else Role.LISTENER)
    conversation.state = state
    return End(conversation)


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("state", list(State))
def test_what_we_may_send(state: State, step: str) -> None:
    conversation = at(state)
    expected = WE_SEND.get((state, step))
    if expected is None:
        with pytest.raises(LocalProtocolError):
            conversation.send(event_of(step))
        assert conversation.state is state  # refused: nothing changed
    else:
        conversation.send(event_of(step))
        assert conversation.state is expected


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("state", list(State))
def test_what_the_peer_may_send(state: State, step: str) -> None:
    conversation = at(state)
    expected = THEY_SEND.get((state, step))
    conversation.receive_data(bytes_of(step))
    if state in (S.BROKEN, S.CLOSED):  # final: a frame now is refused and changes nothing
        frame_in = conversation.decoder.next_frame()
        assert frame_in is not None
        with pytest.raises(RemoteProtocolError):
            conversation.conversation.receive_frame(frame_in)
        assert conversation.state is state
    elif expected is None:
        with pytest.raises(RemoteProtocolError):
            conversation.next_event()
        assert conversation.state is S.BROKEN
    else:
        assert conversation.next_event() is not None
        assert conversation.state is expected

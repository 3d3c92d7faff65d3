"""The state machine: every turn rule of PROTOCOL.md, for both roles."""

import pytest

from tests.wire_ends import End
from tests.wirebytes import ERROR, QUIT, frame, hello, text
from turnchat.wire import (
    ConnectionLost,
    Conversation,
    Error,
    Hello,
    LocalProtocolError,
    Quit,
    RemoteProtocolError,
    Role,
    State,
    Text,
)
from turnchat.wire.limits import MAX_PAYLOAD


def events_of(conversation: End, data: bytes) -> list:
    conversation.receive_data(data)
    found = []
    while (event := conversation.next_event()) is not None:
        found.append(event)
    return found


def pair() -> tuple[End, End]:
    """A connector and a listener wired together, greeted, connector to speak."""
    connector, listener = End(Conversation(Role.CONNECTOR)), End(Conversation(Role.LISTENER))
    assert events_of(listener, connector.send(Hello("ana"))) == [Hello("ana")]
    assert events_of(connector, listener.send(Hello("bo"))) == [Hello("bo")]
    return connector, listener


def refused(conversation: End, data: bytes) -> str:
    with pytest.raises(RemoteProtocolError) as caught:
        events_of(conversation, data)
    assert conversation.state is State.BROKEN
    return caught.value.reason


# -- greeting ------------------------------------------------------------------------------


def test_starting_states_differ_only_by_role() -> None:
    assert End(Conversation(Role.CONNECTOR)).state is State.SEND_HELLO
    assert End(Conversation(Role.LISTENER)).state is State.AWAIT_HELLO


def test_greeting_gives_the_connector_the_first_turn() -> None:
    connector, listener = pair()
    assert connector.state is State.MY_TURN
    assert listener.state is State.THEIR_TURN
    assert connector.peer_hello == Hello("bo") and listener.peer_hello == Hello("ana")


def test_hello_bytes_match_the_protocol() -> None:
    data = End(Conversation(Role.CONNECTOR)).send(Hello("ana"))
    assert data == b'\x00\x00\x00\x2c\x01{"app":"turnchat","version":1,"name":"ana"}'


def test_connector_cannot_talk_before_greeting_is_answered() -> None:
    connector = End(Conversation(Role.CONNECTOR))
    with pytest.raises(LocalProtocolError):
        connector.send(Text("too early"))
    connector.send(Hello("ana"))
    with pytest.raises(LocalProtocolError):
        connector.send(Text("still too early"))


@pytest.mark.parametrize("role", [Role.CONNECTOR, Role.LISTENER])
def test_frame_before_hello_is_refused(role: Role) -> None:
    conversation = End(Conversation(role))
    if role is Role.CONNECTOR:
        conversation.send(Hello("ana"))
    assert refused(conversation, text("hi")) == "TEXT before HELLO"


def test_quit_before_hello_is_refused() -> None:
    assert refused(End(Conversation(Role.LISTENER)), frame(QUIT)) == "QUIT before HELLO"


def test_error_is_accepted_before_hello() -> None:
    listener = End(Conversation(Role.LISTENER))
    assert events_of(listener, frame(ERROR, b"busy")) == [Error("busy")]
    assert listener.state is State.CLOSED


@pytest.mark.parametrize("role", [Role.CONNECTOR, Role.LISTENER])
def test_second_hello_is_refused(role: Role) -> None:
    connector, listener = pair()
    side = connector if role is Role.CONNECTOR else listener
    assert refused(side, hello("again")) == "second HELLO"


def test_listener_cannot_receive_hello_while_it_owes_an_answer() -> None:
    listener = End(Conversation(Role.LISTENER))
    events_of(listener, hello("ana"))
    assert listener.state is State.ANSWER_HELLO
    assert refused(listener, text("pipelined")) == "TEXT out of turn"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"app":"turnchat","version":2,"name":"x"}', "unsupported protocol version 2"),
        (b'{"app":"turnchat","version":true,"name":"x"}', "unsupported protocol version"),
        (b'{"app":"other","version":1,"name":"x"}', "not from turnchat"),
        (b'{"app":"turnchat","version":1}', 'no "name"'),
        (b"[1, 2]", "not a JSON object"),
        (b"{nope", "not valid JSON"),
        (b'{"app":"turnchat","version":1,"name":"\xff"}', "invalid UTF-8 in HELLO"),
    ],
)
def test_bad_hello_is_refused(payload: bytes, reason: str) -> None:
    assert reason in refused(End(Conversation(Role.LISTENER)), frame(1, payload))


def test_unknown_hello_keys_are_ignored() -> None:
    listener = End(Conversation(Role.LISTENER))
    body = b'{"app":"turnchat","version":1,"name":"ana","colour":"blue"}'
    assert events_of(listener, frame(1, body)) == [Hello("ana")]


# -- turns ---------------------------------------------------------------------------------


def test_turns_alternate_for_many_messages() -> None:
    connector, listener = pair()
    speaker, hearer = connector, listener
    for number in range(50):
        assert speaker.state is State.MY_TURN and hearer.state is State.THEIR_TURN
        assert events_of(hearer, speaker.send(Text(f"message {number}"))) == [
            Text(f"message {number}")
        ]
        speaker, hearer = hearer, speaker


@pytest.mark.parametrize("role", [Role.CONNECTOR, Role.LISTENER])
def test_sending_out_of_turn_is_a_local_error_and_changes_nothing(role: Role) -> None:
    connector, listener = pair()
    waiting = listener if role is Role.CONNECTOR else connector
    if role is Role.LISTENER:
        events_of(listener, connector.send(Text("first")))
        waiting = connector
    with pytest.raises(LocalProtocolError, match="not your turn"):
        waiting.send(Text("mine!"))
    assert waiting.state is State.THEIR_TURN


@pytest.mark.parametrize("role", [Role.CONNECTOR, Role.LISTENER])
def test_text_received_out_of_turn_is_refused(role: Role) -> None:
    connector, listener = pair()
    if role is Role.CONNECTOR:
        assert refused(connector, text("listener speaks first")) == "TEXT out of turn"
    else:
        events_of(listener, connector.send(Text("one")))
        assert refused(listener, text("connector speaks twice")) == "TEXT out of turn"


def test_two_texts_in_one_chunk_second_is_out_of_turn() -> None:
    _, listener = pair()
    listener.receive_data(text("one") + text("two"))
    assert listener.next_event() == Text("one")
    with pytest.raises(RemoteProtocolError, match="out of turn"):
        listener.next_event()


def test_message_size_limit_is_exact() -> None:
    connector, listener = pair()
    with pytest.raises(LocalProtocolError, match=f"4097 bytes, 1 over the limit of {MAX_PAYLOAD}"):
        connector.send(Text("é" * 2048 + "x"))  # 4097 bytes of UTF-8 in 2049 characters
    assert connector.state is State.MY_TURN
    assert events_of(listener, connector.send(Text("é" * 2048))) == [Text("é" * 2048)]


def test_empty_message_is_not_sent() -> None:
    connector, _ = pair()
    for empty in ["", "   ", "\n"]:
        with pytest.raises(LocalProtocolError, match="empty"):
            connector.send(Text(empty))
    assert connector.state is State.MY_TURN


def test_empty_text_received_is_refused() -> None:
    _, listener = pair()
    assert refused(listener, frame(2)) == "empty TEXT"


def test_invalid_utf8_text_is_refused() -> None:
    _, listener = pair()
    assert refused(listener, frame(2, b"caf\xe9")) == "invalid UTF-8 in TEXT"


def test_after_a_remote_error_only_our_error_may_follow() -> None:
    _, listener = pair()
    refused(listener, frame(2, b"\xff"))
    with pytest.raises(LocalProtocolError):
        listener.send(Quit())
    assert listener.send(Error("invalid UTF-8 in TEXT")) == frame(ERROR, b"invalid UTF-8 in TEXT")
    assert listener.state is State.CLOSED
    assert events_of(listener, text("more")) == []


# -- leaving -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CONNECTOR, Role.LISTENER])
@pytest.mark.parametrize("in_turn", [True, False])
def test_quit_in_or_out_of_turn(role: Role, in_turn: bool) -> None:
    connector, listener = pair()
    quitter, other = (connector, listener) if role is Role.CONNECTOR else (listener, connector)
    if in_turn != (quitter.state is State.MY_TURN):
        events_of(listener, connector.send(Text("pass the turn")))
    assert events_of(other, quitter.send(Quit("bye"))) == [Quit("bye")]
    assert quitter.state is State.CLOSED and other.state is State.CLOSED
    with pytest.raises(LocalProtocolError, match="over"):
        quitter.send(Text("after"))


def test_connector_may_quit_while_waiting_for_the_answer() -> None:
    connector, listener = End(Conversation(Role.CONNECTOR)), End(Conversation(Role.LISTENER))
    events_of(listener, connector.send(Hello("ana")))
    assert events_of(listener, connector.send(Quit())) == [Quit("")]


def test_quit_is_not_possible_before_greeting() -> None:
    with pytest.raises(LocalProtocolError):
        End(Conversation(Role.CONNECTOR)).send(Quit())


def test_a_connection_ending_is_not_the_conversation_ending() -> None:
    """The link reports the end; the conversation's turns are untouched, so a session may
    carry them on over another connection."""
    connector, _ = pair()
    assert events_of(connector, b"") == [ConnectionLost()]
    assert connector.state is State.MY_TURN
    assert events_of(connector, b"") == []


def test_half_a_frame_from_a_dead_connection_is_never_joined_to_the_next() -> None:
    connector, listener = pair()
    first = connector.send(Text("one"))
    listener.receive_data(first[:3])  # the connection dies mid-frame
    assert listener.events(b"") == [ConnectionLost()]
    second = End(listener.conversation)  # a new connection: a new decoder, the same turns
    assert second.events(first + connector.send(Quit())) == [Text("one"), Quit()]
    assert listener.state is State.CLOSED


def test_stream_end_after_quit_is_not_a_loss() -> None:
    connector, listener = pair()
    assert events_of(listener, connector.send(Quit()) + b"") == [Quit("")]
    listener.receive_data(b"")
    assert listener.next_event() is None


def test_frames_before_stream_end_are_all_delivered() -> None:
    connector, listener = pair()
    listener.receive_data(connector.send(Text("last words")))
    listener.receive_data(b"")
    assert [listener.next_event(), listener.next_event()] == [Text("last words"),
                                                              ConnectionLost()]


def test_error_received_ends_the_conversation() -> None:
    connector, _ = pair()
    assert events_of(connector, frame(ERROR, b"you broke it \xff")) == [
        Error("you broke it \ufffd")
    ]
    assert connector.state is State.CLOSED


def test_long_quit_reason_is_cut_to_fit() -> None:
    connector, listener = pair()
    assert events_of(listener, connector.send(Quit("ü" * 3000))) == [Quit("ü" * 2048)]

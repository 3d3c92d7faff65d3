"""Garbage either parses into events or raises the remote error: nothing else, ever."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.wire_ends import End
from tests.wirebytes import frame, hello, text
from turnchat.wire import (
    ConnectionLost,
    Conversation,
    Error,
    Event,
    Hello,
    RemoteProtocolError,
    Role,
    State,
)

VALID_START = hello("fuzz") + text("hi")


@settings(max_examples=300)
@given(
    st.sampled_from([Role.CONNECTOR, Role.LISTENER]),
    st.lists(st.one_of(
        st.binary(max_size=40),
        st.builds(frame, st.integers(0, 255), st.binary(max_size=20)),
        st.just(VALID_START),
    ), max_size=8),
)
def test_any_stream_gives_events_or_the_remote_error(role: Role, chunks: list[bytes]) -> None:
    conversation = End(Conversation(role))
    if role is Role.CONNECTOR:
        conversation.send(Hello("me"))
    assert_events_or_the_remote_error(conversation, [*chunks, b""])


def assert_events_or_the_remote_error(conversation: End, chunks: list[bytes]) -> None:
    """Events until the conversation or the connection ends, or the remote error, after
    which our ERROR may always be sent (the session sends it)."""
    last: Event | None = None
    try:
        for chunk in chunks:
            conversation.receive_data(chunk)
            while (event := conversation.next_event()) is not None:
                assert isinstance(event, Event)
                last = event
    except RemoteProtocolError as error:
        assert error.reason
        conversation.send(Error(error.reason))
        assert conversation.state is State.CLOSED
    else:
        assert conversation.state is State.CLOSED or last == ConnectionLost()


@settings(max_examples=300)
@given(
    st.sampled_from([Role.CONNECTOR, Role.LISTENER]),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255), st.sampled_from(
        ["flip", "insert", "delete"])), min_size=1, max_size=4),
    st.integers(1, 64),
)
def test_mutated_conversations_give_events_or_the_remote_error(
    role: Role, mutations: list[tuple[int, int, str]], read_size: int
) -> None:
    """A real conversation's bytes with a few bytes flipped, inserted or deleted."""
    stream = bytearray(hello("ana") + text("hi") + text("there") + frame(3, b"bye"))
    if role is Role.CONNECTOR:
        stream = bytearray(hello("bo")) + stream[len(hello("ana")):]
    for where, value, how in mutations:
        at = where % len(stream)
        if how == "flip":
            stream[at] ^= value or 1
        elif how == "insert":
            stream.insert(at, value)
        elif len(stream) > 1:
            del stream[at]
    conversation = End(Conversation(role))
    if role is Role.CONNECTOR:
        conversation.send(Hello("me"))
    chunks = [bytes(stream[i:i + read_size]) for i in range(0, len(stream), read_size)]
    assert_events_or_the_remote_error(conversation, [*chunks, b""])

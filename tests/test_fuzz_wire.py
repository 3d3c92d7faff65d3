"""Garbage either parses into events or raises the remote error: nothing else, ever."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.wirebytes import frame, hello, text
from wire import Conversation, Event, Hello, RemoteProtocolError, Role, State

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
    conversation = Conversation(role)
    if role is Role.CONNECTOR:
        conversation.send(Hello("me"))
    try:
        for chunk in [*chunks, b""]:
            conversation.receive_data(chunk)
            while (event := conversation.next_event()) is not None:
                assert isinstance(event, Event)
    except RemoteProtocolError as error:
        assert error.reason and conversation.state is State.BROKEN
    else:
        assert conversation.state is State.CLOSED

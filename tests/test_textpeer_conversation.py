"""The plain-text conversation (line and raw mode) as pure code: bytes in, events out."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.wire_ends import End
from turnchat.wire import (
    ConnectionLost,
    Hello,
    LocalProtocolError,
    Mode,
    Play,
    Quit,
    Role,
    State,
    Text,
)
from turnchat.wire.limits import MAX_PAYLOAD
from turnchat.wire.textpeer import TextPeerConversation


def greeted(role: Role = Role.LISTENER, mode: Mode = Mode.LINE) -> End:
    conversation = End(TextPeerConversation(role, mode))
    conversation.send(Hello("bo"))
    return conversation


def events_of(conversation: End, *chunks: bytes) -> list:
    found = []
    for chunk in chunks:
        conversation.receive_data(chunk)
        while (event := conversation.next_event()) is not None:
            found.append(event)
    return found


def test_lines_crlf_and_quit() -> None:
    conversation = greeted()
    assert events_of(conversation, b"one\r\ntw", b"o\n\nthree\r") == [
        Text("one"), Text("two"), Text("")]
    assert events_of(conversation, b"\n  /q \r\n") == [Text("three"), Quit()]
    assert conversation.state is State.CLOSED


def test_invalid_utf8_is_replaced_not_refused() -> None:
    assert events_of(greeted(), b"\xff ok \xc3\n") == [Text("\ufffd ok \ufffd")]


def test_a_long_line_comes_in_pieces_that_never_split_a_character() -> None:
    line = "€" * 2000  # 6000 bytes; byte 4096 is inside a character
    pieces = events_of(greeted(), line.encode() + b"\n")
    assert [len(piece.text.encode()) for piece in pieces] == [4095, 1905]
    assert "".join(piece.text for piece in pieces) == line


def test_an_endless_line_is_shown_before_its_newline() -> None:
    conversation = greeted()
    assert events_of(conversation, b"x" * 5000) == [Text("x" * MAX_PAYLOAD)]
    assert events_of(conversation, b"\n") == [Text("x" * 904)]


@settings(max_examples=200)
@given(st.binary(max_size=9000), st.lists(st.integers(0, 9000), max_size=6))
def test_how_the_bytes_are_cut_changes_no_message(stream: bytes, cuts: list[int]) -> None:
    whole = events_of(greeted(), stream, b"")
    bounds = [0, *sorted(min(cut, len(stream)) for cut in cuts), len(stream)]
    chunks = [stream[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    cut = events_of(greeted(), *chunks, b"")
    assert [type(event) for event in cut] == [type(event) for event in whole]
    joined = "".join(event.text for event in cut if isinstance(event, Text))
    assert joined == "".join(event.text for event in whole if isinstance(event, Text))
    assert whole[-1] == ConnectionLost() or whole[-1] == Quit()


def test_the_peer_is_never_out_of_turn_but_we_are() -> None:
    conversation = greeted(Role.CONNECTOR)
    assert conversation.state is State.MY_TURN
    assert conversation.send(Text("hi")) == b"hi\n"
    with pytest.raises(LocalProtocolError, match="not your turn"):
        conversation.send(Text("again"))
    assert events_of(conversation, b"a\nb\n") == [Text("a"), Text("b")]  # both its turns
    assert conversation.state is State.MY_TURN
    with pytest.raises(LocalProtocolError, match="Games need turnchat on both sides"):
        conversation.send(Play("offer", {"game": "tictactoe"}))


def test_a_line_before_our_greeting_makes_it_our_turn_once_we_greet() -> None:
    conversation = End(TextPeerConversation(Role.LISTENER, Mode.LINE))
    assert events_of(conversation, b"early\n") == [Text("early")]
    assert conversation.send(Hello("bo")).startswith(b"[turnchat] You are talking with bo,")
    assert conversation.state is State.MY_TURN
    assert events_of(conversation, b"") == [ConnectionLost()]


def test_quit_and_error_are_last_lines() -> None:
    assert greeted().send(Quit()) == b"[turnchat] bo left the conversation.\n"
    assert greeted().send(Quit("late")) == b"[turnchat] bo left the conversation: late.\n"
    conversation = End(TextPeerConversation(Role.LISTENER, Mode.LINE))
    assert conversation.send(Quit()) == (
        b"[turnchat] The turnchat user left the conversation.\n")
    with pytest.raises(LocalProtocolError, match="over"):
        conversation.send(Text("after"))


def test_raw_mode_one_read_one_message_and_no_extra_bytes() -> None:
    conversation = greeted(Role.CONNECTOR, Mode.RAW)
    assert conversation.send(Text("hi there")) == b"hi there"
    assert events_of(conversation, b"ping\n", b"a\r\n", b"/q!", b"caf\xc3", b"\xa9") == [
        Text("ping"), Text("a"), Text("/q!"), Text("caf"), Text("é")]
    assert conversation.send(Quit()) == b"/q"  # how the assignment's programs leave
    assert End(TextPeerConversation(Role.LISTENER, Mode.RAW)).send(Hello("bo")) == b""

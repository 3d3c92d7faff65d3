"""HELLO and GAME payloads from a stranger: every way `json` can fail becomes the remote error.

Each case is one payload that once raised something else, or that json.loads accepts and
turnchat never sends. Fed through a real `Conversation`, as bytes off the socket.
"""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_conversation import events_of, pair, refused
from tests.wire_ends import End
from tests.wirebytes import GAME, HELLO, frame
from turnchat.wire import Conversation, Event, Hello, RemoteProtocolError, Role, State
from turnchat.wire.json_object import MAX_DEPTH, MAX_ITEMS, MAX_KEYS, nesting

GREETING = '"app":"turnchat","version":1,"name":"ana"'

# payload -> the start of the reason; each json failure class is here once or more.
HOSTILE = {
    "deep arrays (RecursionError)": ("[" * 1000, "HELLO nests deeper than 6 levels"),
    "deep objects": ('{"a":' * 500 + "1" + "}" * 500, "HELLO nests deeper than 6 levels"),
    "deep inside a string is fine, then broken": (
        '{"name":"' + "[" * 2000 + '"', "HELLO is not valid JSON"),
    "NaN": ("{" + GREETING + ',"x":NaN}', "HELLO has NaN, which is not a number"),
    "Infinity": ("{" + GREETING + ',"x":-Infinity}', "HELLO has -Infinity, which is not"),
    "a repeated key": ('{"app":"turnchat","version":1,"name":"a","name":"b"}',
                       "HELLO has an object with a repeated key"),
    "too many keys": ("{" + GREETING + "".join(f',"k{n}":0' for n in range(40)) + "}",
                      "HELLO has an object with more than 32 keys"),
    "a long array": ("{" + GREETING + ',"x":[' + ",".join(["0"] * 300) + "]}",
                     "HELLO has an array of more than 256 items"),
    "a lone surrogate": ('{"app":"turnchat","version":1,"name":"\\udc00"}',
                         "HELLO has a string that is not text"),
    "a surrogate key": ("{" + GREETING + ',"\\ud800":1}', "HELLO has a string that is not"),
    "not an object": ("[1,2]", "HELLO is not a JSON object"),
    "truncated": ('{"app":"turnch', "HELLO is not valid JSON"),
    "a long name": ('{"app":"turnchat","version":1,"name":"' + "x" * 257 + '"}',
                    "HELLO has a name of 257 characters; the limit is 256"),
    "a name that is a number": ('{"app":"turnchat","version":1,"name":7}', "HELLO has no"),
    "a version that is true": ('{"app":"turnchat","version":true,"name":"a"}',
                               "unsupported protocol version True"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_hello_is_the_remote_error(case: str) -> None:
    payload, reason = HOSTILE[case]
    listener = End(Conversation(Role.LISTENER))
    assert refused(listener, frame(HELLO, payload.encode())).startswith(reason)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_game_step_is_the_remote_error(case: str) -> None:
    payload, reason = HOSTILE[case]
    if "name" in case or "version" in case:
        return  # HELLO's own fields
    _, listener = pair()
    assert refused(listener, frame(GAME, payload.encode())).startswith(
        reason.replace("HELLO", "GAME"))


def test_invalid_utf8_in_either_payload_is_the_remote_error() -> None:
    assert refused(End(Conversation(Role.LISTENER)), frame(HELLO, b'{"name":"\xff"}')) == \
        "invalid UTF-8 in HELLO"
    _, listener = pair()
    assert refused(listener, frame(GAME, b'{"kind":"move","move":"\xc3"}')) == \
        "invalid UTF-8 in GAME"


def test_what_turnchat_itself_sends_is_within_the_limits() -> None:
    """The limits leave room: a greeting with extra keys nested as deep as allowed passes."""
    body = {"app": "turnchat", "version": 1, "name": "x" * 32,
            "games": ["tictactoe", "connect4", "hangman"], "later": {"a": [[[{"b": 1}]]]}}
    listener = End(Conversation(Role.LISTENER))
    assert events_of(listener, frame(HELLO, json.dumps(body).encode())) == \
        [Hello("x" * 32, games=("tictactoe", "connect4", "hangman"))]
    assert nesting(json.dumps(body)) == MAX_DEPTH
    assert MAX_KEYS >= 8 and MAX_ITEMS >= 16


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert nesting('{"a":"[[[[[[[[[[\\"]]]"}') == 1
    assert nesting('[{"a":[1]}]') == 3
    assert nesting("") == 0


JSON_TEXT = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=5),
    max_leaves=30,
).map(json.dumps)


@settings(max_examples=300)
@given(st.sampled_from([HELLO, GAME]),
       st.one_of(JSON_TEXT, JSON_TEXT.map(lambda text: text[: len(text) // 2]),
                 st.text(alphabet='[]{}",:0\\tue', max_size=200)))
def test_any_hello_or_game_payload_gives_an_event_or_the_remote_error(
    frame_type: int, payload: str
) -> None:
    """JSON of every shape, cut JSON, and bracket soup, in the frame that parses JSON."""
    _, listener = pair() if frame_type == GAME else (None, End(Conversation(Role.LISTENER)))
    data = frame(frame_type, payload.encode()[:4096])
    try:
        found = events_of(listener, data)
    except RemoteProtocolError as error:
        assert error.reason and listener.state is State.BROKEN
    else:
        assert all(isinstance(event, Event) for event in found)

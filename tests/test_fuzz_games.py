"""Whatever game steps a peer sends, the match answers with lines or GameBroken, nothing else.

The steps are any JSON a GAME frame can carry, decoded as the wire decodes it (which may
refuse it with RemoteProtocolError) and sent to a match in each position a real game
reaches: no game, an open offer of each game (ours and theirs), a game on, and a hangman
guess waiting for its answer.
"""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnchat.games.match import GameBroken, Match
from turnchat.wire import RemoteProtocolError
from turnchat.wire.play import KINDS, decode_play

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats()
    | st.text(max_size=20) | st.sampled_from(["\ud800", "a", "ab", "0" * 64, "tictactoe",
                                              "hangman", "connect4", "0" * 32, "e"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["move", "guess", "positions", "right", "opening", "word", "salt",
                         "game", "length", "commitment", "keep_turn"]) | st.text(max_size=5),
        inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.dictionaries(
    st.sampled_from(["move", "opening", "game", "length", "commitment", "keep_turn"]),
    JSON, max_size=4)


def positions() -> list[tuple[Match, Match]]:
    """(us, the peer) in every position a step can arrive in."""
    found = [(Match("bo", "ana"), Match("ana", "bo"))]
    for name, word in (("tictactoe", ""), ("connect4", ""), ("hangman", "secret")):
        offered = (Match("bo", "ana"), Match("ana", "bo"))
        step = offered[1].offer(name, word)
        offered[0].receive(step[0])
        found.append(offered)
        mine = (Match("bo", "ana"), Match("ana", "bo"))
        step = mine[0].offer(name, word)
        mine[1].receive(step[0])
        found.append(mine)
        playing = (Match("bo", "ana"), Match("ana", "bo"))
        playing[0].receive(playing[1].offer(name, word)[0])
        playing[1].receive(playing[0].accept()[0])
        found.append(playing)
        if name == "hangman":  # we guessed a letter: the setter's answer is due
            guessed = (Match("bo", "ana"), Match("ana", "bo"))
            guessed[0].receive(guessed[1].offer(name, word)[0])
            guessed[1].receive(guessed[0].accept()[0])
            guessed[1].receive(guessed[0].move({"guess": "e"})[0])
            found.append(guessed)
    return found


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 100), st.sampled_from(sorted(KINDS)), FIELDS)
def test_any_game_step_gives_lines_or_game_broken(
    where: int, kind: str, fields: dict[str, Any]
) -> None:
    table = positions()
    us, _ = table[where % len(table)]
    payload = json.dumps({"kind": kind, **fields})
    try:
        lines = us.receive(decode_play(payload))
    except RemoteProtocolError as error:
        assert error.reason
    except GameBroken as broken:
        assert broken.reason and broken.sentence
    else:
        assert all(isinstance(line, str) for line in lines)


def test_a_word_that_is_not_text_is_refused_by_the_wire() -> None:
    """A hangman opening whose word is a lone surrogate once raised UnicodeEncodeError."""
    bo, ana = Match("bo", "ana"), Match("ana", "bo")
    bo.receive(ana.offer("hangman", "secret")[0])
    ana.receive(bo.accept()[0])
    payload = '{"kind":"resign","opening":{"word":"\\ud800","salt":"' + "0" * 32 + '"}}'
    with pytest.raises(RemoteProtocolError, match=r"^GAME has a string that is not text"):
        bo.receive(decode_play(payload))

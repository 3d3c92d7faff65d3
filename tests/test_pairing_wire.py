"""Pairing's pure parts: the PAIR exchange (wire/pairing.py) in memory, and the codes
(roles/code.py): what each side concludes, and hostile payloads."""

import contextlib
import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnchat.roles.code import CodeError, new_code, parse_code
from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.pairing import (
    ConnectorPairing,
    ListenerPairing,
    Outcome,
    decode_offer,
    transcript,
)

LISTENER_CERT, CONNECTOR_CERT, EVE_CERT = b"bo's certificate", b"ana's certificate", b"eve's"


def exchange(connector_code: str, listener_code: str, seen_by_connector: bytes = LISTENER_CERT,
             offered: bytes = CONNECTOR_CERT) -> tuple[str | None, Outcome]:
    """One pairing: what the connector concludes (the listener's name, or None) and what
    the listener concludes from the connector's confirmation."""
    ana = ConnectorPairing(connector_code, "7", "ana", offered, seen_by_connector)
    bo = ListenerPairing(listener_code, "bo", LISTENER_CERT, decode_offer(ana.offer[5:]))
    try:
        name: str | None = ana.take_answer(bo.answer[5:])
    except RemoteProtocolError:
        name = None
    return name, bo.take_confirm(ana.confirm[5:])


def test_the_right_code_pairs_both_sides() -> None:
    assert exchange("7-crossover-clockwork", "7-crossover-clockwork") == ("bo", Outcome.PAIRED)


def test_a_wrong_code_fails_on_both_sides_and_the_listener_says_which() -> None:
    assert exchange("7-crossover-clockwork", "7-crossover-cobra") == (None, Outcome.WRONG_CODE)


def test_someone_in_the_middle_with_the_right_code_is_caught_on_both_sides() -> None:
    """TLS terminated in the middle: the connector saw eve's certificate, not bo's."""
    code = "7-crossover-clockwork"
    assert exchange(code, code, seen_by_connector=EVE_CERT) == (None, Outcome.IN_THE_MIDDLE)


def test_the_transcript_covers_both_certificates_and_what_was_said() -> None:
    base = (b"offer", b"pake", "bo", LISTENER_CERT, CONNECTOR_CERT)
    changed = [transcript(*base[:index], b"x" if index != 2 else "x", *base[index + 1:])
               for index in range(5)]
    assert len({transcript(*base), *changed}) == 6


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_any_offer_is_read_or_refused_with_the_protocols_error(payload: bytes) -> None:
    with contextlib.suppress(RemoteProtocolError):
        ListenerPairing("7-a-b", "bo", LISTENER_CERT, decode_offer(payload))


@settings(max_examples=200)
@given(st.binary(min_size=1, max_size=64))
def test_a_hostile_pake_message_is_the_protocols_error(pake: bytes) -> None:
    body = {"step": "offer", "nameplate": "7", "name": "eve", "pake": pake.hex(),
            "certificate": "ZXZl"}
    with pytest.raises(RemoteProtocolError):
        ListenerPairing("7-a-b", "bo", LISTENER_CERT,
                        decode_offer(json.dumps(body).encode()))


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_any_answer_or_confirmation_is_read_or_refused(payload: bytes) -> None:
    ana = ConnectorPairing("7-a-b", "7", "ana", CONNECTOR_CERT, LISTENER_CERT)
    bo = ListenerPairing("7-a-b", "bo", LISTENER_CERT, decode_offer(ana.offer[5:]))
    with pytest.raises(RemoteProtocolError):
        ana.take_answer(payload)
    with contextlib.suppress(RemoteProtocolError):
        assert bo.take_confirm(payload) is not Outcome.PAIRED


def test_a_new_code_reads_back_and_moves_to_another_nameplate() -> None:
    code = new_code()
    assert parse_code(str(code)) == code
    assert parse_code(f"  {str(code).upper().replace('-', ' ')} \n") == code
    assert all(new_code(code.nameplate).nameplate != code.nameplate for _ in range(200))


@pytest.mark.parametrize(("typed", "sentence"), [
    ("7-crosover-clockwork", "'crosover' is not a word of the list; did you mean crossover?"),
    ("7-crossover-clokwork", "'clokwork' is not a word of the list; did you mean clockwork?"),
    ("7-clockwork-crossover", "the words are swapped: the code is 7-crossover-clockwork."),
    ("7-crossover-crossover", "'crossover' is not a word of the list for the second word"),
    ("7-xyzzy-clockwork", "'xyzzy' is not a word of the list; check the code."),
    ("0-crossover-clockwork", "must begin with a number from 1 to 999, not '0'"),
    ("crossover-clockwork", "it has three parts"),
    ("", "it has three parts"),
])
def test_a_mistyped_code_says_what_is_wrong(typed: str, sentence: str) -> None:
    with pytest.raises(CodeError) as caught:
        parse_code(typed)
    assert sentence in str(caught.value)


def test_the_worked_example_in_the_protocol_document_is_what_the_code_makes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/PROTOCOL.md's example, remade with its fixed randomness, byte for byte."""
    import hashlib
    import itertools
    from pathlib import Path

    from spake2 import SPAKE2_A, SPAKE2_B

    import turnchat.wire.pairing as pairing

    def fixed(seed: bytes) -> Callable[[int], bytes]:
        counter = itertools.count()
        return lambda size: hashlib.sha256(seed + str(next(counter)).encode()).digest()[:size]

    def spake2(code: str, connector: bool) -> object:
        kind = SPAKE2_A if connector else SPAKE2_B
        return kind(code.encode(), idA=b"turnchat connector", idB=b"turnchat listener",
                    entropy_f=fixed(b"a" if connector else b"b"))

    monkeypatch.setattr(pairing, "_spake2", spake2)
    code = "7-crossover-clockwork"
    ana = ConnectorPairing(code, "7", "ana", b"CCCCCCCC", b"LLLLLLLL")
    bo = ListenerPairing(code, "bo", b"LLLLLLLL", decode_offer(ana.offer[5:]))
    ana.take_answer(bo.answer[5:])
    assert bo.take_confirm(ana.confirm[5:]) is Outcome.PAIRED
    document = Path(__file__).parent.parent.joinpath("docs", "PROTOCOL.md").read_text()
    for frame in (ana.offer, bo.answer, ana.confirm):
        assert frame[:5].hex(" ") in document
        for value in json.loads(frame[5:]).values():
            assert f'"{value}"' in document, value

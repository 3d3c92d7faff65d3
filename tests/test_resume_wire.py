"""The resume extension's wire part (wire/resume.py, wire/hello.py): numbering, ACKs, the
RESUME handshake and its MACs, each checked on the bytes, and hostile payloads."""

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.wire_ends import End
from turnchat.wire import Conversation, Hello, Quit, RemoteProtocolError, Role, Text
from turnchat.wire.events import Acknowledged
from turnchat.wire.frames import Frame, FrameDecoder, FrameType, encode_frame
from turnchat.wire.hello import decode_hello, encode_hello
from turnchat.wire.limits import MAX_UNACKNOWLEDGED
from turnchat.wire.resume import (
    BAD_RESUME_COUNT,
    RESUME_REFUSED,
    Ledger,
    ResumeGuard,
    Ticket,
    check_answer,
    decode_request,
    encode_ack,
    encode_request,
)


def text(words: str) -> bytes:
    return encode_frame(FrameType.TEXT, words.encode())


def frames_of(data: bytes) -> list[Frame]:
    decoder = FrameDecoder()
    decoder.receive_data(data)
    out = []
    while (frame := decoder.next_frame()) is not None:
        out.append(frame)
    return out


class Counts:
    """Stands for the Conversation, which counts the data frames received."""

    received = 0


def test_data_frames_are_numbered_and_kept_until_acknowledged() -> None:
    ledger = Ledger(Counts())
    ledger.outgoing(encode_frame(FrameType.HELLO, b"{}"), my_turn=False, passes_turn=False)
    assert (ledger.sent, ledger.unacknowledged) == (0, 0)  # not numbered, not kept
    for number in range(1, 4):
        ledger.outgoing(text(f"m{number}"), my_turn=False, passes_turn=False)
    assert (ledger.sent, ledger.unacknowledged) == (3, 3)
    ledger.acknowledge(2)
    assert ledger.unacknowledged_texts() == ["m3"]
    assert ledger.resend_after(2) == text("m3")
    assert ledger.resend_after(3) == b"" and ledger.all_acknowledged()


def test_the_turn_coming_back_acknowledges_up_to_the_frame_that_passed_it() -> None:
    """A frame sent after we passed the turn (a hangman reveal) is not covered: the peer
    may have ended its turn before it arrived. Sending on our turn again says the turn
    came back; so does turn_came_back(), for a side that stops on its turn."""
    counts = Counts()
    ledger = Ledger(counts)
    ledger.passing(text("my message"))
    ledger.outgoing(encode_frame(FrameType.GAME, b'{"kind":"reveal"}'), my_turn=False,
                    passes_turn=False)
    counts.received = 1  # their message came, and with it the turn
    ledger.passing(text("my next message"))
    assert (ledger.acknowledged, ledger.unacknowledged) == (1, 2)
    assert ledger.unacknowledged_texts() == ["my next message"]
    counts.received = 2
    ledger.turn_came_back()
    assert (ledger.acknowledged, ledger.unacknowledged) == (3, 0)
    ledger.turn_came_back()  # nothing new passed: nothing changes
    assert ledger.acknowledged == 3
    assert frames_of(ledger.ack())[0].payload == (2).to_bytes(8, "big")


def test_a_turn_of_moves_is_held_until_the_turn_comes_back() -> None:
    ledger = Ledger(Counts())
    ledger.passing(text("over to you"))
    for move in range(3):  # the turn came back; moves that keep it
        ledger.outgoing(encode_frame(FrameType.GAME, b"{}"), my_turn=True, passes_turn=False)
        assert ledger.acknowledged == 1 and ledger.unacknowledged == move + 1
    ledger.outgoing(encode_frame(FrameType.GAME, b"{}"), my_turn=True, passes_turn=True)
    assert (ledger.sent, ledger.passed, ledger.unacknowledged) == (5, 5, 4)
    ledger.passing(text("back to you"))
    assert ledger.unacknowledged == 1


@pytest.mark.parametrize("count", [-1, 4])
def test_an_impossible_count_is_a_bad_resume_count(count: int) -> None:
    ledger = Ledger(Counts())
    for number in range(3):
        ledger.outgoing(text(str(number)), my_turn=False, passes_turn=False)
    ledger.acknowledge(1)
    with pytest.raises(RemoteProtocolError, match=BAD_RESUME_COUNT):
        ledger.acknowledge(0 if count < 0 else count)


def test_a_peer_that_never_acknowledges_is_cut_off() -> None:
    ledger = Ledger(Counts())
    for _ in range(MAX_UNACKNOWLEDGED):
        ledger.outgoing(text("x"), my_turn=False, passes_turn=False)
    with pytest.raises(RemoteProtocolError, match=f"no ACK for {MAX_UNACKNOWLEDGED + 1} "):
        ledger.outgoing(text("x"), my_turn=False, passes_turn=False)
    assert ledger.unacknowledged == MAX_UNACKNOWLEDGED


def test_a_resume_in_the_middle_of_a_connection_is_refused() -> None:
    _, bo = _resumable_pair()
    with pytest.raises(RemoteProtocolError, match="RESUME"):
        bo.receive_frame(Frame(FrameType.RESUME, b"{}"))


def test_the_resume_handshake_proves_both_sides_and_never_sends_the_secret() -> None:
    ticket = Ticket.new()
    frame = encode_request(ticket, 5, "ab" * 16)
    assert ticket.secret.encode() not in frame
    request = decode_request(frames_of(frame)[0].payload)
    guard = ResumeGuard(ticket)
    guard.check(request)
    answer = guard.answer(request, 7)
    assert ticket.secret.encode() not in answer
    assert check_answer(ticket, "ab" * 16, frames_of(answer)[0].payload) == 7


def test_a_recorded_resume_cannot_be_replayed() -> None:
    ticket = Ticket.new()
    request = decode_request(frames_of(encode_request(ticket, 0, "cd" * 16))[0].payload)
    guard = ResumeGuard(ticket)
    guard.check(request)
    with pytest.raises(RemoteProtocolError, match=RESUME_REFUSED):
        guard.check(request)


def test_a_resume_made_without_the_secret_is_refused() -> None:
    ticket = Ticket.new()
    forged = Ticket(ticket.session, Ticket.new().secret)
    request = decode_request(frames_of(encode_request(forged, 0, "ef" * 16))[0].payload)
    with pytest.raises(RemoteProtocolError, match=RESUME_REFUSED):
        ResumeGuard(ticket).check(request)


def test_an_old_answer_proves_nothing_for_a_new_nonce() -> None:
    ticket = Ticket.new()
    guard = ResumeGuard(ticket)
    request = decode_request(frames_of(encode_request(ticket, 0, "01" * 16))[0].payload)
    guard.check(request)
    answer = frames_of(guard.answer(request, 0))[0].payload
    with pytest.raises(RemoteProtocolError, match=RESUME_REFUSED):
        check_answer(ticket, "02" * 16, answer)


def test_the_hello_keys_round_trip_and_a_peer_without_them_has_no_resume() -> None:
    ticket = Ticket.new()
    hello = Hello("bo", resume=True, session=ticket.session, secret=ticket.secret)
    assert decode_hello(encode_hello(hello).decode()) == hello
    plain = Hello("ana")
    assert b"resume" not in encode_hello(plain)  # version 1's bytes do not change
    assert decode_hello(encode_hello(plain).decode()).resume is False


def test_a_hello_with_a_malformed_session_is_refused() -> None:
    body = {"app": "turnchat", "version": 1, "name": "bo", "resume": 1,
            "session": "xyz", "secret": "0" * 32}
    with pytest.raises(RemoteProtocolError, match="hex digits"):
        decode_hello(json.dumps(body))


@pytest.mark.parametrize("frame_type", [FrameType.ACK, FrameType.RESUME])
def test_without_the_extension_ack_and_resume_break_the_protocol(frame_type: FrameType) -> None:
    ana, bo = End(Conversation(Role.CONNECTOR)), End(Conversation(Role.LISTENER))
    bo.receive_data(ana.send(Hello("ana")))
    bo.next_event()
    ana.receive_data(bo.send(Hello("bo")))
    ana.next_event()
    bo.receive_data(encode_frame(frame_type, b"\0" * 8))
    with pytest.raises(RemoteProtocolError):
        bo.next_event()


def _resumable_pair() -> tuple[Conversation, Conversation]:
    """Two greeted conversations that take ACKs (the HELLOs agreed on resume)."""
    ana, bo = Conversation(Role.CONNECTOR), Conversation(Role.LISTENER)
    ana.acknowledging = bo.acknowledging = True
    bo.receive_frame(frames_of(ana.send(Hello("ana")))[0])
    ana.receive_frame(frames_of(bo.send(Hello("bo")))[0])
    return ana, bo


def test_a_resumable_conversation_counts_data_frames_and_takes_acks_as_events() -> None:
    """An ACK changes no turn; it may come after the conversation ended (our QUIT's)."""
    ana, bo = _resumable_pair()
    stream = encode_ack(0) + ana.send(Text("hi")) + encode_ack(0) + ana.send(Quit())
    stream += encode_ack(2)
    seen = [bo.receive_frame(frame) for frame in frames_of(stream)]
    assert seen == [Acknowledged(0), Text("hi"), Acknowledged(0), Quit(), Acknowledged(2)]
    assert bo.received == 2


@given(st.binary(max_size=300))
def test_any_resume_payload_is_read_or_refused_with_the_protocols_error(payload: bytes) -> None:
    with contextlib.suppress(RemoteProtocolError):
        decode_request(payload)
    with contextlib.suppress(RemoteProtocolError):
        check_answer(Ticket.new(), "00" * 16, payload)


@given(st.binary(max_size=16))
def test_any_ack_payload_is_read_or_refused_with_the_protocols_error(payload: bytes) -> None:
    _, bo = _resumable_pair()
    with contextlib.suppress(RemoteProtocolError):
        assert bo.receive_frame(Frame(FrameType.ACK, payload)) == Acknowledged(
            int.from_bytes(payload, "big"))

"""Junk, scanners and other programs are not taken for a person; a person always is.

The pure judge (wire/screening.py) on many random inputs and on the greetings of known
programs, then the listener on real connections: what each stranger receives, that our
user's queued lines never reach one, and that a one-shot listener keeps waiting.
"""

import random
import re
from collections.abc import Callable

import pytest

from tests.processes import RawPeer, Turnchat
from tests.test_plain_conversation import connect, listen
from turnchat.wire.screening import HTTP_ANSWER, FirstLine

Start = Callable[..., Turnchat]


def judged(*reads: bytes) -> tuple[str | None, bool]:
    """(why not a person, or None; whether a whole first line is in)."""
    first_line = FirstLine()
    for data in reads:
        if (why_not := first_line.feed(data)) is not None:
            return why_not, first_line.complete
    return None, first_line.complete


def test_random_bytes_are_never_a_person() -> None:
    """Once 1 in 135 to 1 in 200 random 64-byte connections passed as a person."""
    rng = random.Random(13)
    passed = [data for data in (rng.randbytes(64) for _ in range(20_000))
              if judged(data) == (None, True)]
    assert passed == []


def test_random_bytes_after_a_newline_or_a_short_word_are_not_a_person() -> None:
    rng = random.Random(14)
    starts = [b"\n", b"\r\n", b"ok\n", b"GET\n", b"a\r\n"]
    passed = [data for data in (rng.choice(starts) + rng.randbytes(60) for _ in range(5_000))
              if judged(data) == (None, True)]
    assert passed == []


@pytest.mark.parametrize(("first", "what"), [
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "an HTTP request"),
    (b"POST /login HTTP/1.0\r\n", "an HTTP request"),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "an HTTP request"),
    (b"OPTIONS sip:bo@example.org SIP/2.0\r\n", "an HTTP request"),
    (b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "an SSH client"),
    (b"PROXY TCP4 192.0.2.1 192.0.2.2 5000 7777\r\n", "a PROXY protocol header"),
    (b"EHLO mail.example.org\r\n", "an SMTP client"),
])
def test_the_greetings_of_programs_are_refused(first: bytes, what: str) -> None:
    assert judged(first) == (f"{what}, not a person typing", True)


@pytest.mark.parametrize("typed", [
    b"hi\n", b"hello, is this bo?\r\n", b"GET me a coffee\n", b"ssh-2.0 is a thing\n",
    "ça va? 😀\n".encode(), b"arrows \x1b[D and tabs\t\n", b"two lines\nat once\n",
])
def test_what_people_type_is_a_person(typed: bytes) -> None:
    assert judged(typed) == (None, True)


def test_blank_lines_are_no_one_saying_anything() -> None:
    first_line = FirstLine()
    assert first_line.feed(b"\r\n\n  \r\n") is None
    assert not first_line.complete
    assert first_line.feed(b"hi there\n") is None
    assert first_line.complete and first_line.said == b"hi there\n"


# -- on real connections -------------------------------------------------------------------

SECRET = b"meet at 5, the door code is 4921\n"


def test_an_http_probe_gets_a_400_and_never_our_queued_lines(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat, stdin=SECRET)
    probe = RawPeer.connect(port)
    raw_peers.append(probe)
    probe.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8\r\n\r\n")
    answer = probe.read_all()
    assert answer == HTTP_ANSWER
    assert answer.startswith(b"HTTP/1.0 400 Bad Request\r\n")
    assert answer.endswith(b"This is a turnchat listener, not a web server: talk to it with "
                           b"`turnchat --connect HOST:PORT`, or type into `nc HOST PORT`.\n")
    listener.expect("err", r"Dropped a connection from 127\.0\.0\.1:\d+: an HTTP request, not "
                           r"a person typing\.")
    person = connect(turnchat, port, stdin=b"it is me\n")
    person.expect("out", re.escape(SECRET.decode()))
    assert person.finish().status == 0
    assert listener.finish().out == "it is me\n"


@pytest.mark.parametrize(("junk", "reason"), [
    (b"SSH-2.0-Go\r\n", "an SSH client, not a person typing"),
    (b"\n\x01\x02\x03junk", "neither turnchat frames nor typed text"),
    (b"hi\n\x80\x81", "neither turnchat frames nor UTF-8 text"),
])
def test_programs_and_junk_after_a_line_are_told_in_a_line(
    turnchat: Start, raw_peers: list[RawPeer], junk: bytes, reason: str
) -> None:
    listener, port = listen(turnchat, stdin=SECRET)
    stranger = RawPeer.connect(port)
    raw_peers.append(stranger)
    stranger.send(junk)
    assert stranger.read_all() == f"[turnchat] closing: {reason}\n".encode()
    listener.expect("err", re.escape(f": {reason}."))
    person = RawPeer.connect(port)
    raw_peers.append(person)
    person.send(b"a person\n")
    listener.expect("out", "^a person\n$")
    assert person.read_line().startswith(b"[turnchat] You are talking with bo")
    assert person.read_line() == SECRET


@pytest.mark.parametrize("said", [b"", b"\r\n", b"\r\n\r\n", b"half a li"])
def test_leaving_before_a_whole_line_does_not_use_up_a_one_shot_listener(
    turnchat: Start, raw_peers: list[RawPeer], said: bytes
) -> None:
    listener, port = listen(turnchat, "--timeout", "30", stdin=SECRET)
    stranger = RawPeer.connect(port)
    stranger.send(said)
    stranger.close()
    person = connect(turnchat, port, stdin=b"first real words\n")
    person.expect("out", re.escape(SECRET.decode()))
    assert person.finish().status == 0
    done = listener.finish()
    assert (done.status, done.out) == (0, "first real words\n")
    assert "plain-text peer" not in done.err  # the stranger was never taken for the peer


def test_a_person_who_presses_enter_first_is_still_a_person(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat)
    person = RawPeer.connect(port)
    raw_peers.append(person)
    person.send(b"\n")
    person.send(b"\r\n")
    person.send(b"there you are\n")
    listener.expect("err", "A plain-text peer connected")
    listener.expect("out", "^there you are\n$")

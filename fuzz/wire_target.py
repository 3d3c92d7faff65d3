"""Coverage-guided fuzzing (atheris, libFuzzer) of everything a peer's bytes reach.

One input is cut into reads and fed, through a connection's decoder (tests/wire_ends.py),
to both roles of the frame `Conversation` (from a greeted start and from nothing), to the
line and raw `TextPeerConversation`, and every
text that comes out goes through the sanitiser. The same input is also sent whole as the
payload of a HELLO and of a GAME frame (the JSON decoders), and every game step that comes
out of any of these is played against a match in each position a game reaches (the games'
move parsing). The contract checked on every input: the frame conversation yields events
or raises `RemoteProtocolError` and nothing else; the plain-text one never raises; a game
step gives lines or `GameBroken`; no event is of an unknown type; nothing that steers a
terminal survives `sanitize`. Any other exception is a finding, and libFuzzer saves the
input that caused it.

    make fuzz                     # FUZZ_SECONDS (default 60) of fuzzing
    .venv/bin/python fuzz/wire_target.py -max_total_time=600 fuzz/corpus
"""

import os
import re
import sys

import atheris

with atheris.instrument_imports():
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tests.wire_ends import End
    from turnchat.games.match import GameBroken, Match
    from turnchat.session.sanitize import sanitize, sanitize_line
    from turnchat.wire import (
        ConnectionLost,
        Conversation,
        Error,
        Hello,
        Mode,
        Play,
        Quit,
        RemoteProtocolError,
        Role,
        Text,
    )
    from turnchat.wire.frames import FrameType, encode_frame
    from turnchat.wire.textpeer import TextPeerConversation

EVENTS = (Hello, Text, Quit, Error, Play, ConnectionLost)
GREETING = b'\x00\x00\x00\x2c\x01{"app":"turnchat","version":1,"name":"ana"}'
# What must never reach a terminal: C0 (but newline), DEL, C1, separators, surrogates, bidi.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
                    "\u202a-\u202e\u2066-\u2069]")


def reads(data: atheris.FuzzedDataProvider, stream: bytes) -> list[bytes]:
    """Cut `stream` where the fuzzer says, as a socket's reads would."""
    pieces, start = [], 0
    while start < len(stream):
        size = data.ConsumeIntInRange(1, max(1, len(stream) - start))
        pieces.append(stream[start:start + size])
        start += size
    return [*pieces, b""]


def check_text(text: str) -> None:
    if UNSAFE.search(sanitize(text)) or "\n" in sanitize_line(text):
        raise AssertionError(f"unsafe output from sanitize({text!r})")


def positions() -> list[Match]:
    """A match (ours, against "ana") in each position a game step can arrive in."""
    found = [Match("bo", "ana")]
    for name, word in (("tictactoe", ""), ("connect4", ""), ("hangman", "secret")):
        for we_offer in (False, True):
            us, them = Match("bo", "ana"), Match("ana", "bo")
            if we_offer:
                them.receive(us.offer(name, word)[0])
            else:
                us.receive(them.offer(name, word)[0])
            found.append(us)
        us, them = Match("bo", "ana"), Match("ana", "bo")
        us.receive(them.offer(name, word)[0])
        them.receive(us.accept()[0])
        found.append(us)
    return found


def play(step: Play) -> None:
    for match in positions():
        try:
            lines = match.receive(step)
        except GameBroken as broken:
            if not broken.reason:
                raise AssertionError("GameBroken without a reason") from None
            continue
        for line in lines:
            check_text(sanitize(line))


def frames(conversation: End, pieces: list[bytes]) -> None:
    try:
        for piece in pieces:
            conversation.receive_data(piece)
            while (event := conversation.next_event()) is not None:
                if not isinstance(event, EVENTS):
                    raise AssertionError(f"unexpected event {event!r}")
                for value in (getattr(event, "text", ""), getattr(event, "reason", ""),
                              getattr(event, "name", "")):
                    check_text(value)
                if isinstance(event, Play):
                    play(event)
    except RemoteProtocolError as error:
        if not error.reason:
            raise AssertionError("a remote error without a reason") from None
        conversation.send(Error(error.reason))  # the session's answer is always allowed


def plain(mode: Mode, pieces: list[bytes]) -> None:
    conversation = End(TextPeerConversation(Role.LISTENER, mode))
    conversation.send(Hello("bo"))
    for piece in pieces:
        conversation.receive_data(piece)
        while (event := conversation.next_event()) is not None:
            if isinstance(event, Text):
                if len(event.text.encode()) > 4096 * 3:  # U+FFFD is 3 bytes for 1
                    raise AssertionError("a message over the limit")
                check_text(event.text)


def test_one_input(raw: bytes) -> None:
    data = atheris.FuzzedDataProvider(raw)
    greeted = data.ConsumeBool()
    stream = data.ConsumeBytes(data.remaining_bytes())
    pieces = reads(atheris.FuzzedDataProvider(raw[:64]), stream)
    listener = End(Conversation(Role.LISTENER))
    frames(listener, reads(atheris.FuzzedDataProvider(raw[:64]),
                           (GREETING if greeted else b"") + stream))
    connector = End(Conversation(Role.CONNECTOR))
    connector.send(Hello("bo"))
    frames(connector, pieces)
    plain(Mode.LINE, pieces)
    plain(Mode.RAW, pieces)
    payload = stream[:4096]  # whole, as the JSON payload of the two frames that carry JSON
    frames(End(Conversation(Role.LISTENER)), [encode_frame(FrameType.HELLO, payload), b""])
    greeted = End(Conversation(Role.LISTENER))
    greeted.receive_data(GREETING)
    greeted.next_event()
    greeted.send(Hello("bo"))
    frames(greeted, [encode_frame(FrameType.GAME, payload), b""])


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

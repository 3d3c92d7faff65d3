"""The simple face (--simple, or TERM=dumb) in a real pty: one line per event, in order,
for a screen reader; no prompt drawn and no cursor moved."""

import pytest

from tests.processes import RawPeer
from tests.test_interactive import ENTER
from tests.wirebytes import HELLO, TEXT, hello, text


@pytest.mark.parametrize(("args", "env"), [(("--simple",), {}), ((), {"TERM": "dumb"})])
def test_a_screen_reader_hears_every_event_as_one_line(
    terminal, raw_peers: list[RawPeer], args: tuple[str, ...], env: dict[str, str]
) -> None:
    term = terminal("--listen", "127.0.0.1:0", "--name", "bo", *args, env=env)
    port = int(term.wait_for(r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(hello("raw"))
    assert peer.read_frame()[0] == HELLO
    term.wait_for("raw connected from")
    term.type("typed ahead" + ENTER)  # raw's turn: kept, and said so
    term.wait_for("Kept until your turn.")
    peer.send(text("hi bo\nhow are you?"))
    assert peer.read_frame() == (TEXT, b"typed ahead")  # it went when the turn came
    term.wait_for("Sent what you typed ahead.")
    peer.send(text("your go"))
    term.wait_for("Your turn.")
    term.type("bye now" + ENTER)
    assert peer.read_frame() == (TEXT, b"bye now")
    term.type("/q" + ENTER)
    assert term.finish() == 0
    lines = [line for line in term.text.splitlines() if line]
    said = [line for line in lines if line not in ("typed ahead", "bye now", "/q")]
    assert said[0].startswith("Listening on 127.0.0.1:")
    assert said[1].startswith("raw connected from 127.0.0.1:")
    assert said[2:] == [
        "Kept until your turn.",
        "raw: hi bo",
        "     how are you?",
        "Sent what you typed ahead.",
        "raw: your go",
        "Your turn.",
        "You left the conversation.",
    ]
    assert b"\x1b" not in term.raw  # no prompt, no colour, no cursor moves: text only

"""A hostile peer cannot steer the terminal, in either face: read off a real pty's screen."""

import re
from collections.abc import Callable

import pytest

from tests.processes import RawPeer, Turnchat
from tests.terminal import TerminalTurnchat
from tests.test_plain_conversation import listen
from tests.wirebytes import ERROR, HELLO, hello, text
from turnchat.roles.listener import MAX_CANDIDATES

HOSTILE = ("A\x1b[2J"  # clear the screen
           "B\x1b[H\x1b[5;5H"  # move the cursor home, then elsewhere
           "C\x1b]0;pwned\x07"  # set the window title
           "D\u202eEVIL\u202c"  # reverse what follows (Trojan Source)
           "E\u2066F\u2069"  # an isolate
           "G\r\x08H\x9b2J")  # carriage return, backspace, a one-byte CSI
SHOWN = (r"A^[[2JB^[[H^[[5;5HC^[]0;pwned^GD\u202eEVIL\u202cE\u2066F\u2069G^M^HH\u009b2J")


def greeted_in(
    face: str, terminal: Callable[..., TerminalTurnchat], raw_peers: list[RawPeer], name: str
) -> tuple[TerminalTurnchat, RawPeer]:
    """bo listens in a pty with the given face; a raw peer called `name` has greeted."""
    term = terminal("--listen", "127.0.0.1:0", "--name", "bo", cols=120,
                    plain=face == "plain")
    port = int(term.wait_for(r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(hello(name))
    assert peer.read_frame()[0] == HELLO
    return term, peer


@pytest.mark.parametrize("face", ["interactive", "plain"])
def test_hostile_text_is_shown_not_obeyed(
    terminal: Callable[..., TerminalTurnchat], raw_peers: list[RawPeer], face: str
) -> None:
    term, peer = greeted_in(face, terminal, raw_peers, "raw")
    peer.send(text(HOSTILE))
    term.wait_for(re.escape(SHOWN))
    term.settle()
    lines = term.text.splitlines()
    assert re.match(r"(\* )?Listening on 127.0.0.1", lines[0])  # nothing cleared or moved
    assert term.screen.title != "pwned"
    row = next(number for number, line in enumerate(lines) if SHOWN in line)
    assert lines[row].index(SHOWN) in (0, len("raw: "))  # in order, where it belongs
    assert "EVIL" in lines[row] and "LIVE" not in lines[row]


@pytest.mark.parametrize("face", ["interactive", "plain"])
def test_invisible_characters_in_a_name_and_a_message_are_shown(
    terminal: Callable[..., TerminalTurnchat], raw_peers: list[RawPeer], face: str
) -> None:
    """A peer named "ana" + a zero-width space is not ana; tag characters hide no text."""
    term, peer = greeted_in(face, terminal, raw_peers, "ana\u200b")
    term.wait_for(re.escape("ana\\u200b connected from"))
    peer.send(text("hello\u200e \U000e0069\U000e0067\U000e006e 👩🏽\u200d💻"))
    term.wait_for(re.escape("hello\\u200e \\U000e0069\\U000e0067\\U000e006e 👩🏽"))


def test_the_listener_holds_a_bounded_number_of_strangers(
    turnchat: Callable[..., Turnchat], raw_peers: list[RawPeer]
) -> None:
    """MAX_CANDIDATES: the 17th silent connection pushes the oldest out, told why."""
    listener, port = listen(turnchat)
    strangers = [RawPeer.connect(port) for _ in range(MAX_CANDIDATES + 1)]
    raw_peers.extend(strangers)
    for stranger in strangers[:MAX_CANDIDATES]:
        stranger.send(b"\x00")  # half a length: a frame that never finishes
    assert strangers[0].read_frame() == (ERROR, b"too many connections waiting to greet")
    assert strangers[0].at_eof()
    listener.expect("err", r"waiting for a peer\.")

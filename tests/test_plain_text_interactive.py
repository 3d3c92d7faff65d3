"""A plain-text peer and --keep in the interactive face, read off the screen in a real pty."""

from collections.abc import Callable

from tests.processes import RawPeer
from tests.terminal import TerminalTurnchat
from tests.test_interactive import CTRL_C, ENTER

Terminal = Callable[..., TerminalTurnchat]


def line_peer(term: TerminalTurnchat, raw_peers: list[RawPeer], first_line: bytes) -> RawPeer:
    port = int(term.wait_for(r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(first_line)
    assert peer.read_line().startswith(b"[turnchat] You are talking with bo")
    return peer


def test_toolbar_and_notice_say_the_peer_is_plain_text(
    terminal: Terminal, raw_peers: list[RawPeer]
) -> None:
    term = terminal("--listen", "127.0.0.1:0", "--name", "bo", cols=120)
    peer = line_peer(term, raw_peers, b"hi from nc\n")
    term.wait_for(r"A plain-text peer connected from 127\.0\.0\.1:\d+ \(line mode: each line "
                  r"is one message, and it sees no turns\)\.")
    term.wait_for("peer: hi from nc")
    term.wait_for(r"YOUR TURN  \|  bo with a plain-text peer \(127\.0\.0\.1:\d+, line mode: "
                  r"it sees no turns\)")
    term.type("/play tictactoe" + ENTER)
    term.wait_for("Games need turnchat on both sides; this peer sends plain text. Your draft "
                  "is kept.")
    term.type("\x15hello, nc" + ENTER)  # Ctrl-U clears the kept draft
    assert peer.read_line() == b"hello, nc\n"
    term.wait_for("PEER'S TURN")
    peer.send(b"one\ntwo\n")  # lines in a row: both shown
    term.wait_for("peer: one\n.*peer: two")
    term.type("/q" + ENTER)
    assert peer.read_all() == b"[turnchat] bo left the conversation.\n"
    assert term.finish() == 0


def test_keep_goes_back_to_waiting_and_ctrl_c_stops(
    terminal: Terminal, raw_peers: list[RawPeer]
) -> None:
    term = terminal("--listen", "127.0.0.1:0", "--name", "bo", "--keep")
    first = line_peer(term, raw_peers, b"first\n")
    term.wait_for("peer: first")
    first.send(b"/q\n")
    term.wait_for("peer left the conversation.")
    term.wait_for(r"Listening on 127\.0\.0\.1:\d+; waiting for the next peer\.")
    term.wait_for(r"Listening on 127\.0\.0\.1:\d+; waiting for a peer\.  /q to stop")  # toolbar
    second = line_peer(term, raw_peers, b"second\n")
    term.wait_for("peer: second")
    term.type(CTRL_C)
    assert second.read_all() == b"[turnchat] bo left the conversation.\n"
    assert term.finish() == 0
    term.wait_for("You left the conversation.")

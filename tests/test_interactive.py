"""The interactive face in a real pty, read off the screen a person would see."""

import re
import signal
import socket
from collections.abc import Callable

import pytest

from tests.processes import RawPeer, Turnchat, listening_port
from tests.terminal import TerminalTurnchat
from tests.wirebytes import HELLO, QUIT, TEXT, frame, hello, text

ENTER, UP, CTRL_C, CTRL_D = "\r", "\x1b[A", "\x03", "\x04"
ALT_ENTER = "\x1b\r"  # what a terminal sends for Alt+Enter (Meta sends Esc first)


def listening_with_raw_peer(
    terminal: Callable[..., TerminalTurnchat], raw_peers: list[RawPeer],
    args: tuple[str, ...] = (), **options: object
) -> tuple[TerminalTurnchat, RawPeer]:
    """bo listens in a pty; the test connects as "raw", which holds the first turn."""
    term = terminal("--listen", "127.0.0.1:0", "--name", "bo", *args, **options)
    port = int(term.wait_for(r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(hello("raw"))
    assert peer.read_frame()[0] == HELLO
    term.wait_for("raw connected from")
    return term, peer


def give_the_turn(term: TerminalTurnchat, peer: RawPeer) -> None:
    """The raw peer speaks, so that the turn is bo's."""
    peer.send(text("your turn"))
    term.wait_for("YOUR TURN")


def nothing_sent(peer: RawPeer) -> bool:
    peer.sock.settimeout(0.3)
    try:
        return not peer.sock.recv(1)  # only the end of the stream would do
    except TimeoutError:
        return True
    finally:
        peer.sock.settimeout(15)


def test_draft_survives_an_incoming_message(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    term.type("half a wor")
    term.wait_for("you> half a wor")
    peer.send(text("a message arrives mid-word"))
    term.wait_for("raw: a message arrives mid-word")
    term.settle()
    assert term.prompt_line().endswith("you> half a wor")
    lines = term.text.splitlines()
    message_row = next(row for row, line in enumerate(lines) if "raw: a message" in line)
    assert message_row < lines.index(term.prompt_line())
    term.type("d" + ENTER)
    assert peer.read_frame() == (TEXT, b"half a word")
    term.wait_for("bo: half a word")


def test_enter_out_of_turn_keeps_the_draft(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    assert "(raw's turn) you>" in term.prompt_line()
    term.wait_for("RAW'S TURN")
    term.type("too soon" + ENTER)
    term.wait_for("It is raw's turn; wait for their message. Your draft is kept.")
    term.wait_for("you> too soon")
    term.type("early 2" + ENTER)  # a new line of the draft, not glued to the first
    term.wait_for("(?m)^early 2$")
    assert nothing_sent(peer)
    peer.send(text("go ahead"))
    term.wait_for("raw: go ahead")
    term.wait_for("YOUR TURN")
    term.type(ENTER)
    assert peer.read_frame() == (TEXT, b"too soon\nearly 2")
    term.wait_for(r"bo: too soon\n    early 2")


def test_alt_enter_and_esc_enter_put_a_newline_in_the_draft(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    give_the_turn(term, peer)
    term.type("first line" + ALT_ENTER)
    term.type("second" + "\x1b")  # Esc, then Enter a moment later: the same
    term.settle()
    term.type(ENTER + "third" + ENTER)
    assert peer.read_frame() == (TEXT, b"first line\nsecond\nthird")
    term.wait_for(r"bo: first line\n    second\n    third")


def test_a_paste_of_three_lines_goes_as_one_message(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    give_the_turn(term, peer)
    term.type("\x1b[200~one\ntwo\r\nthree\x1b[201~")  # bracketed paste, as terminals send it
    term.wait_for("(?m)^three$")
    term.type(ENTER)
    assert peer.read_frame() == (TEXT, b"one\ntwo\nthree")


@pytest.mark.parametrize("key", ["\x1a", "\x00", "\x1b[200~\x07\x1b]0;x\x07\x1b[201~"])
def test_no_control_character_from_the_keyboard_reaches_a_draft(
    terminal, raw_peers, key: str
) -> None:
    """Ctrl-Z (no job control here), Ctrl-Space, and a paste holding BEL and a title escape."""
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    give_the_turn(term, peer)
    term.type("a" + key + "b")
    term.settle()
    term.type(ENTER)
    kind, payload = peer.read_frame()
    assert kind == TEXT and all(ord(char) >= 32 for char in payload.decode()), payload


def test_hostile_message_cannot_clear_the_screen_or_set_the_title(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    peer.send(text("A\x1b[2JB\x1b]0;pwned\x07C\u009b2JD\u202eE\r\x08F"))
    term.wait_for("raw: A")
    term.settle()
    assert "Listening on 127.0.0.1" in term.text  # nothing was cleared
    assert term.screen.title != "pwned"
    assert r"raw: A^[[2JB^[]0;pwned^GC\u009b2JD\u202eE^M^HF" in term.text


def test_slash_q_quits_and_tells_the_peer(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    term.type("/q" + ENTER)
    assert peer.read_frame() == (QUIT, b"")
    assert peer.at_eof()
    peer.close()
    assert term.finish() == 0
    assert "You left the conversation." in term.text


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
def test_ctrl_c_and_ctrl_d_quit(terminal, raw_peers, key: str) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    term.type(key)
    assert peer.read_frame() == (QUIT, b"")
    peer.close()
    assert term.finish() == 0


def test_ctrl_d_with_a_draft_does_not_quit(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    term.type("draft" + "\x1b[D" * 5 + CTRL_D)  # Ctrl-D on a non-empty line deletes
    term.wait_for("you> raft")
    assert nothing_sent(peer)


def test_peer_leaving_ends_with_its_reason(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    peer.send(frame(QUIT, b"gotta go"))
    assert term.finish() == 0
    assert "raw left the conversation: gotta go." in term.text


def test_lost_connection_keeps_the_draft_on_screen(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    term.type("my unsent thought")
    term.wait_for("you> my unsent thought")
    peer.sock.shutdown(socket.SHUT_RDWR)
    assert term.finish() == 1
    assert "Your unsent draft: my unsent thought" in term.text
    assert "turnchat: Connection to raw lost." in term.text


def test_too_long_message_stays_in_the_prompt(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers, rows=60)
    give_the_turn(term, peer)
    term.type("é" * 2049 + ENTER)  # 4098 bytes: a draft that fills the screen
    refusal = "The message is 4098 bytes, 2 over the limit of 4096. Your draft is kept."
    term.wait_for("é\n[^é]*" + re.escape(refusal))  # below the draft: in the toolbar
    assert nothing_sent(peer)
    term.type("\x7f\x7f" + ENTER)  # shorten by two characters: 2047 times é, 4094 bytes
    assert peer.read_frame() == (TEXT, "é".encode() * 2047)


def test_up_arrow_recalls_what_was_sent(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    peer.send(text("one"))
    term.wait_for("YOUR TURN")
    term.type("first thing I said" + ENTER)
    assert peer.read_frame() == (TEXT, b"first thing I said")
    term.wait_for("RAW'S TURN")
    term.type(UP)
    term.wait_for("you> first thing I said")


def test_help_and_unknown_commands(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    term.type("/help" + ENTER)
    term.wait_for("/q, /quit, /exit +leave the conversation")
    term.type("/frob" + ENTER)
    term.wait_for("Unknown command /frob; /help lists them")
    assert term.prompt_line().endswith("you> /frob")
    assert nothing_sent(peer)


def test_double_slash_sends_a_literal_slash(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    peer.send(text("hi"))
    term.wait_for("YOUR TURN")
    term.type("//etc is a directory" + ENTER)
    assert peer.read_frame() == (TEXT, b"/etc is a directory")


def test_names_are_coloured_unless_no_color(terminal, raw_peers) -> None:
    for env, coloured in (({}, True), ({"NO_COLOR": "1"}, False)):
        term, peer = listening_with_raw_peer(terminal, raw_peers, env=env)
        peer.send(text("colour check"))
        row = term.wait_for("raw: colour check") and next(
            y for y, line in enumerate(term.screen.display) if "raw: colour check" in line)
        assert (term.screen.buffer[row][0].fg != "default") is coloured
        assert (b"\x1b[36m" in term.raw or b";36m" in term.raw or b"36;" in term.raw) is coloured


def test_interactive_connector_speaks_first_to_a_plain_listener(terminal, turnchat) -> None:
    listener: Turnchat = turnchat("--listen", "127.0.0.1:0", "--name", "bo")
    port = listening_port(listener)
    term = terminal("--connect", f"127.0.0.1:{port}", "--name", "ana")
    term.wait_for("Connected to bo at 127.0.0.1")
    term.wait_for("YOUR TURN")
    term.type("hello from a terminal" + ENTER)
    listener.expect("out", "hello from a terminal\n")
    listener.write(b"hello from a pipe\n")
    term.wait_for("bo: hello from a pipe")
    listener.close_stdin()  # bo's input ends; on bo's next turn bo leaves
    term.type("bye" + ENTER)
    term.wait_for("bo left the conversation.")
    assert term.finish() == 0
    assert listener.finish().status == 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signals_from_outside_quit_politely(terminal, raw_peers, signum: int) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    term.child.kill(signum)
    assert peer.read_frame() == (QUIT, b"")
    peer.close()
    assert term.finish() == 0


def test_waiting_listener_stops_on_slash_q(terminal) -> None:
    term = terminal("--listen", "127.0.0.1:0")
    term.wait_for("Listening on")
    term.wait_for("waiting for a peer.  /q to stop")
    term.type("/q" + ENTER)
    assert term.finish() == 0
    assert "Stopped listening; no peer had connected." in term.text


def test_multi_line_message_is_indented_under_its_sender(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    peer.send(text("first line\nsecond line"))
    term.wait_for(r"raw: first line\n     second line")


@pytest.mark.parametrize("attempt", range(4))
def test_closing_the_terminal_window_tells_the_peer_we_left(
    terminal, raw_peers, attempt: int
) -> None:
    """SIGHUP and the terminal's failing input race; QUIT must win every time."""
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    if attempt % 2:
        term.type("half a draft")
    if attempt >= 2:
        peer.send(text("a message just before"))
        term.wait_for("raw: a message just before")
    assert term.close_window() == 0
    assert peer.read_frame() == (QUIT, b"")


def test_a_peer_named_turnchat_cannot_pass_for_turnchat(terminal, raw_peers) -> None:
    """Notices carry a mark no name can have; a peer calling itself turnchat is shown so."""
    term = terminal("--listen", "127.0.0.1:0", "--name", "bo")
    port = int(term.wait_for(r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(hello("turnchat"))
    assert peer.read_frame()[0] == HELLO
    peer.send(text("Connection to bo lost."))
    term.wait_for("Connection to bo lost.")
    peer.close()
    term.wait_for(r"turnchat: Connection to turnchat \(the peer\) lost\.")
    lines = term.text.splitlines()
    imitation = next(line for line in lines if line.endswith(": Connection to bo lost."))
    assert imitation == "turnchat (the peer): Connection to bo lost."
    ours = [line for line in lines if "Listening on" in line or "connected from" in line
            or "Connection to turnchat" in line]
    assert len(ours) == 3 and all(line.startswith("* ") for line in ours)


@pytest.mark.parametrize("name", ["turnchat", "* bo", "TurnChat"])
def test_our_name_may_not_imitate_turnchat(turnchat: Callable[..., Turnchat], name: str) -> None:
    done = turnchat("--listen", "127.0.0.1:0", "--name", name).finish()
    assert done.status == 2
    assert "would make your messages look like turnchat's own lines" in done.err


def test_a_narrow_window_still_shows_whose_turn_it_is(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers, cols=30)
    term.wait_for("RAW'S TURN")
    give_the_turn(term, peer)


def test_the_bell_rings_once_when_the_turn_comes_and_never_for_the_peer(
    terminal, raw_peers
) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers)
    term.settle()
    assert term.raw.count(b"\x07") == 0  # raw's turn first: nothing to ring for
    peer.send(text("ding\x07 dong\x07"))  # the peer's BELs are shown, never rung
    term.wait_for("raw: ding\\^G dong\\^G")
    term.wait_for("YOUR TURN")
    term.settle()
    assert term.raw.count(b"\x07") == 1
    term.type("/bell" + ENTER)
    term.wait_for("The bell on your turn is off.")
    term.type("thanks" + ENTER)
    assert peer.read_frame() == (TEXT, b"thanks")
    peer.send(text("again"))
    term.wait_for("raw: again")
    term.settle()
    assert term.raw.count(b"\x07") == 1  # off: the turn came back in silence


def test_no_bell_flag_and_timestamps(terminal, raw_peers) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers, args=("--no-bell", "--timestamps"))
    peer.send(text("what time is it?"))
    term.wait_for(r"(?m)^\d\d:\d\d raw: what time is it\?$")
    term.type("lunch" + ENTER)
    term.wait_for(r"(?m)^\d\d:\d\d bo: lunch$")
    term.type("/time" + ENTER)
    term.wait_for("Timestamps are off.")
    peer.send(text("noon"))
    term.wait_for("(?m)^raw: noon$")
    term.settle()
    assert b"\x07" not in term.raw

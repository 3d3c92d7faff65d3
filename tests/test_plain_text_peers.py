"""Talking to programs that are not turnchat: real nc and socat in line mode, both roles.

The peers here are Debian's netcat-openbsd and socat (installed by .ci/run), each as the
listener and as the connector, with turnchat's plain face on the other end.
"""

import os
import re
import shutil
import signal
from collections.abc import Callable

import pytest

from tests.processes import Program, RawPeer, Turnchat, listening_port
from tests.test_plain_conversation import connect, listen
from tests.wirebytes import hello

Start = Callable[..., Turnchat]
Run = Callable[..., Program]

GREETING = (r"\[turnchat\] You are talking with (\w+), who uses turnchat\. Type a line and "
            r"press Enter to send it; /q leaves\.\n")
LONG_LINE = ("0123456789" * 500).encode()  # 5000 bytes: over the 4096-byte message limit

# How each program connects to a port, and how it listens on a free one and says where.
CONNECTORS = {
    "nc": lambda port: ["nc", "127.0.0.1", str(port)],
    "socat": lambda port: ["socat", "STDIO", f"TCP:127.0.0.1:{port}"],
}
LISTENERS = {
    "nc": (["nc", "-v", "-l", "127.0.0.1", "0"], r"Listening on \S+ (\d+)"),
    "socat": (["socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1", "STDIO"],
              r"listening on AF=2 127\.0\.0\.1:(\d+)"),
}

# A machine without them skips these tests, with the reason; CI never does (.ci/run
# installs them, and a missing one must fail there, not pass quietly).
pytestmark = pytest.mark.skipif(
    not (shutil.which("nc") and shutil.which("socat")) and not os.environ.get("CI"),
    reason="needs nc and socat: apt install netcat-openbsd socat",
)


def plain_peer_connects(turnchat: Start, program: Run, tool: str) -> tuple[Turnchat, Program]:
    """bo listens (no flag); `tool` connects and types the first line, as a person would."""
    listener, port = listen(turnchat)
    peer = program(*CONNECTORS[tool](port))
    peer.write(b"hello from the shell\r\n")  # CRLF, as telnet and nc -C send
    listener.expect("err", r"A plain-text peer connected from 127\.0\.0\.1:\d+ \(line mode: "
                           r"each line is one message, and it sees no turns\)\.")
    listener.expect("out", "^hello from the shell\n")
    peer.expect("out", "^" + GREETING.replace("(\\w+)", "bo"))
    return listener, peer


def turnchat_connects(turnchat: Start, program: Run, tool: str) -> tuple[Turnchat, Program]:
    """`tool` listens; ana connects with --line and speaks first."""
    argv, where = LISTENERS[tool]
    peer = program(*argv)
    port = int(peer.expect("err", where).group(1))
    connector = connect(turnchat, port, "--line")
    connector.expect("err", rf"Connected to 127\.0\.0\.1:{port}, a plain-text peer \(line "
                            r"mode: each line is one message, and it sees no turns\)\.")
    peer.expect("out", "^" + GREETING.replace("(\\w+)", "ana"))
    connector.write(b"hello from turnchat\n")
    peer.expect("out", "hello from turnchat\n")
    return connector, peer


@pytest.mark.parametrize("tool", ["nc", "socat"])
def test_a_person_on_a_plain_connector_talks_with_the_listener(
    turnchat: Start, program: Run, tool: str
) -> None:
    listener, peer = plain_peer_connects(turnchat, program, tool)
    listener.write(b"hi, who is this?\n")
    peer.expect("out", "hi, who is this\\?\n")
    # Several lines in a row: each is a message, none dropped or merged, each a turn.
    peer.write(b"one\ntwo\r\nthree\n")
    listener.expect("out", "three\n")
    # Invalid UTF-8 is shown with a replacement character, not refused.
    peer.write(b"caf\xe9 au lait\n")
    listener.expect("out", "caf\ufffd au lait\n")
    # A line over the limit arrives in pieces of at most 4096 bytes, nothing lost.
    peer.write(LONG_LINE + b"\n")
    listener.expect("out", LONG_LINE.decode()[4096:] + "\n")
    listener.write(b"got it all\n")
    peer.expect("out", "got it all\n")
    peer.write(b"/q\n")
    done = listener.finish()
    assert done.status == 0
    assert done.out.split("\n") == [
        "hello from the shell", "one", "two", "three", "caf\ufffd au lait",
        LONG_LINE.decode()[:4096], LONG_LINE.decode()[4096:], "",
    ]
    assert "peer left the conversation." in done.err
    assert peer.text("out").split("\n")[1:] == ["hi, who is this?", "got it all", ""]


@pytest.mark.parametrize("tool", ["nc", "socat"])
def test_the_listener_leaves_a_plain_connector_with_a_last_line(
    turnchat: Start, program: Run, tool: str
) -> None:
    listener, peer = plain_peer_connects(turnchat, program, tool)
    listener.write(b"bye now\n/q\n")  # a script's /q: after the peer's answer
    peer.expect("out", "bye now\n")
    peer.write(b"bye bo\n")
    done = listener.finish()
    assert done.out.endswith("bye bo\n")
    assert (done.status, "You left the conversation." in done.err) == (0, True)
    peer.expect("out", "bye now\n\\[turnchat\\] bo left the conversation\\.\n$")
    if tool == "socat":  # it ends with the connection; nc waits for its input to end
        assert peer.finish().status == 0


@pytest.mark.parametrize("tool", ["nc", "socat"])
def test_line_connector_talks_with_a_plain_listener(
    turnchat: Start, program: Run, tool: str
) -> None:
    connector, peer = turnchat_connects(turnchat, program, tool)
    peer.write(b"hi ana\r\n")
    connector.expect("out", "^hi ana\n")
    connector.write(b"my turn again\n")
    peer.expect("out", "my turn again\n")
    peer.write(b"first\nsecond\n\xff\xfe broken\n" + LONG_LINE + b"\n")
    connector.expect("out", LONG_LINE.decode()[4096:] + "\n")
    connector.write(b"/q\n")
    done = connector.finish()
    assert done.status == 0
    assert done.out.split("\n") == [
        "hi ana", "first", "second", "\ufffd\ufffd broken",
        LONG_LINE.decode()[:4096], LONG_LINE.decode()[4096:], "",
    ]
    peer.expect("out", "my turn again\n\\[turnchat\\] ana left the conversation\\.\n$")
    if tool == "socat":
        assert peer.finish().status == 0


@pytest.mark.parametrize("tool", ["nc", "socat"])
def test_plain_listener_leaves_with_slash_q(turnchat: Start, program: Run, tool: str) -> None:
    connector, peer = turnchat_connects(turnchat, program, tool)
    peer.write(b"gotta go\n/q\n")
    done = connector.finish()
    assert done.status == 0
    assert done.out == "gotta go\n"
    assert "peer left the conversation." in done.err


def test_a_plain_peer_closing_the_connection_is_leaving(turnchat: Start, program: Run) -> None:
    listener, peer = plain_peer_connects(turnchat, program, "socat")
    peer.write(b"a last line without a newline")
    peer.close_stdin()  # socat then closes the connection, as nc does on Ctrl-C
    done = listener.finish()
    assert done.status == 0
    assert done.out == "hello from the shell\na last line without a newline\n"
    assert re.search(r"The peer at 127\.0\.0\.1:\d+ closed the connection\.", done.err)


def test_our_side_keeps_its_turns_with_a_plain_peer(turnchat: Start, program: Run) -> None:
    """The peer cannot be held to turns, but we are: a line typed on its turn waits."""
    connector, peer = turnchat_connects(turnchat, program, "socat")
    connector.write(b"waits for an answer\n")
    peer.write(b"answer\n")
    connector.expect("out", "answer\n")
    peer.expect("out", "hello from turnchat\nwaits for an answer\n")
    connector.close_stdin()  # end of input: we leave when our turn comes
    peer.write(b"ok\n")
    assert connector.finish().status == 0
    assert connector.text("out") == "answer\nok\n"
    assert peer.finish().status == 0
    assert peer.text("out").endswith("waits for an answer\n[turnchat] ana left the "
                                     "conversation.\n")


def test_games_are_refused_to_a_plain_peer(turnchat: Start, program: Run) -> None:
    listener, peer = plain_peer_connects(turnchat, program, "socat")
    listener.write(b"/play tictactoe\n/score\nno game then\n")
    listener.expect("err", "Games need turnchat on both sides; this peer sends plain text.")
    peer.expect("out", "no game then\n")
    assert "tictactoe" not in peer.text("out")


def test_a_plain_peer_that_sends_nothing_is_told_in_a_line(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat, "--timeout", "0.5")
    silent = RawPeer.connect(port)
    raw_peers.append(silent)
    assert silent.read_all() == b"[turnchat] closing: nothing received within 0.5 s\n"
    listener.expect("err", "nothing received within 0.5 s")


def test_a_line_peer_takes_the_listener_from_a_silent_stranger(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat)
    stranger = RawPeer.connect(port)
    person = RawPeer.connect(port)
    raw_peers.extend([stranger, person])
    person.send(b"me first\n")
    listener.expect("out", "me first\n")
    # Silent, so likely a person too: told in a line, once it has had a moment to speak.
    assert stranger.read_all() == b"[turnchat] closing: busy\n"


@pytest.mark.parametrize(("first", "answer"), [
    (None, b"[turnchat] closing: busy\n"),  # a person on nc who has not typed yet
    (b"hello?\n", b"[turnchat] closing: busy\n"),  # a person who has
    (hello("ana"), b"\x00\x00\x00\x05\x04busy"),  # turnchat: an ERROR frame
])
def test_a_busy_listener_answers_each_in_the_form_it_reads(
    turnchat: Start, raw_peers: list[RawPeer], first: bytes | None, answer: bytes
) -> None:
    listener = turnchat("--listen", "127.0.0.1:0", "--name", "bo")
    port = listening_port(listener)
    person = RawPeer.connect(port)
    raw_peers.append(person)
    person.send(b"me first\n")
    listener.expect("out", "me first\n")
    late = RawPeer.connect(port)
    raw_peers.append(late)
    if first is not None:
        late.send(first)
    assert late.read_all() == answer


def test_line_flag_is_for_the_connector(turnchat: Start) -> None:
    done = turnchat("--listen", "127.0.0.1:0", "--line").finish()
    assert done.status == 2
    assert done.err == ("turnchat: --line is for --connect: a listener recognises a "
                        "plain-text peer by itself.\n")
    done = turnchat("--connect", "--line", "--raw").finish()
    assert done.status == 2
    assert "--raw: not allowed with argument --line" in done.err


def test_sigterm_to_a_line_connector_says_goodbye(turnchat: Start, program: Run) -> None:
    connector, peer = turnchat_connects(turnchat, program, "nc")
    connector.kill(signal.SIGTERM)
    assert connector.finish().status == 0
    peer.expect("out", "\\[turnchat\\] ana left the conversation\\.\n$")


def test_a_framed_listener_needs_no_flag_for_a_line_peer(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    """Without --raw the listener uses line mode: text without a newline waits for one."""
    listener, port = listen(turnchat)
    person = RawPeer.connect(port)
    raw_peers.append(person)
    person.send(b"half ")
    person.send(b"a line\n")
    assert re.match(GREETING.replace("(\\w+)", "bo"), person.read_line().decode())
    listener.expect("out", "^half a line\n$")


def test_a_connector_without_line_is_told_to_add_it(turnchat: Start, program: Run) -> None:
    """turnchat --connect to socat without --line: the listener's text is not a greeting."""
    argv, where = LISTENERS["socat"]
    peer = program(*argv)
    port = int(peer.expect("err", where).group(1))
    connector = connect(turnchat, port)
    peer.expect("out", '"app":"turnchat"')  # our HELLO, which a person cannot answer
    peer.write(b"hello? who is this?\n")
    done = connector.finish()
    assert done.status == 3
    assert done.err.endswith(
        f"turnchat: cannot talk with 127.0.0.1:{port}: it answered in plain text, not "
        "turnchat frames (if a person on nc or socat listens there, connect with --line).\n")


@pytest.mark.parametrize(
    ("junk", "reason"),
    [
        (b"\x16\x03\x01\x02\x00\x01", "a TLS handshake, and this listener does not use --tls"),
        (b"hi\xff\xfe\n", "neither turnchat frames nor UTF-8 text"),
        (b"GET / HTTP/1.0\x01\x02", "neither turnchat frames nor typed text"),
    ],
)
def test_junk_that_is_not_text_is_turned_away_at_once(
    turnchat: Start, raw_peers: list[RawPeer], junk: bytes, reason: str
) -> None:
    listener, port = listen(turnchat)
    stranger = RawPeer.connect(port)
    raw_peers.append(stranger)
    stranger.send(junk)
    assert stranger.read_all() == f"[turnchat] closing: {reason}\n".encode()
    listener.expect("err", re.escape("Dropped a connection from 127.0.0.1:") + r"\d+: "
                    + re.escape(reason))
    person = RawPeer.connect(port)  # the listener still waits for a real peer
    raw_peers.append(person)
    person.send(b"arrow keys \x1b[D and tabs\t are typed text\n")
    listener.expect("out", "arrow keys \\^\\[\\[D and tabs     are typed text\n")

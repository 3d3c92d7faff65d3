"""--keep: a listener that serves one peer after another until it is stopped."""

import json
import signal
from collections.abc import Callable
from pathlib import Path

from tests.processes import RawPeer, Turnchat
from tests.test_plain_conversation import connect, listen

Start = Callable[..., Turnchat]
WAITING_AGAIN = r"Listening on 127\.0\.0\.1:\d+; waiting for the next peer\."


def test_keep_serves_two_peers_one_after_the_other(
    turnchat: Start, raw_peers: list[RawPeer], tmp_path: Path
) -> None:
    log = tmp_path / "kept.jsonl"
    listener, port = listen(turnchat, "--keep", "--log", str(log))
    # The first peer is turnchat; it says one thing, hears back, and its input ends.
    first = connect(turnchat, port, stdin=b"first peer here\n")
    listener.expect("out", "first peer here\n")
    listener.write(b"hello first\n")
    assert first.finish().status == 0
    listener.expect("err", "ana left the conversation.\n" + WAITING_AGAIN)
    # The second is a person on a line connection.
    second = RawPeer.connect(port)
    raw_peers.append(second)
    second.send(b"second peer here\n")
    listener.expect("out", "second peer here\n")
    listener.write(b"hello second\n")
    second.read_line()  # the greeting
    assert second.read_line() == b"hello second\n"
    second.send(b"/q\n")
    listener.expect("err", "peer left the conversation.\n" + WAITING_AGAIN)
    listener.kill(signal.SIGINT)
    done = listener.finish()
    assert done.status == 0
    assert done.err.endswith("Stopped listening.\n")
    assert done.out == "first peer here\nsecond peer here\n"
    logged = [record for line in log.read_text().splitlines()
              if "direction" in (record := json.loads(line))]
    assert [(r["from"], r["text"], r["mode"]) for r in logged] == [
        ("ana", "first peer here", "frames"), ("bo", "hello first", "frames"),
        ("peer", "second peer here", "line"), ("bo", "hello second", "line")]
    assert logged[0]["peer"] != logged[2]["peer"]


def test_slash_q_leaves_the_peer_and_again_stops_listening(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat, "--keep")
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(b"hi\n")
    listener.expect("out", "hi\n")
    listener.write(b"/q\n")
    listener.expect("err", "You left the conversation.\n" + WAITING_AGAIN)
    assert peer.read_all().endswith(b"[turnchat] bo left the conversation.\n")
    listener.write(b"/q\n")  # no one is connected: /q stops the listener
    done = listener.finish()
    assert (done.status, done.err.endswith("Stopped listening.\n")) == (0, True)


def test_a_failed_conversation_does_not_stop_a_keeping_listener(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener, port = listen(turnchat, "--keep")
    breaker = RawPeer.connect(port)
    raw_peers.append(breaker)
    breaker.send(b"\x00\x00\x00\x01\x09")  # an unknown frame type
    listener.expect("err", "Dropped a connection from")
    vanisher = connect(turnchat, port)
    listener.expect("err", "ana connected from")
    vanisher.kill(signal.SIGKILL)
    listener.expect("err", "turnchat: Connection to ana lost.\n" + WAITING_AGAIN)
    after = connect(turnchat, port, stdin=b"still open\n")
    listener.expect("out", "still open\n")
    listener.close_stdin()  # on our turn: leave, and stop listening
    assert listener.finish().status == 0
    assert after.finish().status == 0


def test_end_of_input_stops_a_keep_listener_while_no_one_is_connected(
    turnchat: Start,
) -> None:
    """As the README says; a one-shot listener waits instead (its input is for the peer)."""
    listener, port = listen(turnchat, "--keep")
    first = connect(turnchat, port, stdin=b"one\n")
    listener.expect("out", "one\n")
    listener.write(b"/q\n")
    listener.expect("err", "You left the conversation.\n" + WAITING_AGAIN)
    assert first.finish().status == 0
    listener.close_stdin()
    done = listener.finish()
    assert (done.status, done.out) == (0, "one\n")
    assert done.err.endswith("waiting for the next peer.\nStopped listening.\n")


def test_keep_is_for_the_listener(turnchat: Start) -> None:
    done = turnchat("--connect", "--keep").finish()
    assert (done.status, done.err) == (
        2, "turnchat: --keep is for --listen: it waits for peer after peer.\n")

"""--log FILE: one JSON object a line for every message, both ways, as it happens."""

import json
import os
import re
import signal
import socket
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.processes import Program, RawPeer, Turnchat, free_port, turnchat_argv
from tests.test_plain_conversation import connect, lines, listen
from tests.wirebytes import HELLO, TEXT, hello

Start = Callable[..., Turnchat]


def everything(path: Path) -> list[dict]:
    """Every line of the transcript: messages and the events around them."""
    lines = path.read_bytes().decode().split("\n")
    assert lines[-1] == ""  # every record is a whole line
    found = [json.loads(line) for line in lines[:-1]]
    for record in found:
        assert set(record) in ({"time", "direction", "from", "text", "mode", "peer"},
                               {"time", "event", "text", "peer"},
                               {"time", "event", "text", "peer", "status"})
        assert datetime.fromisoformat(record["time"]).tzinfo is not None
    return found


def records(path: Path) -> list[dict]:
    """The messages."""
    return [record for record in everything(path) if "direction" in record]


def said(path: Path) -> list[tuple[str, str, str, str]]:
    return [(r["direction"], r["from"], r["text"], r["mode"]) for r in records(path)]


def test_both_sides_log_a_conversation(turnchat: Start, tmp_path: Path) -> None:
    bo_log, ana_log = tmp_path / "bo.jsonl", tmp_path / "ana.jsonl"
    listener, port = listen(turnchat, "--log", str(bo_log))
    connector = connect(turnchat, port, "--log", str(ana_log))
    connector.write("hi bo, ça va?\n".encode())
    listener.expect("out", "ça va")
    listener.write(b"fine\n")
    connector.expect("out", "fine\n")
    connector.write(b"/q\n")
    assert (connector.finish().status, listener.finish().status) == (0, 0)
    assert said(bo_log) == [("in", "ana", "hi bo, ça va?", "frames"),
                            ("out", "bo", "fine", "frames")]
    assert said(ana_log) == [("out", "ana", "hi bo, ça va?", "frames"),
                             ("in", "bo", "fine", "frames")]
    assert records(ana_log)[0]["peer"] == f"127.0.0.1:{port}"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", records(bo_log)[0]["peer"])
    for log in (bo_log, ana_log):
        assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_log_keeps_what_was_said_not_what_was_shown(
    turnchat: Start, raw_peers: list[RawPeer], tmp_path: Path
) -> None:
    log = tmp_path / "line.jsonl"
    log.write_text('{"an earlier": "line"}\n')  # appended to, never truncated
    listener, port = listen(turnchat, "--log", str(log))
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(b"clear \x1b[2J this\r\n")
    peer.read_line()  # the greeting: it is the peer now, and what it sends is shown
    peer.send(b"caf\xe9\n")  # (in its first read, this would have made it junk)
    listener.expect("out", "caf\ufffd\n")
    assert "^[[2J" in listener.text("out")  # the screen got it defused
    listener.close_stdin()  # our turn: end of input leaves
    assert listener.finish().status == 0
    assert log.read_text().startswith('{"an earlier": "line"}\n')
    logged = [(r["direction"], r["text"], r["mode"]) for r in
              (json.loads(line) for line in log.read_text().splitlines()[1:])
              if "direction" in r]
    assert logged == [("in", "clear \x1b[2J this", "line"), ("in", "caf\ufffd", "line")]


def test_log_survives_sigkill(
    turnchat: Start, raw_peers: list[RawPeer], tmp_path: Path
) -> None:
    log = tmp_path / "killed.jsonl"
    listener, port = listen(turnchat, "--log", str(log))
    peer = RawPeer.connect(port)
    raw_peers.append(peer)
    peer.send(b"one\n")
    listener.expect("out", "one\n")
    listener.write(b"reply\n")
    peer.read_line()  # the greeting
    assert peer.read_line() == b"reply\n"
    peer.send(b"two\nthree\n")
    listener.expect("out", "three\n")
    listener.kill(signal.SIGKILL)
    assert said(log) == [("in", "peer", "one", "line"), ("out", "bo", "reply", "line"),
                         ("in", "peer", "two", "line"), ("in", "peer", "three", "line")]


def test_unwritable_log_fails_before_any_connection(turnchat: Start, tmp_path: Path) -> None:
    missing = tmp_path / "no such dir" / "chat.jsonl"
    done = turnchat("--listen", "127.0.0.1:0", "--log", str(missing)).finish()
    assert done.status == 2
    assert done.err == (f"turnchat: --log: cannot write the transcript '{missing}': "
                        "No such file or directory.\n")  # and it never listened
    port = free_port()  # nothing listens there: connecting would fail with status 3
    done = turnchat("--connect", f"127.0.0.1:{port}", "--log", str(tmp_path)).finish()
    assert done.status == 2
    assert done.err == (f"turnchat: --log: cannot write the transcript '{tmp_path}': "
                        "Is a directory.\n")
    assert not os.listdir(tmp_path)


def test_empty_log_name_is_a_usage_error(turnchat: Start) -> None:
    done = turnchat("--listen", "127.0.0.1:0", "--log", "").finish()
    assert (done.status, done.err) == (2, "turnchat: --log needs a file name.\n")


def test_a_message_the_peer_received_is_in_the_log_even_after_sigkill(
    turnchat: Start, tmp_path: Path
) -> None:
    """Our message is logged before it leaves: once 1 in 10 SIGKILLs lost it from the log."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        for attempt in range(30):
            log = tmp_path / f"{attempt}.jsonl"
            connector = connect(turnchat, port, "--log", str(log), stdin=b"the secret word\n")
            sock, _ = server.accept()
            with sock:
                peer = RawPeer(sock)
                assert peer.read_frame()[0] == HELLO
                peer.send(hello("bo"))
                assert peer.read_frame() == (TEXT, b"the secret word")
                connector.kill(signal.SIGKILL)
            assert said(log) == [("out", "ana", "the secret word", "frames")], attempt


def test_a_full_disk_leaves_whole_lines_and_says_so_once(
    turnchat: Start, program: Callable[..., Program], tmp_path: Path
) -> None:
    """The file may grow to 1,500 bytes (prlimit stands in for a full disk): the record that
    crosses it is taken back, the rest of the conversation goes on without a transcript."""
    log = tmp_path / "full.jsonl"
    listener, port = listen(turnchat, stdin=lines("bo", 20))
    connector = program("prlimit", "--fsize=1500", *turnchat_argv((
        "--connect", f"127.0.0.1:{port}", "--name", "ana", "--log", str(log))),
        stdin=lines("ana", 20))
    assert connector.finish().status == 0
    assert listener.finish().out == lines("ana", 20).decode()  # the chat went on
    assert connector.text("out") == lines("bo", 20).decode()
    failure = re.findall(r"Cannot write the transcript .*; it stops here\.", connector.text("err"))
    assert failure == [f"Cannot write the transcript {str(log)!r} (File too large); it stops "
                       "here."]
    first = said(log)  # every line whole: records() checks each one parses
    assert 0 < len(first) < 40 and log.stat().st_size <= 1500
    expected = [(("out", "ana", f"ana {n}") if turn == 0 else ("in", "bo", f"bo {n}"))
                for n in range(20) for turn in (0, 1)]
    assert [record[:3] for record in first] == expected[:len(first)]
    # The next conversation appends to it, on a line of its own.
    listener, port = listen(turnchat, stdin=b"again\n")
    connector = connect(turnchat, port, "--log", str(log), stdin=b"more\n")
    assert (connector.finish().status, listener.finish().status) == (0, 0)
    assert said(log)[len(first):] == [("out", "ana", "more", "frames"),
                                      ("in", "bo", "again", "frames")]


def test_log_refuses_a_named_pipe_at_once_and_a_symbolic_link(
    turnchat: Start, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = turnchat("--listen", "127.0.0.1:0", "--log", str(fifo)).finish()  # no reader
    assert (done.status, done.err) == (
        2, f"turnchat: --log: '{fifo}' is a named pipe, not a regular file.\n")
    target, link = tmp_path / "elsewhere.jsonl", tmp_path / "link.jsonl"
    link.symlink_to(target)
    done = turnchat("--listen", "127.0.0.1:0", "--log", str(link)).finish()
    assert (done.status, done.err) == (
        2, f"turnchat: --log: '{link}' is a symbolic link, not a regular file (turnchat does "
           "not follow links for a transcript: name the file it points to).\n")
    assert not target.exists()


def test_the_log_tells_the_story_around_the_messages(turnchat: Start, tmp_path: Path) -> None:
    """Who connected, the game offered, each move and the result, and how it ended."""
    log = tmp_path / "story.jsonl"
    listener, port = listen(turnchat, "--log", str(log), stdin=b"/accept\n5\n1\n9\n")
    connector = connect(turnchat, port, stdin=b"/play tictactoe\n2\n4\n/q\n")
    assert (listener.finish().status, connector.finish().status) == (0, 0)
    story = [(r["event"], r["text"]) if "event" in r else ("message", r["text"])
             for r in everything(log)]
    events = [event for event, _ in story]
    texts = "\n".join(text for _, text in story)
    assert story[0][0] == "notice" and re.match(r"Listening on 127\.0\.0\.1:\d+", story[0][1])
    assert re.search(r"ana connected from 127\.0\.0\.1:\d+\.", texts)
    assert "ana offers tic-tac-toe: /accept (you move first) or /decline." in texts
    for move in ("You took cell 5 (b2).", "ana took cell 2 (b1).", "You took cell 1 (a1).",
                 "ana took cell 4 (a2).", "You took cell 9 (c3)."):
        assert move in texts
    assert "Game over: you won (three in a row)." in texts
    assert story[-1] == ("end", "ana left the conversation.")
    assert everything(log)[-1]["status"] == 0
    assert events.count("end") == 1 and "message" not in events  # no one talked

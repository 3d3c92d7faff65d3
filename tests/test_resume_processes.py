"""Resume with real turnchat processes on 127.0.0.1, through tests/relay.py's cutting relay:
a long piped conversation cut ten times, the transcripts, what a person reads, a listener
restarted, a connector killed, a forged or replayed RESUME, and resume switched off."""

import json
import signal
import socket
from pathlib import Path

import pytest

from tests.processes import Turnchat, free_port, listening_port
from tests.relay import DOWN, UP, Cut, Relay
from turnchat.wire.frames import FrameDecoder, FrameType, encode_frame

MOVES = [("ana", "/play tictactoe"), ("bo", "/accept"), ("bo", "5"), ("ana", "1"),
         ("bo", "9"), ("ana", "3"), ("bo", "2"), ("ana", "7"), ("bo", "8")]


def script(turns: int) -> tuple[list[str], list[str]]:
    """ana's and bo's input lines: `turns` messages in all, a game of tic-tac-toe halfway."""
    lines: dict[str, list[str]] = {"ana": [], "bo": []}
    for turn in range(turns):
        if turn == turns // 2:
            for who, line in MOVES:
                lines[who].append(line)
        who = "ana" if turn % 2 == 0 else "bo"
        lines[who].append(f"{who} says {turn + 1}")
    return lines["ana"], lines["bo"]


def said(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("/") and not line.isdigit()]


def messages(log: Path, direction: str) -> list[str]:
    records = [json.loads(line) for line in log.read_text().splitlines()]
    return [record["text"] for record in records if record.get("direction") == direction]


def test_two_hundred_turns_cut_ten_times_arrive_exactly_once(tmp_path: Path) -> None:
    ana_lines, bo_lines = script(200)
    cuts = {}
    for number in range(10):  # close, reset and a black hole, both ways, at varied bytes
        how = ("close", "reset", "silent")[number % 3]
        cuts[number] = Cut(DOWN if number % 2 else UP, 220 + 15 * number, how)
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume", "--heartbeat",
                  "1", "--log", str(tmp_path / "bo.jsonl"),
                  stdin="".join(line + "\n" for line in bo_lines).encode())
    ana = None
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port), cuts) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--resume",
                           "--heartbeat", "1", "--log", str(tmp_path / "ana.jsonl"),
                           stdin="".join(line + "\n" for line in ana_lines).encode())
            ana_result, bo_result = ana.finish(timeout=120), bo.finish(timeout=30)
            assert len(relay.pairs) == 11  # ten cut, the eleventh carried the end
    finally:
        bo.close()
        if ana is not None:
            ana.close()
    assert (ana_result.status, bo_result.status) == (0, 0), (ana_result.err, bo_result.err)
    assert ana_result.out.splitlines() == said(bo_lines)
    assert bo_result.out.splitlines() == said(ana_lines)
    assert ana_result.err.count("Reconnected;") == 10
    assert "Game over: bo won (three in a row)." in ana_result.err
    assert messages(tmp_path / "ana.jsonl", "out") == messages(tmp_path / "bo.jsonl", "in")
    assert messages(tmp_path / "bo.jsonl", "out") == messages(tmp_path / "ana.jsonl", "in")
    assert messages(tmp_path / "ana.jsonl", "in") == said(bo_lines)


def test_what_each_side_reads_while_the_connection_is_down() -> None:
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume")
    ana = None
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port)) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--resume")
            bo.expect("err", "ana connected")
            ana.write(b"first\n")
            bo.expect("out", "first")
            relay.close_listening()  # no new connection gets through while it is down
            relay.reset(0)
            ana.expect("err", r"Connection to bo lost; reconnecting \(attempt 1\)\. What you "
                              r"type is kept\.")
            bo.expect("err", r"ana's connection dropped; waiting up to 5 min \(/q to stop "
                             r"waiting\)\.")
            bo.write(b"while away\n")  # bo's turn: it goes when ana is back
            bo.expect("err", "Queued until the connection is back: while away")
            ana.expect("err", r"reconnecting \(attempt 3, next in \d s\)")
            relay.open_listening()
            ana.expect("err", r"Reconnected; 0 messages re-sent\.")
            bo.expect("err", r"ana reconnected; 1 message re-sent\.")
            ana.expect("out", "while away")
            ana.write(b"/q\n")
            ana_result = ana.finish()
            bo_result = bo.finish()
    finally:
        bo.close()
        if ana is not None:
            ana.close()
    assert ana_result.status == 0 and "You left the conversation; bo was told." in ana_result.err
    assert bo_result.status == 0 and "ana left the conversation." in bo_result.err
    assert bo_result.out.splitlines() == ["first"]


def test_q_while_reconnecting_leaves_at_once_and_lists_what_may_be_lost() -> None:
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume")
    ana = None
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port)) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--resume")
            bo.expect("err", "ana connected")
            ana.expect("err", "Connected to bo")  # both greeted: a cut now is a resume
            relay.close_listening()
            relay.reset(0)
            ana.expect("err", "reconnecting")
            ana.write(b"typed while down\n")
            ana.expect("err", "Queued until the connection is back: typed while down")
            ana.kill(signal.SIGTERM)  # as Ctrl-C: leave now, whoever's turn it is
            ana_result = ana.finish()
    finally:
        bo.close()
        if ana is not None:
            ana.close()
    assert ana_result.status == 0
    assert ("You left the conversation; bo may not have been told; may not have been "
            "delivered: 'typed while down'.") in ana_result.err


def test_a_connector_that_never_comes_back_ends_the_listener_when_the_window_runs_out() -> None:
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume", "2")
    listening_port(bo)
    ana = Turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana", "--resume", "2")
    try:
        bo.expect("err", "ana connected")
        ana.write(b"are you there?\n")
        bo.expect("out", "are you there")
        bo.write(b"yes, and you?\n")
        ana.expect("out", "yes, and you")
        ana.kill()  # the connector's process is gone: only the window ends the wait
        bo.expect("err", r"ana's connection dropped; waiting up to 2 s")
        result = bo.finish()
    finally:
        bo.close()
        ana.close()
    assert result.status == 1
    assert ("ana did not come back within 2 s (session expired); may not have been "
            "delivered: 'yes, and you?'.") in result.err


def test_a_restarted_listener_does_not_know_the_session() -> None:
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume")
    ana = second = None
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port)) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--resume")
            bo.expect("err", "ana connected")
            bo.kill()
            ana.expect("err", "reconnecting")
            second = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume")
            result = ana.finish(timeout=30)
            second.expect("err", "its RESUME was refused: unknown session")
    finally:
        for program in (bo, ana, second):
            if program is not None:
                program.close()
    assert result.status == 1
    assert ("bo's turnchat no longer has this conversation (unknown session: it was "
            "restarted?); not resumed.") in result.err


def _first_frames(data: bytes, count: int) -> list:
    decoder = FrameDecoder()
    decoder.receive_data(data)
    return [decoder.next_frame() for _ in range(count)]


def _answer_to(port: int, frame: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(frame)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return answer


def test_a_forged_or_replayed_resume_is_refused_and_the_conversation_goes_on() -> None:
    """Someone who saw the session id, or recorded a RESUME, cannot take the conversation."""
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume")
    ana = None
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port)) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--resume")
            bo.expect("err", "ana connected")
            hello = json.loads(_first_frames(bytes(relay.pairs[0].carried[DOWN]), 1)[0].payload)
            forged = {"session": hello["session"], "count": 0, "nonce": "00" * 16,
                      "mac": "11" * 32}
            answer = _answer_to(port, encode_frame(FrameType.RESUME, json.dumps(forged).encode()))
            assert answer == encode_frame(FrameType.ERROR, b"resume refused")
            relay.reset(0)
            ana.expect("err", r"Reconnected; 0 messages re-sent\.")
            recorded = _first_frames(bytes(relay.pairs[1].carried[UP]), 1)[0]
            assert recorded.type is FrameType.RESUME
            answer = _answer_to(port, encode_frame(FrameType.RESUME, recorded.payload))
            assert answer == encode_frame(FrameType.ERROR, b"resume refused")
            ana.write(b"still here\n")
            bo.expect("out", "still here")
            ana.kill(signal.SIGTERM)  # leave at once, on bo's turn
            result = ana.finish()
            bo.finish()
    finally:
        bo.close()
        if ana is not None:
            ana.close()
    assert result.status == 0 and "bo was told" in result.err


@pytest.mark.parametrize("flags", [("--no-resume", "--tls"), ("--resume",), ()],
                         ids=["no-resume", "peer-without-resume", "plaintext-default"])
def test_without_resume_a_drop_ends_the_conversation_as_before(
        flags: tuple[str, ...], tmp_path: Path) -> None:
    """--no-resume; a connector without resume talking to a listener with it (as an older
    turnchat would); and plaintext without --resume: the first drop is the end."""
    env = {"HOME": str(tmp_path)}
    port = free_port()
    listener_flags = flags if flags != ("--resume",) else ("--resume",)
    connector_flags = (*flags, "--accept-new") if "--tls" in flags else ()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", *listener_flags, env=env)
    ana = None
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port)) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana",
                           *connector_flags, env=env)
            bo.expect("err", "ana connected")
            ana.expect("err", "Connected to bo")  # both greetings are through
            if "--tls" not in flags:  # version 1's bytes: no "resume" in the greeting
                hello = _first_frames(bytes(relay.pairs[0].carried[UP]), 1)[0]
                assert b"resume" not in hello.payload
            relay.reset(0)
            result = ana.finish()
            bo_result = bo.finish()
    finally:
        bo.close()
        if ana is not None:
            ana.close()
    assert result.status == 1 and "Connection to bo lost." in result.err
    assert bo_result.status == 1 and "Connection to ana lost." in bo_result.err


def test_resume_flags_are_checked() -> None:
    for args, sentence in [
        (("--connect", "--resume", "0"), "--resume must be from 1 to 86400 seconds"),
        (("--connect", "--line", "--resume"), "--resume cannot go with --line"),
        (("--connect", "--heartbeat", "1"), "--heartbeat goes with resume"),
        (("--connect", "--resume", "--no-resume"), "not allowed with argument"),
        (("--connect", "--resume", "--heartbeat", "0"), "--heartbeat must be from 0.05"),
    ]:
        result = Turnchat(*args).finish()
        assert result.status == 2, args
        assert sentence in result.err and "Traceback" not in result.err


def test_the_newest_resume_takes_over_a_connection_that_still_looks_alive() -> None:
    """A black hole that only the connector notices (its heartbeat is short): its RESUME
    arrives while the listener still holds the old connection, which is cut unread; when
    the relay heals it later, nothing stale from it reaches the conversation."""
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume", "--heartbeat",
                  "60")
    ana = None
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port)) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--resume",
                           "--heartbeat", "0.2")
            bo.expect("err", "ana connected")
            ana.expect("err", "Connected to bo")
            ana.write(b"one\n")
            bo.expect("out", "one")
            bo.write(b"two\n")
            ana.expect("out", "two")
            relay.pairs[0].silent = True  # from now on a black hole, both ways
            ana.write(b"three\n")  # held back by the black hole, then resent
            ana.expect("err", r"Reconnected; 1 message re-sent\.")
            bo.expect("err", r"ana reconnected; 0 messages re-sent\.")
            assert "dropped" not in bo.text("err")  # it never noticed: a takeover
            relay.heal(0)  # what the old connection carries now must never be read
            bo.expect("out", "three")
            bo.write(b"four\n")
            ana.expect("out", "four")
            ana.kill(signal.SIGTERM)
            ana_result, bo_result = ana.finish(), bo.finish()
    finally:
        bo.close()
        if ana is not None:
            ana.close()
    assert bo_result.out.splitlines() == ["one", "three"]
    assert ana_result.out.splitlines() == ["two", "four"]
    assert ana_result.status == bo_result.status == 0


def test_a_listener_with_another_key_is_not_resumed(tmp_path: Path) -> None:
    """Under TLS the key is checked on every reconnect: a different listener on the same
    address (here: another identity) does not get the conversation."""
    port = free_port()
    first = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--tls",
                     env={"HOME": str(tmp_path / "bo")})
    ana = other = None
    try:
        listening_port(first)
        with Relay(("127.0.0.1", port)) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--tls",
                           "--accept-new", env={"HOME": str(tmp_path / "ana")})
            first.expect("err", "ana connected")
            first.kill()
            ana.expect("err", "reconnecting")
            other = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "eve", "--tls",
                             env={"HOME": str(tmp_path / "eve")})
            result = ana.finish(timeout=30)
    finally:
        for program in (first, ana, other):
            if program is not None:
                program.close()
    assert result.status == 1
    assert (f"the listener at 127.0.0.1:{relay.port} now presents a different key, so this is "
            "not the conversation's listener; not resumed.") in result.err


def test_a_keep_listener_that_gave_up_says_session_expired() -> None:
    """--keep: after the window the listener tells its user, waits for the next peer, and
    answers a late RESUME of that session with "session expired"."""
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume", "1", "--keep")
    ana = None
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port)) as relay:
            ana = Turnchat("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--resume")
            bo.expect("err", "ana connected")
            ana.expect("err", "Connected to bo")
            hello = json.loads(_first_frames(bytes(relay.pairs[0].carried[DOWN]), 1)[0].payload)
            ana.kill()
            bo.expect("err", r"ana did not come back within 1 s \(session expired\)\.")
            bo.expect("err", "waiting for the next peer")
            late = {"session": hello["session"], "count": 0, "nonce": "00" * 16,
                    "mac": "11" * 32}
            answer = _answer_to(port, encode_frame(FrameType.RESUME, json.dumps(late).encode()))
            assert answer == encode_frame(FrameType.ERROR, b"session expired")
            unknown = {**late, "session": "ab" * 16}
            answer = _answer_to(port, encode_frame(FrameType.RESUME,
                                                   json.dumps(unknown).encode()))
            assert answer == encode_frame(FrameType.ERROR, b"unknown session")
            bo.kill(signal.SIGTERM)
            assert bo.finish().status == 0
    finally:
        bo.close()
        if ana is not None:
            ana.close()

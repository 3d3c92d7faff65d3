"""Two homes behind two routers (tests/nat_lab.py): the NAT is real, and --pair/--code meet
through the real transit relay on the lab's public network anyway."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.nat_lab import RELAY_ADDRESS, ROUTER_PUBLIC, NatLab, unavailable
from tests.processes import Turnchat
from tests.terminal import TerminalTurnchat
from tests.test_relay_meeting import CODE
from tests.transit_relay import TransitRelay

pytestmark = pytest.mark.skipif(bool(unavailable()), reason=unavailable() or "-")
Start = Callable[..., Turnchat]
ENTER = "\r"
RELAY = f"{RELAY_ADDRESS}:4001"
MOVES = [("ana", "/play tictactoe"), ("bo", "/accept"), ("bo", "5"), ("ana", "1"),
         ("bo", "9"), ("ana", "3"), ("bo", "2"), ("ana", "7"), ("bo", "8")]
# Keepalive switched off: the deliberately broken variant the silence test must catch.
NO_KEEPALIVE = "import turnchat.roles.relay as relay\nrelay.keep_alive = lambda sock: None\n"


@pytest.fixture(scope="module")
def lab() -> Iterator[NatLab]:
    with NatLab() as built, TransitRelay(4001, RELAY_ADDRESS, built.run_in("pub")):
        yield built


def test_a_direct_connection_between_the_homes_fails(turnchat: Start, homes,
                                                     lab: NatLab) -> None:
    bo = turnchat("--listen", "0.0.0.0:7777", "--name", "bo", env=homes["bo"],
                  prefix=lab.run_in("h2"))
    bo.expect("err", "Listening on 0.0.0.0:7777")
    ana = turnchat("--connect", f"{ROUTER_PUBLIC['r2']}:7777", "--timeout", "2",
                   env=homes["ana"], prefix=lab.run_in("h1"), stdin=b"hello?\n").finish()
    assert ana.status == 3, ana
    assert f"cannot connect to {ROUTER_PUBLIC['r2']}:7777: no answer within 2 s" in ana.err
    assert "hello?" not in bo.text("out")
    bo.kill()


def test_two_homes_pair_through_the_relay_and_play_with_a_transcript(
        turnchat: Start, homes, lab: NatLab, tmp_path: Path) -> None:
    bo = turnchat("--pair", "--relay", RELAY, "--name", "bo", "--log",
                  str(tmp_path / "bo.jsonl"), env=homes["bo"], prefix=lab.run_in("h2"))
    code = bo.expect("err", CODE).group(1)
    ana_lines = ["hello from home one", *(line for who, line in MOVES if who == "ana"),
                 "good game"]
    bo_lines = ["hello from home two", *(line for who, line in MOVES if who == "bo"),
                "thanks"]
    ana = turnchat("--code", "--relay", RELAY, "--name", "ana", "--log",
                   str(tmp_path / "ana.jsonl"), prefix=lab.run_in("h1"),
                   env={**homes["ana"], "TURNCHAT_CODE": code},
                   stdin="".join(line + "\n" for line in ana_lines).encode())
    bo.expect("err", "ana joined; code verified. End-to-end encrypted")
    bo.write("".join(line + "\n" for line in bo_lines).encode())
    bo.close_stdin()
    done, bo_done = ana.finish(30), bo.finish(30)
    assert (done.status, bo_done.status) == (0, 0), (done, bo_done)
    assert "Game over: bo won (three in a row)." in done.err, done.err
    assert "Game over: you won (three in a row)." in bo_done.err, bo_done.err
    assert done.out.splitlines() == ["hello from home two", "thanks"]
    assert bo_done.out.splitlines() == ["hello from home one", "good game"]
    for side, said in (("ana", ["hello from home one", "good game"]),
                       ("bo", ["hello from home two", "thanks"])):
        records = [json.loads(line) for line in (tmp_path / f"{side}.jsonl").read_text()
                   .splitlines()]
        assert [record["text"] for record in records if record.get("direction") == "out"] == said


def test_two_homes_in_interactive_faces(terminal: Callable[..., TerminalTurnchat], homes,
                                        lab: NatLab) -> None:
    bo = terminal("--pair", "--relay", RELAY, "--name", "bo", env=homes["bo"],
                  prefix=lab.run_in("h2"))
    code = bo.wait_for(r"Your code: (\d+-[a-z]+-[a-z]+)").group(1)
    ana = terminal("--code", "--relay", RELAY, "--name", "ana", env=homes["ana"],
                   prefix=lab.run_in("h1"))
    ana.wait_for("Pairing code:")
    ana.type(code + ENTER)
    ana.wait_for(r"Joined bo; code verified\. End-to-end encrypted; the relay sees only sizes")
    ana.wait_for(r"YOUR TURN  \|  ana with bo \(the relay .*end-to-end encrypted, code verified\)")
    bo.wait_for(r"ANA'S TURN")
    ana.type("across two routers" + ENTER)
    bo.wait_for("across two routers")
    bo.type("/q" + ENTER)
    assert bo.finish() == 0 and ana.finish() == 0
    ana.wait_for("bo left the conversation")


@pytest.mark.sweep
@pytest.mark.parametrize("keepalive", [True, False])
def test_a_long_silence_survives_the_routers_idle_timeout_thanks_to_keepalive(
        turnchat: Start, homes, keepalive: bool) -> None:
    """Routers that forget an idle connection after 30 s, and 90 s of silence: with TCP
    keepalive the next message arrives; without it (the broken variant) it does not.
    Resume is off on both sides, so that its heartbeat (or its reconnecting) cannot be
    what carries the connection through."""
    with NatLab(idle_seconds=30) as lab, TransitRelay(4001, RELAY_ADDRESS, lab.run_in("pub")):
        fault = None if keepalive else NO_KEEPALIVE
        bo = turnchat("--pair", "--relay", RELAY, "--name", "bo", "--no-resume",
                      env=homes["bo"], prefix=lab.run_in("h2"), fault=fault)
        code = bo.expect("err", CODE).group(1)
        ana = turnchat("--code", "--relay", RELAY, "--name", "ana", "--no-resume",
                       prefix=lab.run_in("h1"), env={**homes["ana"], "TURNCHAT_CODE": code},
                       fault=fault)
        bo.expect("err", "ana joined; code verified")
        ana.write(b"before the silence\n")
        bo.expect("out", "before the silence\n")
        import time

        time.sleep(90)
        bo.write(b"after the silence\n")
        if keepalive:
            ana.expect("out", "after the silence\n", timeout=20)
            ana.write(b"/q\n")
            assert ana.finish().status == 0
        else:
            with pytest.raises(AssertionError):
                ana.expect("out", "after the silence\n", timeout=20)
        bo.kill()
        ana.kill()

"""Meeting through the real Magic Wormhole transit relay on 127.0.0.1 (issue 18): the code's
creator (`--pair --relay`) and its joiner (`--code --relay`), real processes each with a
config folder of its own, and `twist transitrelay` installed by the tests in its own venv.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.pair_mitm import ManInTheMiddle
from tests.processes import Turnchat, free_port
from tests.transit_relay import TransitRelay

Start = Callable[..., Turnchat]
CODE = r"Your code: (\d+-[a-z]+-[a-z]+) \(tell it to your peer; it works once\)\."
FAILED = "pairing failed: wrong code, or someone in the middle; nothing was sent"
# The creator's first code is this one (a squatter knows it in advance).
FIXED_FIRST_CODE = ("import turnchat.roles.code as code\n"
                    "made = code.new_code\n"
                    "first = [code.Code('77', 'crossover', 'clockwork')]\n"
                    "code.new_code = lambda not_nameplate='': first.pop() if first else "
                    "made(not_nameplate)\n")


@pytest.fixture(scope="module")
def relay() -> Iterator[TransitRelay]:
    with TransitRelay() as running:
        yield running


def create(turnchat: Start, home: dict[str, str], where: str, *args: str,
           fault: str | None = None) -> tuple[Turnchat, str]:
    creator = turnchat("--pair", "--relay", where, "--name", "bo", *args, env=home,
                       fault=fault)
    code = creator.expect("err", CODE).group(1)
    creator.expect("err", rf"Waiting at {re.escape(where)} for your peer \(up to 10 minutes; "
                          r"Ctrl-C to stop\)\.")
    return creator, code


def join(turnchat: Start, home: dict[str, str], where: str, code: str, *args: str,
         said: bytes | None = None) -> Turnchat:
    return turnchat("--code", "--relay", where, "--name", "ana", *args,
                    env={**home, "TURNCHAT_CODE": code}, stdin=said)


def test_the_right_code_meets_through_the_relay_end_to_end_encrypted(
        turnchat: Start, homes, relay: TransitRelay) -> None:
    bo, code = create(turnchat, homes["bo"], relay.address)
    ana = join(turnchat, homes["ana"], relay.address, code, said=b"hello bo\n")
    ana.expect("err", r"Joined bo; code verified\. End-to-end encrypted; the relay sees only "
                      r"sizes\.")
    bo.expect("err", r"ana joined; code verified\. End-to-end encrypted; the relay sees only "
                     r"sizes\.")
    bo.expect("out", "hello bo\n")
    bo.write(b"hello ana\n")
    bo.close_stdin()
    done, bo_done = ana.finish(), bo.finish()
    assert (done.status, bo_done.status) == (0, 0), (done, bo_done)
    assert (done.out, bo_done.out) == ("hello ana\n", "hello bo\n")
    assert "ana left the conversation." in bo_done.err


def test_q_through_the_relay_tells_the_peer(turnchat: Start, homes, relay: TransitRelay) -> None:
    bo, code = create(turnchat, homes["bo"], relay.address)
    ana = join(turnchat, homes["ana"], relay.address, code)
    bo.expect("err", "ana joined; code verified")
    ana.write(b"one message\n/q\n")
    bo.expect("out", "one message\n")
    bo.write(b"/q\n")  # a script's /q waits for its turn, which is now
    assert (ana.finish().status, bo.finish().status) == (0, 0)
    assert "bo left the conversation." in ana.text("err")


def test_a_wrong_code_fails_on_both_sides_and_is_spent(
        turnchat: Start, homes, relay: TransitRelay) -> None:
    bo, code = create(turnchat, homes["bo"], relay.address)
    nameplate, odd, even = code.split("-")
    wrong = f"{nameplate}-{odd}-{'aardvark' if even != 'aardvark' else 'absurd'}"
    done = join(turnchat, homes["ana"], relay.address, wrong, said=b"secret\n").finish()
    bo_done = bo.finish()
    assert done.status == 3 and f"turnchat: {FAILED}." in done.err, done
    assert bo_done.status == 3, bo_done
    assert ("turnchat: pairing failed (wrong code); nothing was sent, and the code is spent: "
            "make a new one to try again.") in bo_done.err
    assert "secret" not in bo_done.out


def test_a_third_client_after_pairing_waits_alone_and_gives_up(
        turnchat: Start, homes, relay: TransitRelay) -> None:
    bo, code = create(turnchat, homes["bo"], relay.address)
    ana = join(turnchat, homes["ana"], relay.address, code)
    bo.expect("err", "ana joined; code verified")
    eve = join(turnchat, homes["eve"], relay.address, code, "--wait", "2").finish()
    assert eve.status == 3, eve
    assert f"turnchat: nobody came to the relay {relay.address} within 2 s (--wait)." in eve.err
    ana.write(b"still us\n")
    bo.expect("out", "still us\n")
    bo.write(b"/q\n")
    assert (ana.finish().status, bo.finish().status) == (0, 0)


def test_a_squatter_waiting_on_the_token_is_left_before_any_pake_byte(
        turnchat: Start, homes, relay: TransitRelay) -> None:
    """eve waits on the token of a code before it exists; the creator, met at once, leaves
    and makes another code, on which ana then joins."""
    eve = join(turnchat, homes["eve"], relay.address, "77-crossover-clockwork", "--wait", "20")
    eve.expect("err", "Waiting at .* for your peer")
    bo = turnchat("--pair", "--relay", relay.address, "--name", "bo", env=homes["bo"],
                  fault=FIXED_FIRST_CODE)
    bo.expect("err", "Someone was already waiting at .* on a new code's token; making another "
                     "code.")
    code = bo.expect("err", CODE).group(1)
    assert not code.startswith("77-")
    squatted = eve.finish()
    assert squatted.status == 3 and "TLS" in squatted.err, squatted
    ana = join(turnchat, homes["ana"], relay.address, code, said=b"the real one\n")
    bo.expect("out", "the real one\n")
    bo.close_stdin()
    assert (ana.finish().status, bo.finish().status) == (0, 0)


def test_a_relay_that_terminates_tls_is_caught_on_both_sides(
        turnchat: Start, homes, tmp_path: Path) -> None:
    with ManInTheMiddle(None, "relay", tmp_path / "eve") as fake:
        where = f"127.0.0.1:{fake.port}"
        bo, code = create(turnchat, homes["bo"], where)
        done = join(turnchat, homes["ana"], where, code, said=b"the secret plan\n").finish()
        bo_done = bo.finish()
    assert done.status == 3 and f"turnchat: {FAILED}." in done.err, done
    assert bo_done.status == 3 and "WARNING: the pairing code was right, but the certificates " \
                                   "differ" in bo_done.err, bo_done
    assert len(fake.requests) == 2 and all(request.startswith(b"please relay ")
                                           for request in fake.requests)
    assert b"the secret plan" not in fake.said() and b'"app"' not in fake.said()


def test_a_relay_restarted_mid_conversation_is_met_again_and_nothing_is_lost(
        turnchat: Start, homes) -> None:
    """Resume through the relay: both sides go back to it, on a meeting point derived from
    the conversation's secret, and every message arrives once."""
    doomed = TransitRelay()
    port = doomed.port
    try:
        bo, code = create(turnchat, homes["bo"], doomed.address, "--heartbeat", "1")
        ana = join(turnchat, homes["ana"], doomed.address, code, "--heartbeat", "1")
        bo.expect("err", "ana joined; code verified")
        ana.write(b"before\n")
        bo.expect("out", "before\n")
        doomed.stop()
        ana.expect("err", r"Connection to bo lost; reconnecting")
        bo.expect("err", r"ana's connection dropped; waiting up to 5 min")
        bo.write(b"typed while the relay was down\n")
        with TransitRelay(port) as again:
            ana.expect("err", r"Reconnected; 0 messages re-sent\.", timeout=30)
            bo.expect("err", r"ana reconnected; 1 message re-sent\.", timeout=30)
            ana.expect("out", "typed while the relay was down\n")
            for side in (ana, bo):  # the new connections keep the routers' mappings too
                assert keepalive_to(port, side.popen.pid), side.name
            ana.write(b"after\n/q\n")
            bo.expect("out", "after\n")
            bo.write(b"/q\n")
            done, bo_done = ana.finish(), bo.finish()
            assert len(again.log()) > 0
    finally:
        doomed.stop()
    assert (done.status, bo_done.status) == (0, 0), (done, bo_done)
    assert done.out == "typed while the relay was down\n"
    assert bo_done.out == "before\nafter\n"


@pytest.mark.parametrize("resume", [True, False])
def test_the_relay_killed_for_good_ends_the_conversation_on_both_sides(
        turnchat: Start, homes, resume: bool) -> None:
    flags = ("--resume", "2") if resume else ("--no-resume",)
    with TransitRelay() as doomed:
        bo, code = create(turnchat, homes["bo"], doomed.address, *flags)
        ana = join(turnchat, homes["ana"], doomed.address, code, *flags)
        bo.expect("err", "ana joined; code verified")
        ana.write(b"before\n")
        bo.expect("out", "before\n")
        doomed.stop()
        done, bo_done = ana.finish(), bo.finish()
    assert (done.status, bo_done.status) == (1, 1), (done, bo_done)
    if resume:
        assert "turnchat: could not reconnect to bo within 2 s" in done.err, done.err
        assert "turnchat: ana did not come back within 2 s" in bo_done.err, bo_done.err
    else:
        assert "Connection to bo lost." in done.err and "Connection to ana lost." in bo_done.err


def test_where_the_relay_comes_from_and_what_if_it_is_not_there(
        turnchat: Start, homes, relay: TransitRelay) -> None:
    none = turnchat("--pair", env=homes["bo"]).finish()
    assert none.status == 2 and "no relay is configured: give --relay HOST[:PORT], set " \
                                "TURNCHAT_RELAY, or put a line `relay = HOST:PORT` in" in none.err
    config = Path(homes["bo"]["XDG_CONFIG_HOME"]) / "turnchat"
    config.mkdir(parents=True)
    (config / "config").write_text(f"# where we meet\nrelay = {relay.address}\n")
    bo = turnchat("--pair", "--name", "bo", env=homes["bo"])
    code = bo.expect("err", CODE).group(1)
    ana = turnchat("--code", "--name", "ana", stdin=b"via the environment\n",
                   env={**homes["ana"], "TURNCHAT_CODE": code,
                        "TURNCHAT_RELAY": relay.address})
    bo.expect("out", "via the environment\n")
    bo.close_stdin()
    assert (ana.finish().status, bo.finish().status) == (0, 0)
    closed = free_port()
    gone = turnchat("--pair", "--relay", f"127.0.0.1:{closed}", env=homes["bo"]).finish()
    assert gone.status == 3 and f"cannot reach the relay 127.0.0.1:{closed}: Connection " \
                                "refused (is a transit relay running there?)." in gone.err
    alone = turnchat("--pair", "--relay", relay.address, "--wait", "2", env=homes["bo"]).finish()
    assert alone.status == 3 and "nobody came to the relay" in alone.err


@pytest.mark.parametrize(("args", "sentence"), [
    (("--relay", "127.0.0.1:4001"), "--relay goes with --pair"),
    (("--pair", "--relay", "127.0.0.1:4001", "--listen"), "--relay replaces --listen"),
    (("--pair", "--relay", "127.0.0.1:4001", "--keep"), "--keep does not go with"),
    (("--pair", "--relay", "host:port"), "the relay in --relay: the port 'port'"),
    (("--pair", "--relay", "127.0.0.1", "--wait", "0"), "--wait must be from 1 to 86400"),
])
def test_relay_flag_errors_are_one_sentence(turnchat: Start, homes, args: tuple[str, ...],
                                            sentence: str) -> None:
    done = turnchat(*args, env=homes["bo"]).finish()
    assert done.status == 2 and sentence in done.err and done.err.count("\n") == 1, done


# Says at exit whether Twisted (the relay's framework) was ever imported by turnchat.
TWISTED = ("import atexit, sys\n"
           "atexit.register(lambda: sys.stderr.write('twisted: ' + str(any(name == 'twisted' "
           "or name.startswith('twisted.') for name in sys.modules)) + '\\n'))\n")


def test_turnchat_never_imports_twisted(turnchat: Start, homes, relay: TransitRelay) -> None:
    bo = turnchat("--pair", "--relay", relay.address, "--name", "bo", env=homes["bo"],
                  fault=TWISTED)
    code = bo.expect("err", CODE).group(1)
    ana = turnchat("--code", "--relay", relay.address, "--name", "ana", fault=TWISTED,
                   env={**homes["ana"], "TURNCHAT_CODE": code}, stdin=b"hi\n")
    bo.expect("out", "hi\n")
    bo.close_stdin()
    assert (ana.finish().status, bo.finish().status) == (0, 0)
    assert "twisted: False\n" in ana.text("err") and "twisted: False\n" in bo.text("err")


def test_ctrl_c_while_waiting_at_the_relay_stops_with_a_sentence(
        turnchat: Start, homes, relay: TransitRelay) -> None:
    import signal

    bo, _ = create(turnchat, homes["bo"], relay.address)
    bo.kill(signal.SIGINT)
    done = bo.finish()
    assert done.status == 0 and done.err.endswith("Stopped before the conversation began.\n")


def test_a_peer_that_leaves_the_relay_before_the_code_is_checked_ends_the_creator(
        turnchat: Start, homes, relay: TransitRelay) -> None:
    import socket

    from turnchat.roles.relay import token_for

    bo, code = create(turnchat, homes["bo"], relay.address)
    with socket.create_connection(("127.0.0.1", relay.port)) as gone:
        gone.sendall(f"please relay {token_for(code.split('-')[0])} for side "
                     f"{'e' * 16}\n".encode())
        assert gone.recv(3) == b"ok\n"
    done = bo.finish()
    assert done.status == 3, done
    assert ("turnchat: the peer at the relay left before the code was checked; nothing was "
            "sent.") in done.err


def keepalive_to(port: int, pid: int, within: float = 5.0) -> bool:
    """Whether process `pid` has a connection to `port` with TCP keepalive's timer on,
    looked at for up to `within` seconds: ss shows one timer per socket, and while data
    just sent is unacknowledged that is the retransmission timer."""
    import subprocess
    import time

    deadline = time.monotonic() + within
    while True:
        shown = subprocess.run(["ss", "-tnpo", "state", "established", f"( dport = :{port} )"],
                               capture_output=True, text=True, check=True).stdout
        if any(f"pid={pid}," in line and "keepalive" in line for line in shown.splitlines()):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)

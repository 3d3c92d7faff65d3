"""The command line and every start-up failure: one sentence, the documented status."""

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.processes import TURNCHAT, RawPeer, Turnchat, free_port, listening_port

Start = Callable[..., Turnchat]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TURNCHAT), *args], capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=30,
    )


def one_sentence(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("turnchat: ")
    return lines[0]


def test_help_shows_examples_and_exit_statuses() -> None:
    done = run("--help")
    assert done.returncode == 0
    for needle in ("--listen [[HOST:]PORT]", "--connect [HOST[:PORT]]", "--name", "examples:",
                   "exit status:", "  3  could not listen or connect"):
        assert needle in done.stdout


def test_version() -> None:
    done = run("--version")
    assert (done.returncode, done.stdout.strip()) == (0, "turnchat 1.0.0")


def test_installed_console_script_runs() -> None:
    script = Path(sys.executable).with_name("turnchat")  # `pip install .` made it
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                          timeout=30, cwd="/")
    assert (done.returncode, done.stdout.strip()) == (0, "turnchat 1.0.0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "choose --listen (wait for a peer) or --connect (reach one)"),
        (("--listen", "--connect"), "not allowed with argument"),
        (("--listen", "host:port"), "--listen: the port 'port' is not a number from 0 to 65535."),
        (("--listen", "-1"), "--listen: the port '-1' is not a number from 0 to 65535."),
        (("--listen", "abc"), "--listen: the port 'abc' is not a number from 0 to 65535."),
        (("--listen", "70000"), "--listen: the port '70000' is not a number from 0 to 65535."),
        (("--connect", "-5"), "--connect: the port '-5' is not a number from 1 to 65535."),
        (("--connect", "host:0"), "--connect: the port '0' is not a number from 1 to 65535."),
        (("--connect", "[::1"), "--connect: '[::1' has an unclosed or empty [ ]."),
        (("--listen", "--name", ""), "--name must not be empty."),
        (("--listen", "--name", "a\x1bb"), "--name must not contain control or invisible"),
        (("--listen", "--name", "ana\u200b"), "--name must not contain control or invisible"),
        (("--listen", "--name", "n" * 33), "--name is 33 characters; at most 32 are allowed."),
        (("--connect", "--timeout", "-1"), "--timeout must be more than 0"),
        (("--connect", "--tls", "--accept-new", "--fingerprint",
          "SHA256:" + "A" * 43), "--fingerprint and --accept-new exclude each other"),
        (("--connect", "--timeout", "soon"), "invalid float value: 'soon'"),
        (("--frobnicate",), "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_command_lines_exit_2(args: tuple[str, ...], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in one_sentence(done.stderr)


def test_address_in_use_exits_3() -> None:
    with socket.create_server(("127.0.0.1", 0)) as holder:
        port = holder.getsockname()[1]
        done = run("--listen", f"127.0.0.1:{port}")
    assert done.returncode == 3
    assert one_sentence(done.stderr) == (
        f"turnchat: cannot listen on 127.0.0.1:{port}: the address is already in use "
        "(another program is listening there)."
    )


def test_address_not_on_this_machine_exits_3() -> None:
    done = run("--listen", "192.0.2.1:7777")  # TEST-NET-1: never a local address
    assert done.returncode == 3
    assert "that address does not belong to this machine" in one_sentence(done.stderr)


def test_connection_refused_exits_3() -> None:
    port = free_port()
    done = run("--connect", f"127.0.0.1:{port}")
    assert done.returncode == 3
    assert one_sentence(done.stderr) == (
        f"turnchat: cannot connect to 127.0.0.1:{port}: connection refused "
        "(is turnchat listening there?)."
    )


def test_unknown_host_exits_3() -> None:
    done = run("--connect", "no-such-host.invalid:7777")
    assert done.returncode == 3
    assert "unknown host 'no-such-host.invalid'" in one_sentence(done.stderr)


def test_silent_server_times_out_with_3() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        done = run("--connect", f"127.0.0.1:{port}", "--timeout", "0.5")
    assert done.returncode == 3
    assert done.stderr.strip().splitlines()[-1] == (
        f"turnchat: cannot talk with 127.0.0.1:{port}: no turnchat greeting within 0.5 s "
        "(if a person on nc or socat listens there, connect with --line; if a classic "
        "assignment program listens there, connect with --raw)."
    )


def test_busy_listener_refuses_a_second_connector_with_3(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    listener = turnchat("--listen", "127.0.0.1:0")
    port = listening_port(listener)
    first = turnchat("--connect", f"127.0.0.1:{port}")
    listener.expect("err", "connected from")
    second = turnchat("--connect", f"127.0.0.1:{port}", stdin=b"hello?\n")
    done = second.finish()
    assert done.status == 3
    assert f"turnchat: 127.0.0.1:{port} refused the conversation: busy." in done.err
    first.close_stdin()
    assert first.finish().status == 0


def test_listen_on_ipv6_loopback(turnchat: Start) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        with socket.create_server(("::1", 0), family=socket.AF_INET6):
            pass
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    listener = turnchat("--listen", "[::1]:0", stdin=b"")
    port = int(listener.expect("err", r"Listening on \[::1\]:(\d+)").group(1))
    connector = turnchat("--connect", f"[::1]:{port}", stdin=b"over six\n")
    assert listener.finish().out == "over six\n"
    assert connector.finish().status == 0


def test_default_listen_address_is_localhost(turnchat: Start) -> None:
    listener = turnchat("--listen", "0")  # port only: host defaults to localhost
    listener.expect("err", r"Listening on 127\.0\.0\.1:\d+")
    listener.close()

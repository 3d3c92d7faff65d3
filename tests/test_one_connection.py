"""A TLS conversation opens exactly one connection, whatever the trust case.

Through a relay that counts the connections it carries (socat, forking one child per
connection), as the Magic Wormhole transit relay will pair them: first contact with
--accept-new, first contact answered yes at a terminal, a known key, and --fingerprint.
The key is checked on the connection the conversation then runs on; there is no probe.
"""

import re
from collections.abc import Callable

from tests.processes import Program, Turnchat
from tests.terminal import TerminalTurnchat
from tests.test_interactive import ENTER
from tests.test_tls import tls_listener

Start = Callable[..., Turnchat]


def counting_relay(program: Callable[..., Program], port: int) -> tuple[Program, int]:
    relay = program("socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1,fork,reuseaddr",
                    f"TCP:127.0.0.1:{port}")
    return relay, int(relay.expect("err", r"listening on AF=2 127\.0\.0\.1:(\d+)").group(1))


def carried(relay: Program, expected: int) -> int:
    """How many connections the relay has accepted, once it has said so `expected` times."""
    relay.expect("err", "(?s)" + "accepting connection from.*" * expected)
    return relay.text("err").count("accepting connection from")


def converse(listener: Turnchat, connector: Turnchat, line: str) -> None:
    connector.write(f"{line}\n".encode())
    listener.expect("out", f"{line}\n")
    listener.write(b"ok\n")
    connector.expect("out", "ok\n")
    connector.close_stdin()
    assert connector.finish().status == 0


def test_every_trust_case_is_one_connection(
    turnchat: Start, program: Callable[..., Program], terminal: Callable[..., TerminalTurnchat],
    homes: dict[str, dict[str, str]],
) -> None:
    listener, port, key = tls_listener(turnchat, homes["bo"], "--keep")
    relay, relay_port = counting_relay(program, port)
    where = f"127.0.0.1:{relay_port}"

    first = turnchat("--connect", where, "--tls", "--accept-new", "--name", "ana",
                     env=homes["ana"])
    first.expect("err", r"new, trusted on first use \(--accept-new\)")
    converse(listener, first, "first contact")
    assert carried(relay, 1) == 1

    known = turnchat("--connect", where, "--tls", "--name", "ana", env=homes["ana"])
    known.expect("err", rf"key {re.escape(key)} \(known_peers since \d{{4}}-\d\d-\d\d\)")
    converse(listener, known, "a known key")
    assert carried(relay, 2) == 2

    pinned = turnchat("--connect", where, "--tls", "--fingerprint", key, "--name", "eve",
                      env=homes["eve"])
    pinned.expect("err", r"as --fingerprint requires")
    converse(listener, pinned, "a given fingerprint")
    assert carried(relay, 3) == 3

    asked = terminal("--connect", where, "--tls", "--name", "cy",
                     env={"XDG_CONFIG_HOME": homes["eve"]["XDG_CONFIG_HOME"] + "-cy"})
    asked.wait_for(r"Trust it and remember it \(yes/no\)\?")
    asked.type("yes" + ENTER)
    asked.wait_for("Connected to bo at")
    asked.type("asked at a terminal" + ENTER)
    listener.expect("out", "asked at a terminal\n")
    assert carried(relay, 4) == 4

    assert "Dropped a connection" not in listener.text("err")  # no probe was turned away

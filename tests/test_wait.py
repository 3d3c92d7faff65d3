"""--wait: the connector keeps trying a refused connection until the listener is up, so the
two people may start in either order."""

import time
from collections.abc import Callable

from tests.processes import Turnchat, free_port

Start = Callable[..., Turnchat]


def test_the_connector_started_first_reaches_the_listener_started_later(
    turnchat: Start,
) -> None:
    port = free_port()
    connector = turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana", "--wait", "20",
                         stdin=b"you took your time\n")
    connector.expect("err", rf"Waiting for a listener at 127\.0\.0\.1:{port} \(connection "
                            r"refused; trying again for up to 20 s\)\.")
    time.sleep(0.6)  # a person starting the other side a moment later
    listener = turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", stdin=b"")
    done = listener.finish()
    assert (done.status, done.out) == (0, "you took your time\n")
    assert connector.finish().status == 0


def test_waiting_ends_with_the_refusal_and_how_long_it_waited(turnchat: Start) -> None:
    port = free_port()
    done = turnchat("--connect", f"127.0.0.1:{port}", "--wait", "0.5").finish()
    assert done.status == 3
    assert done.err.splitlines()[-1] == (
        f"turnchat: cannot connect to 127.0.0.1:{port}: connection refused (is turnchat "
        "listening there?); waited 0.5 s.")


def test_wait_is_for_the_connector(turnchat: Start) -> None:
    done = turnchat("--listen", "127.0.0.1:0", "--wait", "5").finish()
    assert done.status == 2 and "--wait is for --connect" in done.err

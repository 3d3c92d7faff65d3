"""Resume in the interactive face: what a person sees in a real pty (read through pyte)
while the connection is down, and after it is back."""

from collections.abc import Callable

from tests.processes import Turnchat, free_port, listening_port
from tests.relay import Relay
from tests.terminal import TerminalTurnchat

ENTER, CTRL_C = "\r", "\x03"


def test_the_toolbar_says_the_connection_is_down_and_a_line_typed_then_goes_later(
        terminal: Callable[..., TerminalTurnchat]) -> None:
    port = free_port()
    bo = Turnchat("--listen", f"127.0.0.1:{port}", "--name", "bo", "--resume")
    try:
        listening_port(bo)
        with Relay(("127.0.0.1", port)) as relay:
            ana = terminal("--connect", f"127.0.0.1:{relay.port}", "--name", "ana",
                           "--resume")
            ana.wait_for("YOUR TURN")
            relay.close_listening()
            relay.reset(0)
            ana.wait_for(r"Connection to bo lost; reconnecting \(attempt \d+")
            ana.settle()
            assert "Connection to bo lost; reconnecting" in ana.screen.display[-1]  # toolbar
            ana.type("typed while down" + ENTER)
            ana.wait_for("Queued until the connection is back: typed while down")
            relay.open_listening()
            ana.wait_for(r"Reconnected; 1 message re-sent\.")
            bo.expect("out", "typed while down")
            ana.wait_for("BO'S TURN")  # the toolbar is the conversation's again
            assert "reconnecting" not in ana.screen.display[-1]
            ana.type(CTRL_C)
            assert ana.finish() == 0
            ana.wait_for("bo was told")
            assert bo.finish().status == 0
    finally:
        bo.close()

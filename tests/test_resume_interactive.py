"""Resume in the interactive face: what a person sees in a real pty (read through pyte)
while the connection is down, and after it is back."""

from collections.abc import Callable
from pathlib import Path

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


def test_under_tls_a_reset_is_resumed_in_the_interactive_face_on_both_sides(
        terminal: Callable[..., TerminalTurnchat], tmp_path: Path) -> None:
    """Both faces interactive (asyncio's loop, which refuses to unwatch a closed socket),
    under TLS: a reset is resumed on both sides, and the conversation goes on."""
    env = {"HOME": str(tmp_path)}
    bo = terminal("--listen", "127.0.0.1:0", "--name", "bo", "--tls", env=env)
    port = int(bo.wait_for(r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    with Relay(("127.0.0.1", port)) as relay:
        ana = terminal("--connect", f"127.0.0.1:{relay.port}", "--name", "ana", "--tls",
                       "--accept-new", env=env)
        ana.wait_for("YOUR TURN")
        ana.type("hello bo" + ENTER)
        bo.wait_for("YOUR TURN")
        relay.reset(0)
        ana.wait_for(r"Reconnected; 0 messages re-sent\.")
        bo.wait_for(r"ana reconnected; 0 messages re-sent\.")
        bo.type("still here" + ENTER)
        ana.wait_for("bo: still here")
        ana.type(CTRL_C)
        assert ana.finish() == 0
        assert bo.finish() == 0
        assert "bug" not in ana.text + bo.text

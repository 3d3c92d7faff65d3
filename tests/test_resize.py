"""Resizing the window while a draft wraps: the screen is drawn anew, with no stale copy of
the prompt, on a terminal that reflows wrapped rows (tmux, as most terminals today) and on
one that does not (pyte, as xterm)."""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable

import pytest

from tests.processes import ROOT, WAIT, RawPeer, turnchat_argv
from tests.terminal import TerminalTurnchat
from tests.test_interactive import give_the_turn, listening_with_raw_peer
from tests.wirebytes import HELLO, TEXT, hello, text

DRAFT = "x" * 150


def test_a_terminal_that_does_not_reflow(
    terminal: Callable[..., TerminalTurnchat], raw_peers: list[RawPeer]
) -> None:
    term, peer = listening_with_raw_peer(terminal, raw_peers, cols=80)
    give_the_turn(term, peer)
    term.type(DRAFT)
    term.wait_for("x" * 75)
    term.screen.resize(24, 50)
    term.child.setwinsize(24, 50)
    term.settle(0.5)
    screen = term.text
    assert screen.count("you>") == 1, screen
    assert "raw: your turn" in screen and "connected from" in screen  # the conversation stays


@pytest.mark.skipif(not shutil.which("tmux") and not os.environ.get("CI"),
                    reason="needs tmux, which reflows wrapped rows: apt install tmux")
def test_a_terminal_that_reflows(raw_peers: list[RawPeer]) -> None:
    server = f"turnchat-test-{os.getpid()}"
    tmux = ["tmux", "-L", server, "-f", "/dev/null"]
    command = " ".join(turnchat_argv(("--listen", "127.0.0.1:0", "--name", "bo")))
    subprocess.run([*tmux, "new-session", "-d", "-x", "80", "-y", "24", command],
                   check=True, cwd=ROOT)
    pane_pid = int(subprocess.run([*tmux, "display-message", "-p", "#{pane_pid}"],
                                  capture_output=True, text=True, check=True).stdout)
    try:
        def screen() -> str:
            return subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True,
                                  text=True, check=True).stdout

        def wait_for(what: str) -> str:
            deadline = time.monotonic() + WAIT
            while what not in (shown := screen()):
                assert time.monotonic() < deadline, shown
                time.sleep(0.05)
            return shown

        port = int(wait_for("Listening on").split("127.0.0.1:")[1].split(";")[0])
        peer = RawPeer.connect(port)
        raw_peers.append(peer)
        peer.send(hello("raw"))
        assert peer.read_frame()[0] == HELLO
        peer.send(text("your turn"))
        wait_for("YOUR TURN")
        subprocess.run([*tmux, "send-keys", DRAFT], check=True)
        wait_for("x" * 75)
        subprocess.run([*tmux, "resize-window", "-x", "50", "-y", "24"], check=True)
        time.sleep(0.5)
        shown = wait_for("YOUR TURN")
        assert shown.count("you>") == 1, shown  # once: no stale copy left by the reflow
        assert "raw: your turn" in shown and "connected from" in shown
        subprocess.run([*tmux, "send-keys", "Enter"], check=True)
        assert peer.read_frame() == (TEXT, DRAFT.encode())
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pane_pid, signal.SIGKILL)  # turnchat, by its pid
        subprocess.run([*tmux, "kill-server"], check=False)

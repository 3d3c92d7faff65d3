"""Resume, measured: how long a cut takes to heal, and how much a side holds for a resend.

The time is taken with real processes through the tests' cutting relay (tests/relay.py):
from the moment the relay closes or resets the connection to the moment the next message,
sent after the cut, is printed by the other side. The memory is the most a side ever keeps
for a resend (wire/resume.py's Ledger), counted in process over a long conversation of
maximal messages (tests/resume_harness.py).
"""

import statistics
import subprocess
import time
from collections.abc import Callable

from bench.common import environment, listener_port, turnchat_command
from tests.relay import Relay
from tests.resume_harness import converse
from turnchat.wire.resume import Ledger

# Under strict turns a side keeps what it sent since the turn last came back: one turn's
# frames (a message, or a game step and a message), and a frame the peer's turn was ending
# past. A ledger is also cut off beyond wire/limits.MAX_UNACKNOWLEDGED (64 frames).
BOUND_FRAMES = 3


def cut_to_resumed(how: str, repetitions: int) -> float:
    """The median seconds from a cut (close or reset) to the next message arriving."""
    return statistics.median(_one_cut(how) for _ in range(repetitions))


def _one_cut(how: str) -> float:
    env = environment()
    listener = subprocess.Popen([*turnchat_command(), "--listen", "127.0.0.1:0", "--name",
                                 "bo", "--resume"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    connector = None
    try:
        port = listener_port(listener)
        with Relay(("127.0.0.1", port)) as relay:
            connector = subprocess.Popen(
                [*turnchat_command(), "--connect", f"127.0.0.1:{relay.port}", "--name", "ana",
                 "--resume"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env)
            assert connector.stdin is not None and listener.stdout is not None
            connector.stdin.write(b"before the cut\n")
            connector.stdin.flush()
            listener.stdout.readline()
            listener.stdin.write(b"reply\n")  # type: ignore[union-attr]
            listener.stdin.flush()  # type: ignore[union-attr]
            time.sleep(0.2)  # the reply is across: the next message is the connector's
            started = time.perf_counter()
            if how == "reset":
                relay.reset(0)
            else:
                relay.close_pair(0)
            while not relay.pairs[0].closed:  # the message must not slip through before it
                time.sleep(0.0005)
            connector.stdin.write(b"after the cut\n")
            connector.stdin.flush()
            line = listener.stdout.readline()
            elapsed = time.perf_counter() - started
            assert line == b"after the cut\n", line
            return elapsed
    finally:
        for process in (connector, listener):
            if process is not None:
                process.kill()
                process.wait()


def most_held(turns: int) -> tuple[int, float]:
    """The most frames (and KiB) a Ledger held unacknowledged over `turns` turns of 4 KiB
    messages, through the real sessions in process."""
    most = [0, 0]
    originals = {name: getattr(Ledger, name) for name in ("outgoing", "passing")}

    def counting(name: str) -> Callable[..., None]:
        def keep(self: Ledger, *arguments: object) -> None:
            originals[name](self, *arguments)
            if self.unacknowledged > most[0]:
                most[0], most[1] = self.unacknowledged, self.held_bytes
        return keep

    script = [("ana" if turn % 2 == 0 else "bo", f"{turn:04d}" + "x" * 4092)
              for turn in range(turns)] + [("ana" if turns % 2 == 0 else "bo", "/q")]
    for name in originals:
        setattr(Ledger, name, counting(name))
    try:
        outcome = converse({}, script=script, deadline_seconds=120.0)
    finally:
        for name, original in originals.items():
            setattr(Ledger, name, original)
    assert not outcome.faults(), outcome.faults()
    return most[0], most[1] / 1024

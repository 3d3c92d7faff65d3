"""Idle: CPU time a waiting turnchat uses, beside the blocking recipe waiting the same way.

Three waits, in both faces, every process watched in the same window: a listener with no
peer yet; a connector that has spoken and waits for the peer's turn; and the peer, whose
turn it now is, waiting for its person (stdin open, nothing typed). The plain face reads
pipes; the interactive face runs in a pty, as a person has it. CPU time is read from
/proc/PID/task/*/schedstat (nanoseconds on the CPU, every thread), so a few microseconds of
polling would show; the recipe blocks in accept(), recv() and readline() and uses none.
"""

import os
import re
import subprocess
import time

from bench.common import START_TIMEOUT, environment, listener_port
from bench.turns import commands

WAITS = {  # what each of the three processes waits for, and how the table says it
    "listening": "listener waiting for a peer",
    "their turn": "waiting for the peer's turn",
    "my turn": "its turn, waiting for its person",
}
FACES = ("plain", "interactive")
SETTLE_SECONDS = 2.0  # after the last drawing and the first message: then only waiting


def cpu_ns(pid: int) -> int:
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat", encoding="ascii") as stat:
                total += int(stat.read().split()[0])
        except (OSError, ValueError):  # a thread that ended meanwhile
            pass
    return total


class _PlainWaiters:
    """A lone listener and a connected pair of one program, on pipes; the connector has
    sent one line, so the pair's listener holds the turn."""

    def __init__(self, program: str) -> None:
        env = environment()
        self.processes: list[subprocess.Popen[bytes]] = []
        lone = self._start(commands(program, None), env)
        listener_port(lone)
        partner = self._start(commands(program, None), env)
        connector = self._start(commands(program, listener_port(partner)), env)
        assert connector.stdin is not None and partner.stdout is not None
        connector.stdin.write(b"over to you\n")
        connector.stdin.flush()
        if partner.stdout.readline() != b"over to you\n":  # now it is the partner's turn
            raise RuntimeError(f"{program}: the first message did not arrive")
        self.pids = dict(zip(WAITS, (lone.pid, connector.pid, partner.pid), strict=True))

    def _start(self, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=env)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.communicate(timeout=START_TIMEOUT)


class _InteractiveWaiters:
    """The same three waits with turnchat's interactive face, each in its own pty."""

    def __init__(self) -> None:
        import pexpect  # a test tool, installed with the test extras

        env = environment()
        env.update(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
        self.terminals: list[pexpect.spawn] = []

        def start(command: list[str]) -> pexpect.spawn:
            terminal = pexpect.spawn(command[0], command[1:], env=env, dimensions=(24, 80),
                                     timeout=START_TIMEOUT)
            self.terminals.append(terminal)
            return terminal

        def port_of(terminal: pexpect.spawn) -> int:
            terminal.expect(rb"Listening on 127\.0\.0\.1:(\d+)")
            return int(terminal.match.group(1))

        lone = start(commands("turnchat", None))
        port_of(lone)
        partner = start(commands("turnchat", None))
        connector = start(commands("turnchat", port_of(partner)))
        connector.expect(rb"you> ")  # its turn: the connector speaks first
        connector.send("over to you\r")
        partner.expect(rb"over to you")
        connector.expect(re.escape("(bo's turn) you> ").encode())
        self.pids = dict(zip(WAITS, (lone.pid, connector.pid, partner.pid), strict=True))

    def stop(self) -> None:
        for terminal in self.terminals:
            terminal.close(force=True)


def measure(seconds: float) -> dict[tuple[str, str, str], float]:
    """CPU milliseconds each waiting process uses over the same `seconds`, keyed by
    (program, face, wait): turnchat in both faces, the recipe (which has one)."""
    groups: dict[tuple[str, str], _PlainWaiters | _InteractiveWaiters] = {}
    try:
        groups["turnchat", "plain"] = _PlainWaiters("turnchat")
        groups["baseline", "plain"] = _PlainWaiters("baseline")
        groups["turnchat", "interactive"] = _InteractiveWaiters()
        time.sleep(SETTLE_SECONDS)
        watched = {(program, face, wait): pid for (program, face), group in groups.items()
                   for wait, pid in group.pids.items()}
        before = {key: cpu_ns(pid) for key, pid in watched.items()}
        time.sleep(seconds)
        return {key: (cpu_ns(pid) - before[key]) / 1e6 for key, pid in watched.items()}
    finally:
        for group in groups.values():
            group.stop()

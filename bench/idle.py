"""Idle: CPU time a waiting turnchat uses, beside the blocking baseline waiting the same way.

Two waits, all four processes watched in the same window: a listener with no peer yet, and
a connector that has spoken and waits for the peer's turn. CPU time is read from
/proc/PID/task/*/schedstat (nanoseconds on the CPU, every thread), so a few microseconds of
polling would show; the baseline blocks in accept() and recv() and uses none.
"""

import os
import subprocess
import time
from dataclasses import dataclass

from bench.common import START_TIMEOUT, environment, listener_port
from bench.turns import commands


@dataclass
class IdleCpu:
    listening_ms: float  # a listener waiting for a peer
    waiting_turn_ms: float  # a connector waiting for the peer's turn


def cpu_ns(pid: int) -> int:
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat", encoding="ascii") as stat:
                total += int(stat.read().split()[0])
        except (OSError, ValueError):  # a thread that ended meanwhile
            pass
    return total


class _Waiters:
    """A lone listener and a connected pair of one program, the connector's line sent."""

    def __init__(self, program: str) -> None:
        env = environment()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.lone = self._start(commands(program, None), env)
        listener_port(self.lone)
        partner = self._start(commands(program, None), env)
        self.connector = self._start(commands(program, listener_port(partner)), env)
        assert self.connector.stdin is not None and partner.stdout is not None
        self.connector.stdin.write(b"over to you\n")
        self.connector.stdin.flush()
        if partner.stdout.readline() != b"over to you\n":  # now it is the partner's turn
            raise RuntimeError(f"{program}: the first message did not arrive")

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


def measure(seconds: float) -> dict[str, IdleCpu]:
    """CPU milliseconds each program's waiting processes use over the same `seconds`."""
    waiters = {}
    try:
        for program in ("turnchat", "baseline"):
            waiters[program] = _Waiters(program)
        time.sleep(0.2)  # past start-up: only the waiting is measured
        watched = [(program, role, process) for program, group in waiters.items()
                   for role, process in (("lone", group.lone), ("connector", group.connector))]
        before = {(program, role): cpu_ns(process.pid) for program, role, process in watched}
        time.sleep(seconds)
        used = {(program, role): (cpu_ns(process.pid) - before[program, role]) / 1e6
                for program, role, process in watched}
    finally:
        for group in waiters.values():
            group.stop()
    return {program: IdleCpu(used[program, "lone"], used[program, "connector"])
            for program in waiters}

"""Exact instruction counts with `valgrind --tool=callgrind`, where wall time is too noisy.

The count of a program is repeatable for the same interpreter, inputs and environment,
whatever else the machine is doing, so a ratio of counts is a ratio one can trust on a
shared machine; and so counts may be taken side by side, one per core (`count_all`).
"""

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, TypeVar

from bench.common import environment, listener_port

Key = TypeVar("Key")

_REFS = re.compile(rb"refs:\s+([\d,]+)")


def available() -> bool:
    return shutil.which("valgrind") is not None


def count(
    command: list[str],
    stdin: IO[bytes] | int = subprocess.DEVNULL,
    peer: Callable[[int], None] | None = None,
    env: dict[str, str] | None = None,
    statuses: tuple[int, ...] = (0,),
) -> int:
    """Instructions `command` executes from launch to exit (with one of `statuses`).

    With `peer`, the command is a listener: once it names its port, `peer(port)` holds the
    conversation with it (outside valgrind) and the listener is expected to end after.
    """
    process = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=environment() if env is None else env,
    )
    try:
        if peer is not None:
            peer(listener_port(process))
        _, errors = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    found = _REFS.search(errors)
    if process.returncode not in statuses or not found:
        raise RuntimeError(f"callgrind of {command} failed: {errors[-500:]!r}")
    return int(found.group(1).replace(b",", b""))


def count_all(jobs: dict[Key, Callable[[], int]]) -> dict[Key, int]:
    """Run the counting `jobs` (each calls `count`) side by side, one per core: what
    valgrind counts does not depend on what else runs, only the wall time does."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}

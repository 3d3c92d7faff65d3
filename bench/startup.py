"""Start-up: how long until turnchat is useful, against the bare interpreter.

Two things are timed from launch: `turnchat --help` to its exit, and a listener until it has
accepted a connection (a peer connects, greets, and the listener's HELLO comes back). Both
are compared with `python3 -c pass` on the same interpreter, in wall time (medians of
interleaved runs) and, because wall time on a shared machine is noisy, in instructions
counted by callgrind. The plain face must import neither asyncio nor prompt_toolkit; the
module list of a real listener run (`python3 -X importtime`) is checked for them.
"""

import json
import socket
import statistics
import struct
import subprocess
import time

from bench import callgrind
from bench.common import PYTHON, START_TIMEOUT, environment, listener_port, turnchat_command

HELLO = json.dumps({"app": "turnchat", "version": 1, "name": "probe"}).encode()
QUIT_FRAME = struct.pack(">IB", 1, 0x03)
FORBIDDEN_IMPORTS = ("asyncio", "prompt_toolkit")
# The standard modules no listener can do without: the floor under any Python chat's start-up.
FLOOR_IMPORTS = "import argparse, json, selectors, signal, socket, struct"


def _frame(frame_type: int, payload: bytes) -> bytes:
    return struct.pack(">IB", len(payload) + 1, frame_type) + payload


def greet_and_leave(port: int) -> None:
    """Be the peer a listener accepts: HELLO, wait for its HELLO, then QUIT."""
    with socket.create_connection(("127.0.0.1", port), timeout=START_TIMEOUT) as peer:
        peer.sendall(_frame(0x01, HELLO))
        header = b""
        while len(header) < 5:
            chunk = peer.recv(5 - len(header))
            if not chunk:
                raise RuntimeError("the listener closed before its HELLO")
            header += chunk
        if header[4] != 0x01:
            raise RuntimeError(f"the listener answered with frame type {header[4]}")
        peer.sendall(QUIT_FRAME)
        peer.shutdown(socket.SHUT_WR)
        while peer.recv(65536):
            pass


def time_help() -> float:
    started = time.perf_counter()
    subprocess.run([*turnchat_command(), "--help"], stdout=subprocess.DEVNULL,
                   env=environment(), check=True)
    return time.perf_counter() - started


def time_bare() -> float:
    started = time.perf_counter()
    subprocess.run([PYTHON, "-c", "pass"], env=environment(), check=True)
    return time.perf_counter() - started


def listener_command(*options: str) -> list[str]:
    return [*turnchat_command(), *options, "--listen", "127.0.0.1:0", "--name", "bench"]


def time_until_accepted() -> float:
    """Seconds from launching a listener until a peer has its HELLO back."""
    started = time.perf_counter()
    listener = subprocess.Popen(listener_command(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=environment())
    try:
        port = listener_port(listener)
        with socket.create_connection(("127.0.0.1", port), timeout=START_TIMEOUT) as peer:
            peer.sendall(_frame(0x01, HELLO))
            if len(peer.recv(5)) < 1:
                raise RuntimeError("the listener closed before its HELLO")
            elapsed = time.perf_counter() - started
            peer.sendall(QUIT_FRAME)
        listener.communicate(timeout=START_TIMEOUT)
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.wait()
    return elapsed


def interleaved_medians(repetitions: int) -> dict[str, float]:
    """Median seconds of each start-up, the runs interleaved so that drift hits all alike."""
    samples: dict[str, list[float]] = {"bare": [], "help": [], "accept": []}
    for _ in range(repetitions):
        samples["bare"].append(time_bare())
        samples["help"].append(time_help())
        samples["accept"].append(time_until_accepted())
    return {name: statistics.median(values) for name, values in samples.items()}


def instructions() -> dict[str, int]:
    """Instructions of `python3 -c pass`, of importing FLOOR_IMPORTS, of `turnchat --help`,
    and of a listener that accepts one peer, which greets and leaves at once."""
    return callgrind.count_all({
        "bare": lambda: callgrind.count([PYTHON, "-c", "pass"]),
        "floor": lambda: callgrind.count([PYTHON, "-c", FLOOR_IMPORTS]),
        "help": lambda: callgrind.count([*turnchat_command(), "--help"]),
        "accept": lambda: callgrind.count(listener_command(), peer=greet_and_leave),
    })


def plain_face_imports() -> list[str]:
    """Modules among FORBIDDEN_IMPORTS that a plain listener imports during a conversation."""
    env = environment()
    env["PYTHONPROFILEIMPORTTIME"] = "1"
    listener = subprocess.Popen(listener_command(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    errors = bytearray()
    try:
        greet_and_leave(listener_port(listener, errors))
        errors += listener.communicate(timeout=START_TIMEOUT)[1]
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.wait()
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in errors.decode(errors="replace").splitlines()
                if line.startswith("import time:")}
    if "socket" not in imported:
        raise RuntimeError("python3 -X importtime listed no imports; cannot check")
    return sorted(imported.intersection(FORBIDDEN_IMPORTS))

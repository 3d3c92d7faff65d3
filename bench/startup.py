"""Start-up: how much turnchat does before it is useful, against the import floor.

Counted in instructions with callgrind (wall time is too noisy on a shared machine), from
launch to exit, of the installed command: a plain listener that accepts one peer (which
greets and leaves at once), a plain connector to a closed port (everything up to its first
network act), `--help`, a --tls listener that accepts one peer over TLS (its key made
before), and a connector with a pairing code to a closed port. The baseline is the import
floor: `python -c "import argparse, json, selectors, signal, socket, struct"`, the standard
modules no Python chat that parses its command line, listens and speaks JSON can do without
(`python -c pass` is 2.5 times less, but importing socket alone is twice that). Wall times
(medians of interleaved runs) are shown for a feel of it. The plain face must import
neither asyncio nor prompt_toolkit; the module list of a real listener run (`python3 -X
importtime`) is checked for them.
"""

import json
import socket
import ssl
import statistics
import struct
import subprocess
import tempfile
import time
from pathlib import Path

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
        _greet(peer)


def _greet(peer: socket.socket) -> None:
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
    if not isinstance(peer, ssl.SSLSocket):
        peer.shutdown(socket.SHUT_WR)
    try:
        while peer.recv(65536):
            pass
    except (ssl.SSLError, ConnectionError):  # TLS: the listener closes without close_notify
        pass


def time_help() -> float:
    started = time.perf_counter()
    subprocess.run([*turnchat_command(), "--help"], stdout=subprocess.DEVNULL,
                   env=environment(), check=True)
    return time.perf_counter() - started


def time_floor() -> float:
    started = time.perf_counter()
    subprocess.run([PYTHON, "-c", FLOOR_IMPORTS], env=environment(), check=True)
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
    samples: dict[str, list[float]] = {"floor": [], "help": [], "accept": []}
    for _ in range(repetitions):
        samples["floor"].append(time_floor())
        samples["help"].append(time_help())
        samples["accept"].append(time_until_accepted())
    return {name: statistics.median(values) for name, values in samples.items()}


MEASURED = {  # what instructions() counts, as the table names it
    "accept": "plain listener, accepts one peer",
    "connect": "plain connector, to a closed port",
    "help": "`turnchat --help`",
    "tls": "--tls listener, accepts one peer over TLS",
    "code": "--code connector, to a closed port",
}
WITH_GOAL = ("accept", "connect")
CODE = "558-microscope-hockey"  # a well-formed pairing code (roles/code.py)


def instructions() -> dict[str, int]:
    """Instructions of `python3 -c pass`, of the import floor, and of each of MEASURED."""
    with tempfile.TemporaryDirectory(prefix="turnchat-bench-") as folder:
        home = str(Path(folder) / "config")
        with_home = {**environment(), "XDG_CONFIG_HOME": home, "TURNCHAT_CODE": CODE}
        subprocess.run([*turnchat_command(), "--fingerprint"], stdout=subprocess.DEVNULL,
                       env=with_home, check=True)  # the key is made once, not counted
        closed = f"127.0.0.1:{_closed_port()}"
        return callgrind.count_all({
            "bare": lambda: callgrind.count([PYTHON, "-c", "pass"]),
            "floor": lambda: callgrind.count([PYTHON, "-c", FLOOR_IMPORTS]),
            "help": lambda: callgrind.count([*turnchat_command(), "--help"]),
            "accept": lambda: callgrind.count(listener_command(), peer=greet_and_leave),
            "connect": lambda: callgrind.count(
                [*turnchat_command(), "--connect", closed, "--name", "bench"], statuses=(3,)),
            "tls": lambda: callgrind.count(listener_command("--tls"), peer=_greet_over_tls,
                                           env=with_home),
            "code": lambda: callgrind.count(
                [*turnchat_command(), "--connect", closed, "--code", "--name", "bench"],
                env=with_home, statuses=(3,)),
        })


def _closed_port() -> int:
    """A port that nothing listens on (bound for a moment, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _greet_over_tls(port: int) -> None:
    """greet_and_leave, inside TLS (trusting any key, as a first meeting may)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=START_TIMEOUT) as plain, \
            context.wrap_socket(plain) as peer:
        _greet(peer)


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

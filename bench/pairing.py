"""Pairing, measured: a whole pairing from connect to confirmation, and what loading the
pairing code costs.

The listener is a real `turnchat --listen --pair` process with a config folder of its own;
the connector's side runs in this process, as turnchat runs it (roles/pinning.connect_tls
with a Pairing): TCP connect, the TLS 1.3 handshake, the listener's tickets, then the
three PAIR frames with SPAKE2 on both sides. The import of spake2 is timed apart, in a
fresh interpreter: it is paid once per connector process, only when pairing.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import PYTHON, environment, listener_port, turnchat_command

_CODE = re.compile(rb"Pairing code: (\S+) ")


def pairing_seconds(repetitions: int) -> float:
    """The median seconds from connect to confirmation."""
    from turnchat.roles.address import parse_address
    from turnchat.roles.code import parse_code
    from turnchat.roles.identity import load_or_create
    from turnchat.roles.pinning import Pairing, connect_tls

    with tempfile.TemporaryDirectory(prefix="turnchat-bench-") as folder:
        homes = {side: str(Path(folder) / side) for side in ("listener", "connector")}
        previous = os.environ.get("XDG_CONFIG_HOME")
        os.environ["XDG_CONFIG_HOME"] = homes["connector"]
        load_or_create()  # the connector's key exists, as it does after the first use
        times = []
        try:
            for _ in range(repetitions):
                listener = subprocess.Popen(
                    [*turnchat_command(), "--listen", "127.0.0.1:0", "--name", "bo", "--pair"],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                    env={**environment(), "XDG_CONFIG_HOME": homes["listener"]})
                try:
                    seen = bytearray()
                    port = listener_port(listener, seen)
                    while not (found := _CODE.search(seen)):
                        seen += listener.stderr.readline()  # type: ignore[union-attr]
                    code = parse_code(found.group(1).decode())
                    address = parse_address(f"127.0.0.1:{port}", allow_port_zero=False)
                    started = time.perf_counter()
                    sock, _, _, _ = connect_tls(address, 10.0, None, False, None,
                                                pair=Pairing(code, "ana"))
                    times.append(time.perf_counter() - started)
                    sock.close()
                finally:
                    listener.kill()
                    listener.wait()
        finally:
            if previous is None:
                os.environ.pop("XDG_CONFIG_HOME", None)
            else:
                os.environ["XDG_CONFIG_HOME"] = previous
    return statistics.median(times)


def import_seconds(repetitions: int) -> float:
    """The median seconds a fresh interpreter takes to import spake2 (and what it needs)."""
    script = ("import time; started = time.perf_counter(); import spake2; "
              "print(time.perf_counter() - started)")
    return statistics.median(
        float(subprocess.run([PYTHON, "-c", script], capture_output=True, check=True,
                             env=environment()).stdout)
        for _ in range(repetitions))


if __name__ == "__main__":
    print(pairing_seconds(3), import_seconds(3), file=sys.stderr)

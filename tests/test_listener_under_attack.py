"""The listener under attack: 200 hostile connections while a real peer holds a conversation."""

import random
import socket
import time
from collections.abc import Callable

from tests.processes import WAIT, Turnchat
from tests.test_plain_conversation import connect, listen

Start = Callable[..., Turnchat]
ATTACKERS = 200
MEMORY_GROWTH_LIMIT_KB = 16 * 1024  # candidates and dismissals are capped; 200 must not add more


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1])


def junk(kind: int, rng: random.Random) -> bytes:
    """Garbage, silence, half a frame, or an oversize length, in turn."""
    if kind == 0:  # binary garbage: control bytes a person cannot type
        return bytes([rng.randrange(1, 9)]) + rng.randbytes(rng.randrange(10, 3000))
    if kind == 1:
        return b""
    if kind == 2:
        return b"\x00\x00\x00\x40\x02half a fram"
    return b"\x00\xff\xff\xff\x02" + b"x" * 100


def is_closed(sock: socket.socket, deadline: float) -> bool:
    """Read (and discard) until the listener closes the connection, or the deadline."""
    while (remaining := deadline - time.monotonic()) > 0:
        sock.settimeout(remaining)
        try:
            if not sock.recv(65536):
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
    return False


def test_two_hundred_hostile_connections_do_not_stop_a_conversation(turnchat: Start) -> None:
    rng = random.Random(6)
    listener, port = listen(turnchat, "--timeout", "2")
    before = rss_kb(listener.popen.pid)
    attackers = []
    try:
        for number in range(ATTACKERS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
            sock.sendall(junk(number % 4, rng))
            attackers.append(sock)
        peer = connect(turnchat, port)
        listener.expect("err", "ana connected from")
        for turn in range(5):
            peer.write(f"ana {turn}\n".encode())
            listener.expect("out", f"ana {turn}\n")
            listener.write(f"bo {turn}\n".encode())
            peer.expect("out", f"bo {turn}\n")
        deadline = time.monotonic() + WAIT
        still_open = [sock for sock in attackers if not is_closed(sock, deadline)]
        assert not still_open, f"{len(still_open)} hostile connections were left open"
        growth = rss_kb(listener.popen.pid) - before
        print(f"listener peak RSS grew by {growth} kB under {ATTACKERS} connections")
        assert growth < MEMORY_GROWTH_LIMIT_KB, f"the listener grew by {growth} kB"
        peer.write(b"/q\n")
        assert (peer.finish().status, listener.finish().status) == (0, 0)
        assert listener.text("out") == "".join(f"ana {turn}\n" for turn in range(5))
        assert peer.text("out") == "".join(f"bo {turn}\n" for turn in range(5))
    finally:
        for sock in attackers:
            sock.close()

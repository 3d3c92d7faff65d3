"""The listener under attack: 200 hostile connections while a real peer holds a conversation."""

import random
import signal
import socket
import time
from collections.abc import Callable

from tests.processes import WAIT, RawPeer, Turnchat
from tests.test_plain_conversation import connect, greeted_raw_connector, listen
from tests.wirebytes import ERROR, text
from turnchat.net.closing import LINGER_SECONDS

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


def test_a_rude_peer_lingering_does_not_freeze_the_listener(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    """After ERROR the listener waits up to LINGER_SECONDS for the peer to close. A rude
    peer never does; meanwhile the listener must still screen others, at once."""
    listener, port = listen(turnchat, "--keep")
    rude = greeted_raw_connector(port, raw_peers)
    rude.send(text("one") + text("two, out of turn"))
    assert rude.read_frame() == (ERROR, b"TEXT out of turn")  # and it does not close
    started = time.monotonic()
    probe = RawPeer.connect(port)
    raw_peers.append(probe)
    probe.send(b"\x01\x02junk")
    assert probe.read_line() == b"[turnchat] closing: neither turnchat frames nor typed text\n"
    answered = time.monotonic() - started
    print(f"probe answered {answered * 1000:.1f} ms after a rude peer began to linger")
    assert answered < LINGER_SECONDS / 2, f"the listener froze for {answered:.2f} s"
    listener.expect("err", r"raw broke the protocol \(TEXT out of turn\)")
    rude.close()
    listener.close_stdin()
    assert listener.finish().status == 0


def test_many_strangers_are_named_a_few_at_a_time_then_summed_up(
    turnchat: Start, raw_peers: list[RawPeer]
) -> None:
    """2,000 strangers once gave 2,000 lines; now the first few in a minute are named and
    the rest summed up, at the latest when a peer arrives."""
    listener, port = listen(turnchat, "--timeout", "1")
    for number in range(40):
        stranger = RawPeer.connect(port)
        raw_peers.append(stranger)
        stranger.send(b"\x01\x02junk" if number % 4 else b"GET / HTTP/1.1\r\n\r\n")
        stranger.read_all()
    silent = RawPeer.connect(port)  # says nothing: dropped after --timeout
    raw_peers.append(silent)
    assert silent.read_all().endswith(b"nothing received within 1 s\n")
    peer = connect(turnchat, port, stdin=b"made it\n")
    listener.expect("out", "made it\n")
    listener.close_stdin()
    assert peer.finish().status == 0
    err = listener.finish().err
    lines = err.splitlines()
    named = [line for line in lines if line.startswith("Dropped a connection")]
    assert named == lines[1:4]
    assert lines[4] == ("38 more connections turned away in the last minute (28 junk, "
                        "9 another program, 1 silent).")
    assert lines[5].startswith("ana connected from")


def test_a_stalled_tls_handshake_is_named_as_such(
    turnchat: Start, homes: dict[str, dict[str, str]]
) -> None:
    """Half a ClientHello, then silence: once reported as "nothing received"."""
    listener = turnchat("--listen", "127.0.0.1:0", "--tls", "--timeout", "1",
                        env=homes["bo"])
    port = int(listener.expect("err", r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as stalled:
        stalled.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        assert is_closed(stalled, time.monotonic() + WAIT)
    listener.expect("err", r"Dropped a connection from 127\.0\.0\.1:\d+: the TLS handshake "
                           r"did not finish within 1 s\.")
    assert "nothing received" not in listener.text("err")


def test_a_connector_that_gave_up_while_the_listener_was_stopped_is_not_announced(
    turnchat: Start,
) -> None:
    """Stopped (Ctrl-Z) and continued, the listener finds a greeting and a FIN in its
    backlog: the connector there gave up long ago. It is not announced, nor reported lost."""
    listener, port = listen(turnchat)
    listener.kill(signal.SIGSTOP)
    try:
        ghost = turnchat("--connect", f"127.0.0.1:{port}", "--name", "ghost", "--timeout", "1",
                         stdin=b"anyone?\n")
        assert ghost.finish().status == 3
    finally:
        listener.kill(signal.SIGCONT)
    peer = connect(turnchat, port, stdin=b"a real one\n")
    listener.expect("out", "a real one\n")
    listener.close_stdin()
    assert peer.finish().status == 0
    done = listener.finish()
    assert done.status == 0
    assert "ghost" not in done.err and "lost" not in done.err

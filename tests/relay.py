"""A TCP relay for the tests that can break the connections it carries, at an exact byte.

Put between a connector and a listener on 127.0.0.1, it forwards both ways, counting the
bytes of each connection in each direction, and carries out a `Cut` planned for the
connection with that number (0 for the first accepted): once `after` bytes have gone in
that direction, it closes both sides (FIN), resets them (RST), or goes silent (a black
hole: it reads and forwards nothing more, as a dead NAT does) until told to heal or to
reset. Resuming a dropped conversation (issue 16) is tested through it; its own tests are
tests/test_relay.py.

    with Relay(("127.0.0.1", port), {0: Cut("up", 100, "reset")}) as relay:
        connect to relay.port ...
"""

import contextlib
import selectors
import socket
import struct
import threading
from dataclasses import dataclass, field

UP, DOWN = "up", "down"  # up: from the side that connected to the relay; down: back to it


@dataclass
class Cut:
    direction: str  # UP or DOWN
    after: int  # bytes forwarded in that direction before the cut
    how: str  # "close" (FIN both ways), "reset" (RST both ways) or "silent" (black hole)


@dataclass
class _Pair:
    number: int
    near: socket.socket  # accepted from the connector
    far: socket.socket  # opened to the listener
    cut: Cut | None
    sent: dict[str, int] = field(default_factory=lambda: {UP: 0, DOWN: 0})
    carried: dict[str, bytearray] = field(  # what it forwarded, for tests that read the wire
        default_factory=lambda: {UP: bytearray(), DOWN: bytearray()})
    silent: bool = False
    closed: bool = False


class Relay:
    """Forwards 127.0.0.1:`port` to `target`, breaking connections as `cuts` say."""

    def __init__(self, target: tuple[str, int], cuts: dict[int, Cut] | None = None) -> None:
        self.target = target
        self.cuts = dict(cuts or {})
        self.pairs: list[_Pair] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.setblocking(False)
        self.port = self._server.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._server, selectors.EVENT_READ, None)
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._lock = threading.Lock()
        self._stopping = False
        self.refusing = False
        self._orders: list[tuple[str, int]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    # -- what a test does ------------------------------------------------------------------

    def close_listening(self) -> None:
        """The network is down: each new connection is reset as soon as it arrives."""
        self.refusing = True

    def open_listening(self) -> None:
        self.refusing = False

    def heal(self, number: int) -> None:
        """A silent connection carries bytes again (what it held back is lost)."""
        self._order("heal", number)

    def close_pair(self, number: int) -> None:
        """Close connection `number` now, both ways (FIN)."""
        self._order("close", number)

    def reset(self, number: int) -> None:
        """Reset connection `number` now, both ways."""
        self._order("reset", number)

    def close(self) -> None:
        self._stopping = True
        self._wake_w.send(b"x")
        self._thread.join(10)
        for pair in self.pairs:
            self._shut(pair, "close")
        self._selector.close()
        for sock in (self._server, self._wake_r, self._wake_w):
            sock.close()

    def __enter__(self) -> "Relay":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the relay's own thread ------------------------------------------------------------

    def _order(self, what: str, number: int) -> None:
        with self._lock:
            self._orders.append((what, number))
        self._wake_w.send(b"x")

    def _run(self) -> None:
        while not self._stopping:
            for key, _ in self._selector.select(0.5):
                if key.data is None:
                    self._accept()
                elif key.data == "wake":
                    self._wake_r.recv(4096)
                    self._carry_out_orders()
                else:
                    pair, direction = key.data
                    self._forward(pair, direction)

    def _accept(self) -> None:
        try:
            near, _ = self._server.accept()
        except BlockingIOError:
            return
        try:
            if self.refusing:
                raise ConnectionRefusedError
            far = socket.create_connection(self.target)
        except OSError:  # nothing listens there now: refuse the connector as that would
            near.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            near.close()
            return
        pair = _Pair(len(self.pairs), near, far, self.cuts.get(len(self.pairs)))
        self.pairs.append(pair)
        for sock, direction in ((near, UP), (far, DOWN)):
            sock.setblocking(False)
            self._selector.register(sock, selectors.EVENT_READ, (pair, direction))

    def _forward(self, pair: _Pair, direction: str) -> None:
        source, sink = (pair.near, pair.far) if direction == UP else (pair.far, pair.near)
        try:
            data = source.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if pair.silent:
            return  # a black hole: read and dropped
        if not data:
            self._shut(pair, "close")
            return
        cut = pair.cut
        if cut is not None and cut.direction == direction:
            room = cut.after - pair.sent[direction]
            if room <= len(data):
                pair.carried[direction] += data[:max(room, 0)]  # counted first: a test may
                pair.sent[direction] += max(room, 0)  # read the count once the bytes arrive
                self._send(sink, data[:max(room, 0)])
                pair.cut = None
                if cut.how == "silent":
                    pair.silent = True
                else:
                    self._shut(pair, cut.how)
                return
        pair.carried[direction] += data
        pair.sent[direction] += len(data)
        self._send(sink, data)

    @staticmethod
    def _send(sink: socket.socket, data: bytes) -> None:
        sink.setblocking(True)  # loopback: it goes at once, and in order
        with contextlib.suppress(OSError):
            sink.sendall(data)
        sink.setblocking(False)

    def _carry_out_orders(self) -> None:
        with self._lock:
            orders, self._orders = self._orders, []
        for what, number in orders:
            pair = self.pairs[number]
            if what == "heal":
                pair.silent = False
            else:
                self._shut(pair, what)

    def _shut(self, pair: _Pair, how: str) -> None:
        if pair.closed:
            return
        pair.closed = True
        for sock in (pair.near, pair.far):
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(sock)
            if how == "reset":  # SO_LINGER 0: close sends RST, not FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

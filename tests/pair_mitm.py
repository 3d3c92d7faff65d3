"""A man in the middle for the pairing tests: he terminates TLS on both sides (his own
certificate toward the connector, a TLS client toward the listener) and sits between the
frames, reading everything in the clear.

How he behaves (`how`):
- "relay": every frame passes unchanged, so the SPAKE2 messages are the honest ones;
- "swap": as relay, but the connector's certificate in its offer becomes his own (so that
  the listener would pin him as the connector);
- "guess": he runs SPAKE2 himself with each side, with a code of his own guessing.

`plaintext` is every frame payload he read, each way; what a test asserts on.
"""

import contextlib
import json
import select
import socket
import ssl
import threading
from pathlib import Path

from turnchat.net.tls import client_context
from turnchat.roles.identity import load_or_create
from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.frames import FrameDecoder, FrameType, encode_frame
from turnchat.wire.pairing import ConnectorPairing, ListenerPairing, decode_offer


class ManInTheMiddle:
    """With `listener_port`, he stands between a connector and that listener; with None,
    he is the relay itself (roles/relay.py's protocol): he takes the code's creator and
    then its joiner, says `ok` to both, and plays TLS server to the joiner and client to
    the creator."""

    def __init__(self, listener_port: int | None, how: str, folder: Path,
                 guess: str = "7-crossover-clockwork") -> None:
        self.how, self.guess = how, guess
        self.requests: list[bytes] = []  # the relay's: the `please relay` lines
        self.identity = load_or_create(folder)
        self.plaintext: list[bytes] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self._listener_port = listener_port
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def __enter__(self) -> "ManInTheMiddle":
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self.server.close()

    def said(self) -> bytes:
        return b"\n".join(self.plaintext)

    def _serve(self) -> None:
        self.server.settimeout(30)
        try:
            if self._listener_port is None:  # the relay: the creator first, then the joiner
                creator, joiner = self._relayed(), self._relayed()
                for each in (creator, joiner):
                    each.sendall(b"ok\n")
            else:
                joiner, _ = self.server.accept()
                creator = socket.create_connection(("127.0.0.1", self._listener_port))
        except OSError:
            return
        server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_side.load_cert_chain(self.identity.cert_path, self.identity.key_path)
        with contextlib.ExitStack() as stack:
            try:
                near = stack.enter_context(server_side.wrap_socket(joiner, server_side=True))
                far = stack.enter_context(client_context().wrap_socket(creator))
            except (OSError, ssl.SSLError):
                joiner.close()
                creator.close()
                return
            self._listener_certificate = far.getpeercert(binary_form=True) or b""
            self._pump(near, far)

    def _relayed(self) -> socket.socket:
        """Accept one side, and read its `please relay` line (byte by byte, as a relay)."""
        sock, _ = self.server.accept()
        line = b""
        while not line.endswith(b"\n"):
            byte = sock.recv(1)
            if not byte:
                raise OSError("closed before its request")
            line += byte
        self.requests.append(line)
        return sock

    def _pump(self, near: ssl.SSLSocket, far: ssl.SSLSocket) -> None:
        """Frames each way until both sides have closed (one side's close does not stop
        what the other still says: his confirmation may follow the connector's exit)."""
        decoders = {near: FrameDecoder(), far: FrameDecoder()}
        open_ = [near, far]
        for sock in open_:  # a read that finds only session tickets must not block
            sock.setblocking(False)
        while open_ and not self._stop.is_set():
            ready = [sock for sock in open_ if sock.pending()]
            if not ready:
                ready, _, _ = select.select(open_, [], [], 0.2)
            for sock in ready:
                try:
                    data = sock.recv(65536)
                except ssl.SSLWantReadError:
                    continue
                except (OSError, ssl.SSLError):
                    data = b""
                if not data:
                    open_.remove(sock)
                    continue
                decoders[sock].receive_data(data)
                with contextlib.suppress(RemoteProtocolError):
                    while (frame := decoders[sock].next_frame()) is not None:
                        self.plaintext.append(frame.payload)
                        for target, out in self._forward(sock is near, frame.type,
                                                         frame.payload):
                            _send(near if target == "near" else far, out)

    def _forward(self, from_connector: bool, frame_type: FrameType,
                 payload: bytes) -> list[tuple[str, bytes]]:
        """What goes where for one frame: ("far", bytes) to the listener, ("near", ...) to
        the connector."""
        target = "far" if from_connector else "near"
        if frame_type is not FrameType.PAIR or self.how == "relay":
            return [(target, encode_frame(frame_type, payload))]
        body = json.loads(payload)
        if self.how == "swap":
            if body.get("step") == "offer":
                body["certificate"] = _b64(self.identity.certificate_der)
            return [(target, encode_frame(frame_type, json.dumps(body).encode()))]
        # "guess": a listener of his own toward the connector, a connector toward the listener
        if body.get("step") == "offer":
            offer = decode_offer(payload)
            code = f"{offer.nameplate}-{self.guess.split('-', 1)[1]}"
            self._as_listener = ListenerPairing(code, "bo", self.identity.certificate_der,
                                                offer)
            self._as_connector = ConnectorPairing(code, offer.nameplate, offer.name,
                                                  self.identity.certificate_der,
                                                  self._listener_certificate)
            return [("near", self._as_listener.answer), ("far", self._as_connector.offer)]
        if body.get("step") == "answer":
            with contextlib.suppress(Exception):
                self._as_connector.take_answer(payload)
            return [("far", self._as_connector.confirm)] if self._as_connector.confirm else []
        return []  # the connector's confirmation, to his own listener: kept


def _send(sock: ssl.SSLSocket, data: bytes) -> None:
    """Send it all, or nothing if that side has gone."""
    sock.setblocking(True)
    try:
        sock.sendall(data)
    except OSError:
        pass
    finally:
        sock.setblocking(False)


def _b64(der: bytes) -> str:
    import base64

    return base64.b64encode(der).decode()

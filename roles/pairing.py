"""Pairing with a short code: the connector's exchange and the listener's desk.

The cryptography is wire/pairing.py's; this module owns the steps around it. The connector
(`pair_as_connector`) runs the three PAIR frames on its fresh TLS connection before any
face starts, as it decides trust in a key (roles/pinning.py); afterwards known_peers marks
the listener as paired. The listener's `PairingDesk` holds the current code, answers an
offer for it (the code is spent from that answer on, whatever follows), checks the
confirmation, remembers the connector in known_connectors, prints a fresh code after a
failure, and gives up after three. spake2 is imported only here, only when pairing.
"""

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from turnchat.net.tls import TLS
from turnchat.roles import CannotStart
from turnchat.roles.code import Code, new_code
from turnchat.roles.known_connectors import KnownConnector, KnownConnectors
from turnchat.session.names import display_name
from turnchat.session.sanitize import sanitize_line
from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.frames import FrameDecoder, FrameType
from turnchat.wire.pairing import (
    NOT_PAIRING,
    PAIRING_FAILED,
    UNKNOWN_NAMEPLATE,
    ConnectorPairing,
    ListenerPairing,
    Outcome,
    decode_offer,
)

MAX_FAILURES = 3  # then the listener stops: someone may be guessing codes
FAILED = "pairing failed: wrong code, or someone in the middle; nothing was sent"
_READ_CHUNK = 65536


def pair_as_connector(sock: socket.socket, layer: TLS, code: Code, name: str,
                      certificate: bytes, timeout: float, where: str) -> str:
    """Run the exchange on `sock`, whose TLS handshake is done; return the listener's
    name. Raises CannotStart with a sentence: this side trusts only its own check of the
    listener's MACs, never what an ERROR says."""
    pairing = ConnectorPairing(str(code), code.nameplate, name, certificate,
                               layer.peer_certificate())
    decoder = FrameDecoder()
    try:
        sock.settimeout(timeout)
        sock.sendall(layer.encrypt(pairing.offer))
        frame = None
        while frame is None:
            data = sock.recv(_READ_CHUNK)
            layer.feed(data)
            for chunk in layer.receive():
                if not chunk:
                    raise CannotStart(f"{FAILED} ({where} closed the connection).")
                decoder.receive_data(chunk)
            frame = decoder.next_frame()
        if frame.type is FrameType.ERROR:  # its words, reported as such: no proof of anything
            said = sanitize_line(frame.payload.decode(errors="replace"))[:80]
            raise CannotStart(f"pairing failed: {where} refused it, saying {said!r}; nothing "
                              "was sent.")
        if frame.type is not FrameType.PAIR:
            raise RemoteProtocolError(f"{frame.type.name} where the PAIR answer belongs")
        try:
            listener_name = pairing.take_answer(frame.payload)
        finally:
            if pairing.confirm:  # even after a failed check: the listener learns which
                sock.sendall(layer.encrypt(pairing.confirm))
    except RemoteProtocolError:
        raise CannotStart(f"{FAILED}.") from None
    except TimeoutError:
        raise CannotStart(f"{FAILED} (no answer from {where} within {timeout:g} s).") from None
    except (OSError, ssl.SSLError) as error:
        raise CannotStart(f"{FAILED} ({getattr(error, 'strerror', None) or error}).") from None
    return listener_name


@dataclass(frozen=True)
class Refusal:
    """Why the desk turns a connection away: `reason` for its ERROR, `shown` for our user."""

    reason: str
    shown: str


class PairingDesk:
    """The listener's pairing: one code at a time, each good for one attempt."""

    def __init__(self, name: str, certificate: bytes, known: KnownConnectors,
                 admit: Callable[[bytes], None], code: Code | None = None,
                 relay: str = "") -> None:
        self._name, self._certificate, self._known = name, certificate, known
        self._admit = admit  # a certificate the listener's TLS must accept from now on
        self._on_notice: Callable[[str], None] = lambda sentence: None
        self._on_give_up: Callable[[str], None] = lambda sentence: None
        self.code: Code | None = code or new_code()
        self.failures = 0
        # Met through a relay (roles/relay.py): one code, one attempt; its token is spent.
        self._relay = relay
        self._attempts = 1 if relay else MAX_FAILURES

    def attach(self, on_notice: Callable[[str], None],
               on_give_up: Callable[[str], None]) -> None:
        """Where to tell our user (a code, a failure), and how to stop after the last."""
        self._on_notice, self._on_give_up = on_notice, on_give_up

    def announce(self) -> None:
        assert self.code is not None
        self._on_notice(f"Pairing code: {self.code} (tell it to the other person; it works "
                        "once).")

    def take_offer(self, payload: bytes) -> ListenerPairing | Refusal:
        """An offer: the nameplate is checked before any SPAKE2 work; then the answer is
        made and the code is spent."""
        offer = decode_offer(payload)
        if self.code is None:
            return Refusal(NOT_PAIRING, "it offered a pairing code, but this listener has "
                                        "paired already")
        if offer.nameplate != self.code.nameplate:
            return Refusal(UNKNOWN_NAMEPLATE, f"it offered the pairing code numbered "
                                              f"{offer.nameplate[:16]!r}, not the current one")
        code, self.code = self.code, None  # spent, whatever happens next
        try:
            return ListenerPairing(str(code), self._name, self._certificate, offer)
        except RemoteProtocolError:  # a hostile PAKE message spends the code too
            self.failed("a malformed PAKE message")
            raise

    def take_confirm(self, pairing: ListenerPairing, payload: bytes) -> KnownConnector | None:
        """The connector's confirmation: the connector remembered, or None (a failure,
        told to our user, with a fresh code or the end)."""
        try:
            outcome = pairing.take_confirm(payload)
        except RemoteProtocolError:
            outcome = Outcome.WRONG_CODE
        if outcome is Outcome.PAIRED:
            name = display_name(pairing.offer.name)
            try:
                known = self._known.add(name, pairing.offer.certificate)
                remembered = f"remembered in {self._known.path}"
            except CannotStart as error:  # paired all the same, for this conversation
                known = KnownConnector(name, "", pairing.offer.certificate, "today")
                remembered = f"not remembered: {str(error).removesuffix('.')}"
            self._admit(pairing.offer.certificate)
            if self._relay:
                self._on_notice(f"{name} joined; code verified. End-to-end encrypted; the "
                                "relay sees only sizes.")
            else:
                self._on_notice(f"Paired with {name}: code verified; {remembered}.")
            return known
        if outcome is Outcome.IN_THE_MIDDLE:
            self._on_notice("WARNING: the pairing code was right, but the certificates "
                            "differ: someone is in the middle of this connection, reading "
                            "it. Nothing was sent; do not pair over this network path.")
        self.failed("wrong code" if outcome is Outcome.WRONG_CODE else "someone in the middle")
        return None

    def abandoned(self) -> None:
        """The connection of an attempt under way ended before its confirmation."""
        self.failed("the other side left before confirming")

    def failed(self, why: str) -> None:
        self.failures += 1
        if self._relay:
            self._on_give_up(f"pairing failed ({why}); nothing was sent, and the code is "
                             "spent: make a new one to try again.")
            return
        if self.failures >= self._attempts:
            self._on_give_up(f"pairing failed {self.failures} times ({why} the last time); "
                             "someone may be guessing codes, so this listener stops.")
            return
        self.code = new_code()
        self._on_notice(f"Pairing failed ({why}; {self.failures} of {MAX_FAILURES}). New "
                        f"pairing code: {self.code} (it works once).")


def refusal_of(error: RemoteProtocolError) -> Refusal:
    return Refusal(PAIRING_FAILED, f"its pairing offer broke the protocol ({error.reason})")

"""The pairing extension, as pure code: a short code read aloud becomes trust in both keys.

Two people share a code such as `7-crossover-clockwork` out loud. Inside a TLS 1.3
connection that neither side has reason to trust yet, three PAIR frames (type 0x08, JSON)
run SPAKE2 (a password-authenticated key exchange: a wrong code gives unrelated keys and
no way to test another guess offline) and confirm the result:

    connector -> listener  offer    {nameplate, name, pake, certificate}
    listener -> connector  answer   {name, pake, code_mac, bound_mac}
    connector -> listener  confirm  {code_mac, bound_mac}

Python's ssl has no exporter of TLS keying material (RFC 5705), so the confirmation binds
the exchange to this connection another way: `bound_mac` covers a transcript hash of the
offer, the answer's PAKE message and name, and the SHA-256 of both certificates as this
side sees them (the listener's from the TLS handshake on the connector, the connector's
from its offer on the listener). A man in the middle who terminates TLS on both sides
presents his own certificate to at least one side, so the transcripts differ. Two MACs
from two HKDF keys: `code_mac` depends on the code alone, `bound_mac` on the transcript
too, so the listener can tell "wrong code" from "right code, but someone in the middle".

Each side trusts only its own check of the other's MACs. The exchange raises
RemoteProtocolError for anything malformed or hostile, whatever spake2 itself raises.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any

from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.frames import FrameType, encode_frame
from turnchat.wire.json_object import load_object
from turnchat.wire.limits import MAX_NAME_CHARS

VERSION = b"turnchat pair 1"
_CONNECTOR_ID, _LISTENER_ID = b"turnchat connector", b"turnchat listener"
_MAX_CERTIFICATE = 8192  # bytes of DER: ours are under 500
_MAX_PAKE = 64  # bytes: a SPAKE2 (Ed25519) message is 33
MAC_HEX_DIGITS = 64

# ERROR reasons a listener answers a PAIR with (docs/PROTOCOL.md).
NOT_PAIRING = "not pairing"
UNKNOWN_NAMEPLATE = "unknown code"
PAIRING_FAILED = "pairing failed"


class Outcome(Enum):
    """What the listener learns from the connector's confirmation."""

    PAIRED = auto()
    WRONG_CODE = auto()  # the code MAC is wrong: a typo, an old code, or a guess
    IN_THE_MIDDLE = auto()  # right code, but the certificates differ: TLS was intercepted


@dataclass(frozen=True)
class Offer:
    nameplate: str
    name: str
    pake: bytes
    certificate: bytes  # the connector's certificate, DER
    payload: bytes  # as it came: the transcript covers these very bytes


def _frame(body: dict[str, str]) -> bytes:
    return encode_frame(FrameType.PAIR, json.dumps(body, separators=(",", ":")).encode())


def _field(body: dict[str, object], key: str, limit: int) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise RemoteProtocolError(f"PAIR without a valid {key!r}")
    return value


def _hex(body: dict[str, object], key: str, limit: int) -> bytes:
    try:
        return bytes.fromhex(_field(body, key, 2 * limit))
    except ValueError:
        raise RemoteProtocolError(f"PAIR {key!r} is not hex digits") from None


def _step(payload: bytes, step: str) -> dict[str, object]:
    try:
        body = load_object(payload.decode(), "PAIR")
    except UnicodeDecodeError:
        raise RemoteProtocolError("PAIR is not UTF-8") from None
    if body.get("step") != step:
        raise RemoteProtocolError(f"PAIR {body.get('step')!r} where the {step} belongs")
    return body


def decode_offer(payload: bytes) -> Offer:
    body = _step(payload, "offer")
    try:
        certificate = base64.b64decode(_field(body, "certificate", 2 * _MAX_CERTIFICATE),
                                       validate=True)
    except ValueError:
        raise RemoteProtocolError("PAIR certificate is not base64") from None
    return Offer(_field(body, "nameplate", 16), _field(body, "name", 4 * MAX_NAME_CHARS),
                 _hex(body, "pake", _MAX_PAKE), certificate, payload)


def _keys(shared: bytes) -> tuple[bytes, bytes]:
    """Two keys from the SPAKE2 result: one for the code's MAC, one for the bound MAC."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def derive(label: bytes) -> bytes:
        return HKDF(hashes.SHA256(), 32, salt=None, info=VERSION + b" " + label).derive(shared)

    return derive(b"code"), derive(b"bound")


def transcript(offer_payload: bytes, answer_pake: bytes, answer_name: str,
               listener_certificate: bytes, connector_certificate: bytes) -> bytes:
    """The hash both sides must agree on: what was said, and the certificates each saw."""
    digest = hashlib.sha256(VERSION)
    for part in (offer_payload, answer_pake, answer_name.encode(),
                 hashlib.sha256(listener_certificate).digest(),
                 hashlib.sha256(connector_certificate).digest()):
        digest.update(len(part).to_bytes(4, "big") + part)
    return digest.digest()


def _macs(shared: bytes, side: bytes, bound_to: bytes) -> tuple[str, str]:
    code_key, bound_key = _keys(shared)
    return (hmac.new(code_key, side, hashlib.sha256).hexdigest(),
            hmac.new(bound_key, side + bound_to, hashlib.sha256).hexdigest())


def _spake2(code: str, connector: bool) -> Any:
    from spake2 import SPAKE2_A, SPAKE2_B

    kind = SPAKE2_A if connector else SPAKE2_B
    return kind(code.encode(), idA=_CONNECTOR_ID, idB=_LISTENER_ID)


def _finish(pake: Any, message: bytes) -> bytes:
    """The shared key; spake2 raises several kinds of error on a hostile message, and
    every one of them is the peer's fault."""
    try:
        return bytes(pake.finish(message))
    except Exception as error:  # NotOnCurve, OffSides, ValueError, and others
        raise RemoteProtocolError(f"bad PAKE message ({type(error).__name__})") from None


class ConnectorPairing:
    """The connector's side: it knows the code, and the certificate TLS showed it."""

    def __init__(self, code: str, nameplate: str, name: str, certificate: bytes,
                 listener_certificate: bytes) -> None:
        self._pake = _spake2(code, connector=True)
        self._certificate, self._listener_certificate = certificate, listener_certificate
        body = {"step": "offer", "nameplate": nameplate, "name": name,
                "pake": self._pake.start().hex(),
                "certificate": base64.b64encode(certificate).decode()}
        self.offer = _frame(body)
        self._offer_payload = self.offer[5:]
        self.confirm = b""  # made by take_answer

    def take_answer(self, payload: bytes) -> str:
        """Check the listener's answer; return its name. Raises RemoteProtocolError if it
        is malformed or its MACs are wrong (a wrong code, or someone in the middle: from
        here the two cannot be told apart, and it makes no difference to us).

        Our confirmation is made before the check, and goes even when it fails: it tells
        the listener which of the two it was, and reveals nothing (each MAC is keyed by
        the PAKE's result, which no one without the code can compute)."""
        body = _step(payload, "answer")
        name = _field(body, "name", 4 * MAX_NAME_CHARS)
        pake = _hex(body, "pake", _MAX_PAKE)
        shared = _finish(self._pake, pake)
        bound_to = transcript(self._offer_payload, pake, name, self._listener_certificate,
                              self._certificate)
        code_mac, bound_mac = _macs(shared, _CONNECTOR_ID, bound_to)
        self.confirm = _frame({"step": "confirm", "code_mac": code_mac,
                               "bound_mac": bound_mac})
        code_mac, bound_mac = _macs(shared, _LISTENER_ID, bound_to)
        if not (hmac.compare_digest(code_mac, _field(body, "code_mac", MAC_HEX_DIGITS))
                and hmac.compare_digest(bound_mac, _field(body, "bound_mac", MAC_HEX_DIGITS))):
            raise RemoteProtocolError(PAIRING_FAILED)
        return name


class ListenerPairing:
    """The listener's side of one attempt: it holds the code and its own certificate."""

    def __init__(self, code: str, name: str, certificate: bytes, offer: Offer) -> None:
        pake = _spake2(code, connector=False)
        mine = pake.start()
        shared = _finish(pake, offer.pake)
        self.offer = offer
        self._bound_to = transcript(offer.payload, mine, name, certificate, offer.certificate)
        code_mac, bound_mac = _macs(shared, _LISTENER_ID, self._bound_to)
        self._expected = _macs(shared, _CONNECTOR_ID, self._bound_to)
        self.answer = _frame({"step": "answer", "name": name, "pake": mine.hex(),
                              "code_mac": code_mac, "bound_mac": bound_mac})

    def take_confirm(self, payload: bytes) -> Outcome:
        body = _step(payload, "confirm")
        code_mac = _field(body, "code_mac", MAC_HEX_DIGITS)
        bound_mac = _field(body, "bound_mac", MAC_HEX_DIGITS)
        if not hmac.compare_digest(code_mac, self._expected[0]):
            return Outcome.WRONG_CODE
        if not hmac.compare_digest(bound_mac, self._expected[1]):
            return Outcome.IN_THE_MIDDLE
        return Outcome.PAIRED

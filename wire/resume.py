"""The resume extension, as pure code: numbering, acknowledging, and the RESUME handshake.

A connection can drop in the middle of a conversation; the conversation itself
(wire/conversation.py) must never notice. So the data frames (TEXT, GAME, QUIT) are
numbered implicitly, 1, 2, 3... in each direction, and each side keeps what it sent in a
`Ledger` until the peer acknowledges it (HELLO, ERROR, ACK and RESUME are not counted, so
version 1's bytes do not change). Strict turns acknowledge by themselves: the peer can
end its turn only after it received the frame that gave it the turn, so when the turn
comes back everything up to that frame is known to be there (noted when we next send). An ACK
frame (the count of data frames received) is needed only where turns say nothing: with
the heartbeat, around QUIT, and to confirm a session; so the list is about one turn long
and no frame is added to a message. When a new connection takes the conversation up,
each side tells the other its count in a RESUME frame and resends, in order, exactly the
frames numbered above the other's count: every frame arrives once.

The RESUME exchange proves that the new connection belongs to the conversation without the
secret ever crossing: the connector sends {session, count, nonce, MAC}, the listener answers
{count, nonce, MAC over both nonces}; HMAC-SHA256 keyed with the secret the listener sent in
its HELLO. A listener remembers the nonces it has accepted, so a recorded RESUME cannot be
replayed, and the connector's fresh nonce in the answer's MAC means an old answer proves
nothing either.

Payloads: ACK is the count as uint64, big endian; RESUME is a JSON object (docs/PROTOCOL.md).
"""

import hashlib
import hmac
import json
import secrets
import struct

from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.frames import FrameType, encode_frame
from turnchat.wire.json_object import load_object
from turnchat.wire.limits import HEADER_SIZE, MAX_UNACKNOWLEDGED, TOKEN_HEX_DIGITS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol
else:  # the interfaces below are for the type checker; typing would cost start-up time
    Protocol = object

_COUNT = struct.Struct(">Q")
_DATA_TYPES = frozenset((FrameType.TEXT.value, FrameType.GAME.value, FrameType.QUIT.value))
_TEXT_TYPE = FrameType.TEXT.value
_ACK, _RESUME = FrameType.ACK, FrameType.RESUME
_MAC_LABEL = b"turnchat resume 1"
MAX_NONCES = 4096  # accepted RESUMEs remembered per session: far more than a window allows

# ERROR reasons a listener answers a RESUME with (docs/PROTOCOL.md).
UNKNOWN_SESSION = "unknown session"
SESSION_EXPIRED = "session expired"
RESUME_REFUSED = "resume refused"
BAD_RESUME_COUNT = "bad resume count"


def encode_ack(count: int) -> bytes:
    return encode_frame(_ACK, _COUNT.pack(count))


def decode_ack(payload: bytes) -> int:
    if len(payload) != _COUNT.size:
        raise RemoteProtocolError(f"ACK of {len(payload)} bytes (it is a uint64)")
    return int(_COUNT.unpack(payload)[0])


class Ticket:
    """What makes a conversation resumable: its id and the secret only the two sides know.
    (A plain class, not a dataclass: importing dataclasses costs every start.)"""

    __slots__ = ("secret", "session")

    def __init__(self, session: str, secret: str) -> None:
        self.session = session
        self.secret = secret

    @classmethod
    def new(cls) -> "Ticket":
        digits = TOKEN_HEX_DIGITS // 2
        return cls(secrets.token_hex(digits), secrets.token_hex(digits))


class CountsReceived(Protocol):
    """What counts the data frames that arrived: the Conversation (wire/conversation.py)."""

    @property
    def received(self) -> int: ...


class Ledger:
    """One side's count of data frames each way, and what it sent that is not yet
    acknowledged. It outlives every connection, as the conversation does; the frames
    received are counted by the conversation (`counts`), which classifies each anyway."""

    def __init__(self, counts: "CountsReceived") -> None:
        self._counts = counts
        self.sent = 0  # data frames we have sent (numbered 1..sent)
        self.passed = 0  # our count when we last gave the peer the turn
        # Our frames the peer may not have: the last ones, at most MAX_UNACKNOWLEDGED. A
        # list: the usual message replaces it whole (see `passing`).
        self._held: list[bytes] = []

    @property
    def received(self) -> int:
        """Data frames the conversation has received."""
        return self._counts.received

    @property
    def acknowledged(self) -> int:
        """The peer has our frames 1..acknowledged (it said so, or turns did)."""
        return self.sent - len(self._held)

    def outgoing(self, frame_bytes: bytes, my_turn: bool, passes_turn: bool) -> None:
        """Number one frame we send and keep it if it is data. `my_turn`: we send it on our
        turn, so the turn came back and the peer has what we sent up to passing it last;
        `passes_turn`: it gives the peer the turn. Acknowledging here, rather than as each
        frame arrives, keeps the resume extension off the receiving path.

        Raises RemoteProtocolError when the peer has left too many frames unacknowledged
        (only frames sent out of turn, or moves that keep it, can pile up)."""
        if frame_bytes[HEADER_SIZE] not in _DATA_TYPES:
            return
        if passes_turn:
            self.passing(frame_bytes)
            return
        if my_turn:
            self.turn_came_back()
        self._hold(frame_bytes)

    def passing(self, frame_bytes: bytes) -> None:
        """Number and keep a data frame sent on our turn that gives the peer the turn (a
        TEXT, a move that ends it). It runs once a message: the usual case is kept short."""
        if self.passed == self.sent:  # all we hold passed the turn, and it came back
            self._held = [frame_bytes]
            self.sent = self.passed = self.sent + 1
            return
        self.turn_came_back()
        self._hold(frame_bytes)
        self.passed = self.sent

    def _hold(self, frame_bytes: bytes) -> None:
        held = self._held
        if len(held) >= MAX_UNACKNOWLEDGED:
            raise RemoteProtocolError(
                f"no ACK for {len(held) + 1} frames (the limit is {MAX_UNACKNOWLEDGED})")
        held.append(frame_bytes)
        self.sent += 1

    def turn_came_back(self) -> None:
        """The peer ended its turn: it had the frame that gave it the turn, and all before.
        (Sending on our turn says so; stopping on our turn without sending, too.)"""
        if self.passed > self.acknowledged:
            self.acknowledge(self.passed)

    def ack(self) -> bytes:
        """An ACK frame with our count; the peer may forget what it covers."""
        return encode_ack(self.received)

    def acknowledge(self, count: int) -> None:
        """The peer has our frames 1..count: forget them. Raises RemoteProtocolError (with
        BAD_RESUME_COUNT) for a count below an earlier one or above what we sent."""
        acknowledged = self.acknowledged
        if not acknowledged <= count <= self.sent:
            raise RemoteProtocolError(
                f"{BAD_RESUME_COUNT}: {count}, where {acknowledged}..{self.sent} was possible")
        del self._held[:count - acknowledged]

    def resend_after(self, count: int) -> bytes:
        """The peer has our frames 1..count (it said so in RESUME): forget those and return
        the rest, in order, to send again. Raises RemoteProtocolError if `count` is impossible."""
        self.acknowledge(count)
        return b"".join(self._held)

    @property
    def unacknowledged(self) -> int:
        return len(self._held)

    @property
    def held_bytes(self) -> int:
        """The memory the unacknowledged frames take (their encoded size)."""
        return sum(map(len, self._held))

    def unacknowledged_texts(self) -> list[str]:
        """The messages the peer may never have had: what to tell our user on giving up."""
        return [frame[HEADER_SIZE + 1:].decode(errors="replace")
                for frame in self._held if frame[HEADER_SIZE] == _TEXT_TYPE]

    def all_acknowledged(self) -> bool:
        return not self._held


# -- the RESUME handshake ------------------------------------------------------------------


class ResumeRequest:
    """The connector's RESUME, decoded but not yet checked."""

    __slots__ = ("count", "mac", "nonce", "session")

    def __init__(self, session: str, count: int, nonce: str, mac: str) -> None:
        self.session = session
        self.count = count
        self.nonce = nonce
        self.mac = mac


def _mac(secret: str, *parts: object) -> str:
    message = b"|".join([_MAC_LABEL, *(str(part).encode() for part in parts)])
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(TOKEN_HEX_DIGITS // 2)


def encode_request(ticket: Ticket, count: int, nonce: str) -> bytes:
    """The connector's RESUME frame: our count, a fresh nonce, and the MAC over both."""
    mac = _mac(ticket.secret, "connector", ticket.session, count, nonce)
    body = {"session": ticket.session, "count": count, "nonce": nonce, "mac": mac}
    return encode_frame(_RESUME, json.dumps(body, separators=(",", ":")).encode())


def decode_request(payload: bytes) -> ResumeRequest:
    """Read a RESUME that a new connection opened with; raise RemoteProtocolError if bad."""
    body = _load(payload)
    return ResumeRequest(_token(body, "session"), _count(body), _token(body, "nonce"),
                         _hex(body, "mac", 64))


class ResumeGuard:
    """The listener's check of RESUMEs for one conversation: the MAC, and no replay."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self._seen: set[str] = set()

    def check(self, request: ResumeRequest) -> None:
        """Raise RemoteProtocolError(RESUME_REFUSED) unless `request` is this session's
        and fresh (its nonce never accepted before)."""
        expected = _mac(self.ticket.secret, "connector", request.session, request.count,
                        request.nonce)
        if (request.session != self.ticket.session
                or not hmac.compare_digest(expected, request.mac)
                or request.nonce in self._seen or len(self._seen) >= MAX_NONCES):
            raise RemoteProtocolError(RESUME_REFUSED)
        self._seen.add(request.nonce)

    def answer(self, request: ResumeRequest, count: int) -> bytes:
        """The listener's RESUME: its count and nonce, the MAC binding both nonces."""
        nonce = new_nonce()
        mac = _mac(self.ticket.secret, "listener", self.ticket.session, count, request.nonce,
                   nonce)
        body = {"count": count, "nonce": nonce, "mac": mac}
        return encode_frame(_RESUME, json.dumps(body, separators=(",", ":")).encode())


def check_answer(ticket: Ticket, our_nonce: str, payload: bytes) -> int:
    """The listener's count from its RESUME answer; RemoteProtocolError(RESUME_REFUSED)
    if it was not made with the secret for our nonce."""
    body = _load(payload)
    count, nonce, mac = _count(body), _token(body, "nonce"), _hex(body, "mac", 64)
    expected = _mac(ticket.secret, "listener", ticket.session, count, our_nonce, nonce)
    if not hmac.compare_digest(expected, mac):
        raise RemoteProtocolError(f"{RESUME_REFUSED}: the answer is not from this "
                                  "conversation's listener")
    return count


def _load(payload: bytes) -> dict:
    try:
        return load_object(payload.decode(), "RESUME")
    except UnicodeDecodeError:
        raise RemoteProtocolError("invalid UTF-8 in RESUME") from None


def _count(body: dict) -> int:
    count = body.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < 2**63:
        raise RemoteProtocolError('RESUME has no "count" (a whole number from 0)')
    return count


def _hex(body: dict, key: str, digits: int) -> str:
    value = body.get(key)
    if not (isinstance(value, str) and len(value) == digits
            and all(digit in "0123456789abcdef" for digit in value)):
        raise RemoteProtocolError(f'RESUME has no "{key}" of {digits} hex digits')
    return value


def _token(body: dict, key: str) -> str:
    return _hex(body, key, TOKEN_HEX_DIGITS)

"""Meeting through a relay: two people behind their routers, joined by a short code.

Neither side can accept a connection from the other, but both can open one to a relay
that both reach. turnchat uses the relay software that exists, the Magic Wormhole transit
relay, and its protocol: each side sends `please relay TOKEN for side SIDE\\n` (TOKEN 64
lowercase hex digits, SIDE 16), the relay answers `ok\\n` once a second connection brings
the same token from another side, and from then on pipes the bytes both ways (or answers
`bad handshake\\n`, or `impatient\\n` to a byte sent before `ok`). After `ok`, the
connection is TLS 1.3 (the code's creator is the server) with the pairing exchange
(roles/pairing.py) inside, then the usual frames: the relay sees only sizes and timing.

The token is derived from the nameplate alone, never from the whole code: a token of the
whole code could be reversed offline (16 bits) by anyone who sees it, the relay's
operator first. So whoever learns the nameplate can take its token and get one online
guess at the words, which spends the code. A creator whose `ok` comes within a second
met someone who waited on that token before the code existed (a squatter): it leaves
before any PAKE byte and tries another nameplate.
"""

import os
import secrets
import socket
import time
from collections.abc import Callable
from pathlib import Path

from turnchat.roles import CannotStart
from turnchat.roles.address import Address, AddressError, parse_address
from turnchat.roles.identity import config_dir

DEFAULT_RELAY_PORT = 4001  # the transit relay's usual port
SQUATTER_SECONDS = 1.0  # an `ok` sooner than this met someone already waiting
MAX_SQUATTERS = 3  # nameplates tried before the creator gives up
KEEPALIVE_IDLE = 25  # seconds of silence before TCP keepalive probes (routers forget at 30+)
KEEPALIVE_INTERVAL, KEEPALIVE_PROBES = 10, 6
_ANSWER_LIMIT = 64  # bytes of the relay's answer line: "ok", "bad handshake", "impatient"
_TOKEN_INFO = b"turnchat relay token 1"


class Squatted(CannotStart):
    """The relay paired us at once: someone was waiting on this token already."""


def relay_address(flag: str | None) -> Address:
    """Where the relay is: --relay, else $TURNCHAT_RELAY, else `relay = HOST:PORT` in the
    config file; port 4001 by default. Raises AddressError with a sentence fragment."""
    where = "--relay"
    text = flag
    if not text:
        text, where = os.environ.get("TURNCHAT_RELAY", ""), "TURNCHAT_RELAY"
    if not text:
        text, where = _configured(config_dir() / "config"), f"{config_dir() / 'config'}"
    if not text:
        raise AddressError("no relay is configured: give --relay HOST[:PORT], set "
                           "TURNCHAT_RELAY, or put a line `relay = HOST:PORT` in "
                           f"{config_dir() / 'config'} (there is no public default)")
    try:
        return parse_address(text, allow_port_zero=False, default_port=DEFAULT_RELAY_PORT)
    except AddressError as error:
        raise AddressError(f"the relay in {where}: {error}") from None


def _configured(path: Path) -> str:
    """The `relay = HOST:PORT` line of the config file, if there is one."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in lines:
        key, equals, value = line.partition("=")
        if equals and key.strip() == "relay" and not line.lstrip().startswith("#"):
            return value.strip()
    return ""


def token_for(nameplate: str) -> str:
    """The relay token of a code: from its nameplate only (see the module's docstring)."""
    return _derive(nameplate.encode(), b"nameplate")


def resume_token(secret: str) -> str:
    """The relay token on which a resumable conversation's two sides meet again: from the
    session's secret, which only the two of them know (the code is spent)."""
    return _derive(secret.encode(), b"resume")


def _derive(material: bytes, label: bytes) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), 32, salt=None, info=_TOKEN_INFO + b" " + label).derive(
        material).hex()


def request(token: str) -> bytes:
    """The line that asks the relay for `token`, from a side of our own (random)."""
    return f"please relay {token} for side {secrets.token_hex(8)}\n".encode()


def meet(relay: Address, token: str, wait: float, timeout: float, creator: bool,
         on_waiting: Callable[[], None] = lambda: None) -> socket.socket:
    """A connection through the relay to whoever brings `token`, within `wait` seconds.

    `on_waiting` is called once nobody has come within a second (the creator: its code is
    safe to show now). A creator met within that second raises Squatted. Raises CannotStart
    with a sentence for anything else."""
    sock = _connect(relay, timeout)
    try:
        sock.sendall(request(token))
        started = time.monotonic()
        answer = _answer(sock, relay, wait, started, on_waiting)
        if answer != b"ok":
            raise CannotStart(_refusal(relay, answer))
        if creator and time.monotonic() - started < SQUATTER_SECONDS:
            raise Squatted(f"someone was already waiting at the relay {relay} on this code's "
                           "token (a squatter)")
    except BaseException:
        sock.close()
        raise
    sock.settimeout(None)
    return sock


def _connect(relay: Address, timeout: float) -> socket.socket:
    try:
        sock = socket.create_connection((relay.host, relay.port), timeout=timeout)
    except socket.gaierror as error:
        raise CannotStart(f"cannot reach the relay {relay}: unknown host {relay.host!r} "
                          f"({error.strerror}).") from None
    except TimeoutError:
        raise CannotStart(f"cannot reach the relay {relay}: no answer within {timeout:g} s."
                          ) from None
    except OSError as error:
        raise CannotStart(f"cannot reach the relay {relay}: {error.strerror or error} (is a "
                          "transit relay running there?).") from None
    keep_alive(sock)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def keep_alive(sock: socket.socket) -> None:
    """TCP keepalive, so that a router's NAT keeps the mapping through a long silence."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", KEEPALIVE_IDLE), ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL),
                          ("TCP_KEEPCNT", KEEPALIVE_PROBES)):
        if hasattr(socket, option):  # Linux; macOS has TCP_KEEPALIVE instead of IDLE
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


def _answer(sock: socket.socket, relay: Address, wait: float, started: float,
            on_waiting: Callable[[], None]) -> bytes:
    """The relay's answer line, read one byte at a time: the peer's first TLS bytes can
    come in the same segment as `ok\\n`, and must stay in the socket."""
    line = bytearray()
    told = False
    deadline, patience = started + wait, started + SQUATTER_SECONDS
    while True:
        now = time.monotonic()
        if now >= deadline:
            raise CannotStart(f"nobody came to the relay {relay} within {_duration(wait)} "
                              "(--wait).")
        if not told and now >= patience:
            told = True
            on_waiting()
        sock.settimeout(max(0.01, min(deadline, patience if not told else deadline) - now))
        try:
            byte = sock.recv(1)
        except TimeoutError:
            continue
        except OSError as error:
            why = error.strerror or error
            raise CannotStart(f"the relay {relay} dropped the connection ({why}).") from None
        if not byte:
            raise CannotStart(f"the relay {relay} closed the connection without an answer.")
        if byte == b"\n":
            return bytes(line)
        line += byte
        if len(line) > _ANSWER_LIMIT:
            raise CannotStart(f"{relay} answered {bytes(line[:32])!r}...: it is not a transit "
                              "relay.")


def _refusal(relay: Address, answer: bytes) -> str:
    if answer == b"bad handshake":
        return f"the relay {relay} refused the handshake (is it a Magic Wormhole transit relay?)."
    if answer == b"impatient":
        return f"the relay {relay} said we were impatient (a byte went before its ok)."
    return f"{relay} answered {answer[:32]!r}: it is not a transit relay."


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} s"

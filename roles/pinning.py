"""The connector's TLS: which listener key to trust, decided as SSH decides host keys.

The key given with --fingerprint, or the one known_peers holds for `[host]:port`, is the
only certificate the handshake accepts (net/tls.py), so a wrong key fails inside the
handshake, before our greeting. A listener met for the first time is probed first (a
handshake that reads its certificate and sends nothing more), its fingerprint is shown, and
it is trusted only if the user says yes, or passed --accept-new; then it is remembered. A
key that differs from the remembered one is refused with a warning that cannot be missed.
"""

import ssl
from collections.abc import Callable

from turnchat.net import tls
from turnchat.roles import CannotStart
from turnchat.roles.address import Address
from turnchat.roles.connector import connect
from turnchat.roles.identity import fingerprint
from turnchat.roles.known_peers import KnownPeers, peer_key

AskTrust = Callable[[str, str], bool]  # (peer key, fingerprint) -> trust it?


def connect_tls(
    address: Address,
    timeout: float,
    expected: str | None,
    accept_new: bool,
    ask: AskTrust | None,
    known: KnownPeers | None = None,
) -> tuple[ssl.SSLSocket, str]:
    """Return a TLS socket to the listener whose key we trust, and a sentence saying which."""
    known = known or KnownPeers()
    key = peer_key(address.host, address.port)
    stored = known.find(key)
    if stored is not None and expected in (None, stored.fingerprint):
        sock = _handshake(address, timeout, stored.certificate_der, known, key)
        return sock, f"TLS 1.3 with {key}, key {stored.fingerprint} (known_peers)."
    der = _probe(address, timeout)
    seen = fingerprint(der)
    if expected is not None:
        if seen != expected:
            raise CannotStart(f"refusing {address}: its key is {seen}, not {expected} as "
                              "--fingerprint requires; nothing was sent.")
        how = "as --fingerprint requires"
    elif accept_new:
        how = "new, trusted on first use (--accept-new)"
    elif ask is None:
        raise CannotStart(
            f"{key} is not in {known.path}; its key is {seen}. Check that with the "
            f"listener's owner (turnchat --fingerprint) and connect with --fingerprint {seen}, "
            "or with --accept-new to trust it on first use; nothing was sent.")
    elif not ask(key, seen):
        raise CannotStart(f"the key of {key} was not trusted; nothing was sent.")
    else:
        how = "new, trusted on first use"
    known.add(key, der)
    sock = _handshake(address, timeout, der, known, key)
    return sock, f"TLS 1.3 with {key}, key {seen} ({how}; remembered in {known.path})."


def _probe(address: Address, timeout: float) -> bytes:
    try:
        return tls.probe(connect(address, timeout), timeout)
    except (ssl.SSLError, OSError) as error:
        raise CannotStart(_failure(address, error, timeout)) from None


def _handshake(
    address: Address, timeout: float, der: bytes, known: KnownPeers, key: str
) -> ssl.SSLSocket:
    sock = tls.pinned_context(der).wrap_socket(connect(address, timeout),
                                               do_handshake_on_connect=False)
    try:
        sock.settimeout(timeout)
        sock.do_handshake()
    except ssl.SSLCertVerificationError:
        sock.close()
        raise CannotStart(_changed(address, timeout, der, known, key)) from None
    except (ssl.SSLError, OSError) as error:
        sock.close()
        raise CannotStart(_failure(address, error, timeout)) from None
    return sock


def _changed(address: Address, timeout: float, der: bytes, known: KnownPeers, key: str) -> str:
    stored = known.find(key)
    try:
        now = fingerprint(_probe(address, timeout))
    except CannotStart:
        now = "unknown"
    where = (f"line {stored.line_number} of {known.path}" if stored is not None
             else f"its line in {known.path}")
    return (
        f"WARNING: THE KEY OF {key} HAS CHANGED; refusing to connect.\n"
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
        "@  Someone may be impersonating the listener to read your conversation,    @\n"
        "@  or its owner made a new identity. Ask them before you trust it.         @\n"
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
        f"Remembered: {fingerprint(der)}\n"
        f"Now:        {now}\n"
        f"If the new key is right, remove {where} and connect again; nothing was sent.")


def _failure(address: Address, error: Exception, timeout: float) -> str:
    if isinstance(error, TimeoutError):
        return (f"cannot connect to {address} with TLS: no TLS answer within {timeout:g} s "
                "(is it listening with --tls?).")
    reason = getattr(error, "reason", None) or ""
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
                  "UNEXPECTED_RECORD", "HTTP_REQUEST"):
        return (f"cannot connect to {address} with TLS: it answered without TLS "
                "(is it listening without --tls?).")
    if isinstance(error, ssl.SSLEOFError | ConnectionResetError) or "EOF" in str(error):
        return (f"cannot connect to {address} with TLS: it closed the connection during the "
                "handshake (busy, or not a turnchat --tls listener).")
    return f"cannot connect to {address} with TLS: {reason or error}."

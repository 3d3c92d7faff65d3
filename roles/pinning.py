"""The connector's TLS: one connection, one handshake, then the trust decision.

The connector connects, completes the TLS handshake (net/tls.py), and only then looks at
the certificate the listener presented: roles/trust.py decides from it, known_peers,
--fingerprint, --accept-new and, on first contact at a terminal, the person's answer. A key
that is trusted is remembered if it is new, and the conversation goes on over the same
connection: HELLO is the first thing sent in it. A key that is not trusted closes the
connection before a byte of the conversation moves. There is no probe connection, so the
listener (or a relay between) sees exactly one connection.
"""

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, replace

from turnchat.net import tls
from turnchat.roles import CannotStart
from turnchat.roles.address import Address
from turnchat.roles.code import Code
from turnchat.roles.connector import connect
from turnchat.roles.identity import fingerprint, load_or_create
from turnchat.roles.known_peers import KnownPeers, peer_key
from turnchat.roles.trust import Decision, Verdict, decide
from turnchat.session.names import display_name

SETTLE_SECONDS = 3.0  # the most to wait for the listener's first records after the handshake
AskTrust = Callable[[str, str], bool]  # (peer key, fingerprint) -> trust it?


def connect_tls(
    address: Address,
    timeout: float,
    expected: str | None,
    accept_new: bool,
    ask: AskTrust | None,
    known: KnownPeers | None = None,
    wait: float = 0.0,
    on_wait: Callable[[str], None] = lambda sentence: None,
    pair: "Pairing | None" = None,
    dial: Callable[[], socket.socket] | None = None,
) -> tuple[socket.socket, tls.TLS, Decision, ssl.SSLContext]:
    """Return the connected socket, its TLS (handshake done, key trusted), the trust
    decision (its sentence says which key was trusted and why) and the TLS context (a
    reconnection uses it again); raise CannotStart with the reason if not.

    With `pair`, the pairing code proves the listener's key (and ours to it) instead of
    known_peers and the flags; to a listener paired before, our certificate goes along.
    `dial` opens the connection instead of connecting to `address` (through a relay:
    then nothing is remembered, since the address says nothing of the peer)."""
    known = known or KnownPeers()
    key = peer_key(address.host, address.port)
    stored = known.find(key)
    context = tls.client_context()
    if pair is None and stored is not None and stored.paired:
        identity = load_or_create()
        context = tls.client_context(str(identity.cert_path), str(identity.key_path))
    sock = dial() if dial is not None else connect(address, timeout, wait, on_wait)
    layer = tls.TLS(context, server_side=False)
    try:
        tls.handshake(sock, layer, timeout)
        _settle(sock, layer, timeout)
    except (ssl.SSLError, OSError) as error:
        sock.close()
        raise CannotStart(_failure(address, error, timeout)) from None
    if layer.alert:
        sock.close()
        raise CannotStart(_refused(address, layer.alert))
    der = layer.peer_certificate()
    if pair is not None:
        decision = _paired(sock, layer, pair, None if dial else known, key, der, timeout,
                           "the peer" if dial else str(address))
        return sock, layer, decision, context
    facts = (der, key, stored, known.path, expected, accept_new)
    decision = decide(*facts, can_ask=ask is not None, where=str(address))
    if decision.verdict is Verdict.ASK:
        assert ask is not None
        decision = decide(*facts, answer=ask(key, decision.seen), where=str(address))
    if decision.verdict is not Verdict.TRUST:
        sock.close()
        raise CannotStart(decision.sentence)
    if decision.remember:
        try:
            known.add(key, der)
        except CannotStart:
            sock.close()
            raise
    if stored is not None and stored.paired and decision.verdict is Verdict.TRUST:
        decision = replace(decision, standing=f"TLS, paired with {stored.paired} "
                                              f"{stored.since}".rstrip())
    return sock, layer, decision, context


@dataclass(frozen=True)
class Pairing:
    """--code: the code as typed (checked already) and the name we pair under."""

    code: Code
    name: str


def _paired(sock: socket.socket, layer: tls.TLS, pair: Pairing, known: KnownPeers | None,
            key: str, der: bytes, timeout: float, where: str) -> Decision:
    """Pair on this connection; remember the listener as paired (unless `known` is None:
    met through a relay); the decision to go on."""
    from turnchat.roles.pairing import pair_as_connector

    try:
        identity = load_or_create()
        name = display_name(pair_as_connector(sock, layer, pair.code, pair.name,
                                              identity.certificate_der, timeout, where))
        if known is not None:
            known.add(key, der, paired=name)
    except CannotStart:
        sock.close()
        raise
    seen = fingerprint(der)
    if known is None:
        return Decision(Verdict.TRUST, seen, f"Joined {name}; code verified. End-to-end "
                        "encrypted; the relay sees only sizes.",
                        standing="end-to-end encrypted, code verified")
    return Decision(Verdict.TRUST, seen, f"Paired with {name} at {where}: code verified; "
                    f"its key {seen} is remembered in {known.path}, and it knows yours.",
                    standing="TLS, paired just now")


def _settle(sock: socket.socket, layer: tls.TLS, timeout: float) -> None:
    """Read what the listener sends right after the handshake: its session tickets, or
    the alert by which it refuses our certificate (TLS 1.3 checks a client's certificate
    only after the client has finished). Plaintext, if any came, stays for the link. A
    TLS server that sends nothing after its handshake (not turnchat) is waited for a few
    seconds at most, and then talked to as before."""
    sock.settimeout(min(timeout, SETTLE_SECONDS))
    try:
        data = sock.recv(65536)
    except TimeoutError:
        return
    layer.feed(data)
    layer.unread(layer.plaintext())


def _refused(address: Address, alert: str) -> str:
    if alert == "TLSV13_ALERT_CERTIFICATE_REQUIRED":
        return (f"{address} admits only connectors paired with it (--known-only): pair "
                "with it first (--code); nothing was sent.")
    if alert in ("TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE",
                 "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "TLSV1_ALERT_DECRYPT_ERROR"):
        return (f"{address} no longer knows your key (it forgot the pairing): pair again "
                "with --code; nothing was sent.")
    return f"{address} ended the TLS connection ({alert}); nothing was sent."


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

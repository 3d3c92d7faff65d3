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

from turnchat.net import tls
from turnchat.roles import CannotStart
from turnchat.roles.address import Address
from turnchat.roles.connector import connect
from turnchat.roles.known_peers import KnownPeers, peer_key
from turnchat.roles.trust import Decision, Verdict, decide

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
) -> tuple[socket.socket, tls.TLS, Decision]:
    """Return the connected socket, its TLS (handshake done, key trusted), and the trust
    decision (its sentence says which key was trusted and why); raise CannotStart with the
    reason if not."""
    known = known or KnownPeers()
    key = peer_key(address.host, address.port)
    stored = known.find(key)
    sock = connect(address, timeout, wait, on_wait)
    layer = tls.TLS(tls.client_context(), server_side=False)
    try:
        tls.handshake(sock, layer, timeout)
    except (ssl.SSLError, OSError) as error:
        sock.close()
        raise CannotStart(_failure(address, error, timeout)) from None
    der = layer.peer_certificate()
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
    return sock, layer, decision


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

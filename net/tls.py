"""TLS 1.3 for turnchat's one connection: the contexts, with the pin as the only anchor.

No certificate authority and no host name are involved: the listener presents its
self-signed certificate (roles/identity.py), and the connector trusts exactly the one
certificate it has pinned, by loading it as the only trust anchor, so a wrong key fails
inside the handshake, before a byte of the conversation moves. Only `probe` reads a
certificate without trusting it: to show a fingerprint on first contact, or to say what
changed. On the reactor the sockets are non-blocking; `WOULD_BLOCK` lists what a read or a
write may raise when TLS needs the other direction first.
"""

import socket
import ssl

WOULD_BLOCK = (BlockingIOError, InterruptedError, ssl.SSLWantReadError,
               ssl.SSLWantWriteError)


def _base(purpose: int) -> ssl.SSLContext:
    context = ssl.SSLContext(purpose)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def server_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    context = _base(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def pinned_context(certificate_der: bytes) -> ssl.SSLContext:
    """A client context that accepts exactly this certificate and nothing else."""
    context = _base(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # the pin is the identity, not a name
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=certificate_der)
    return context


def is_certificate(der: bytes) -> bool:
    """Whether `der` is a certificate the handshake could be pinned to."""
    try:
        _base(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=der)
    except (ssl.SSLError, ValueError):
        return False
    return True


def probe(sock: socket.socket, timeout: float) -> bytes:
    """Handshake without trusting anything, return the peer's certificate, and close.

    Nothing but the handshake is sent: no greeting, no message.
    """
    context = _base(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sock.settimeout(timeout)
    with context.wrap_socket(sock) as tls:
        der = tls.getpeercert(binary_form=True)
    if not der:
        raise ssl.SSLError("the listener presented no certificate")
    return der

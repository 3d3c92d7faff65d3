"""TLS 1.3 as a layer over bytes: the same code for both roles, on any connection.

`TLS` runs OpenSSL over memory (ssl.MemoryBIO and SSLObject, as trio's SSLStream and
asyncio's sslproto do): ciphertext from the socket goes in with `feed`, plaintext comes out
of `plaintext`, and `encrypt` turns our plaintext into ciphertext for the socket. It never
touches a socket itself, so the listener steps its handshakes on the reactor, the link
carries TLS exactly as it carries plain bytes, and the connector drives the same object
with a blocking socket before any face starts (`handshake`).

No certificate authority and no host name are involved: the listener presents its
self-signed certificate (roles/identity.py). The connector accepts any certificate in the
handshake and decides afterwards, from the certificate itself, whether it trusts it
(roles/trust.py); nothing of the conversation moves before that decision, and it all
happens on the one connection the conversation then runs on. (TLS 1.3 makes the listener
prove it holds the key of the certificate it presents, whatever the client verifies.)
"""

import socket
import ssl
import time

_READ_CHUNK = 65536


def _base(purpose: int) -> ssl.SSLContext:
    context = ssl.SSLContext(purpose)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def server_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    context = _base(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def client_context() -> ssl.SSLContext:
    """A context that takes any certificate: the pin is checked after the handshake."""
    context = _base(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # the pin is the identity, not a name
    context.verify_mode = ssl.CERT_NONE
    return context


def is_certificate(der: bytes) -> bool:
    """Whether `der` is a certificate (one that a context could load)."""
    try:
        _base(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=der)
    except (ssl.SSLError, ValueError):
        return False
    return True


class TLS:
    """One side of one TLS connection, over memory."""

    def __init__(self, context: ssl.SSLContext, server_side: bool) -> None:
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._object = context.wrap_bio(self._incoming, self._outgoing, server_side=server_side)
        self.secure = False  # the handshake is done
        self.ended = False  # the peer closed (close_notify, or the stream ended)

    def feed(self, ciphertext: bytes) -> None:
        """Take bytes from the socket; b"" means the stream ended."""
        if ciphertext:
            self._incoming.write(ciphertext)
        else:
            self._incoming.write_eof()

    def step_handshake(self) -> bool:
        """Go as far as the bytes fed so far allow; True once the handshake is done.

        Raises ssl.SSLError if it failed (its `reason` says why), or ssl.SSLEOFError if the
        stream ended first. What it wants sent is in `to_send()`."""
        if not self.secure:
            try:
                self._object.do_handshake()
            except ssl.SSLWantReadError:
                return False
            self.secure = True
        return True

    def plaintext(self) -> bytes:
        """Everything decrypted so far (b"" if nothing yet; see `ended`)."""
        pieces = []
        while not self.ended:
            try:
                piece = self._object.read(_READ_CHUNK)
            except ssl.SSLWantReadError:
                break
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                self.ended = True
                break
            except ssl.SSLError:  # a corrupt record: the connection is no longer usable
                self.ended = True
                break
            if not piece:
                self.ended = True
                break
            pieces.append(piece)
        return b"".join(pieces)

    def encrypt(self, plaintext: bytes) -> bytes:
        """The ciphertext that carries `plaintext`, with anything else TLS wants sent."""
        if plaintext:
            self._object.write(plaintext)
        return self.to_send()

    def to_send(self) -> bytes:
        return self._outgoing.read()

    def peer_certificate(self) -> bytes:
        return self._object.getpeercert(binary_form=True) or b""


def handshake(sock: socket.socket, tls: TLS, timeout: float) -> None:
    """Complete `tls`'s handshake over a blocking socket within `timeout` seconds.

    For the connector, before any face runs. Raises ssl.SSLError, TimeoutError or OSError.
    """
    deadline = time.monotonic() + timeout
    while not tls.step_handshake():
        sock.sendall(tls.to_send())
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the TLS handshake took too long")
        sock.settimeout(remaining)
        data = sock.recv(_READ_CHUNK)
        tls.feed(data)
        if not data:
            tls.step_handshake()  # raises the reason the stream ended, if OpenSSL has one
            raise ssl.SSLEOFError("the connection closed during the TLS handshake")
    sock.sendall(tls.to_send())

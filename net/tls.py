"""TLS 1.3 as a layer over bytes: the same code for both roles, on any connection.

`TLS` runs OpenSSL over memory (ssl.MemoryBIO and SSLObject, as trio's SSLStream and
asyncio's sslproto do): ciphertext from the socket goes in with `feed`, `receive` steps the
handshake and hands out the plaintext, and `encrypt` turns our plaintext into ciphertext
for the socket. It never touches a socket itself. Both roles drive it the same way, on a
non-blocking socket as the reactor finds it readable: the listener steps its candidates'
handshakes on its reactor, the connector steps its one handshake on a reactor of its own
before any face starts (`handshake`, so that the trust question can still have the
terminal), and the link then carries TLS exactly as it carries plain bytes.

No certificate authority and no host name are involved: the listener presents its
self-signed certificate (roles/identity.py). The connector accepts any certificate in the
handshake and decides afterwards, from the certificate itself, whether it trusts it
(roles/trust.py); nothing of the conversation moves before that decision, and it all
happens on the one connection the conversation then runs on. (TLS 1.3 makes the listener
prove it holds the key of the certificate it presents, whatever the client verifies.)
"""

import socket
import ssl

from turnchat.net.reactor import SelectorReactor

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
        self._stream_ended = False  # the socket's stream ended (b"" was fed)

    def feed(self, ciphertext: bytes) -> None:
        """Take bytes from the socket; b"" means the stream ended."""
        if ciphertext:
            self._incoming.write(ciphertext)
        else:
            self._stream_ended = True
            self._incoming.write_eof()

    def receive(self) -> list[bytes]:
        """Step the handshake as far as the bytes fed so far allow, then return the
        plaintext they complete (nothing until the handshake is done), and b"" last once
        the stream has ended. Raises ssl.SSLError if the handshake failed. What TLS wants
        sent meanwhile is in `to_send()`."""
        if not self.step_handshake():
            return []
        plaintext = self.plaintext()
        chunks = [plaintext] if plaintext else []
        if self.ended or self._stream_ended:
            chunks.append(b"")
        return chunks

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
    """Complete the connector's handshake on `sock` within `timeout` seconds.

    The same steps as the listener's, on a non-blocking socket watched by a reactor of its
    own, run before any face starts. Records that arrive with the last flight stay in `tls`
    for the link. Raises ssl.SSLError, TimeoutError or OSError.
    """
    reactor = SelectorReactor()
    outgoing = bytearray()
    failure: list[Exception] = []

    def fail(error: Exception) -> None:
        failure.append(error)
        reactor.stop()

    def flush() -> None:
        try:
            sent = sock.send(outgoing) if outgoing else 0
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as error:
            fail(error)
            return
        del outgoing[:sent]
        if outgoing:
            reactor.add_writer(sock, flush)
        else:
            reactor.remove_writer(sock)
            if tls.secure:  # our last flight is out: done
                reactor.stop()

    def readable() -> None:
        try:
            data = sock.recv(_READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            fail(error)
            return
        tls.feed(data)
        try:
            secure = tls.step_handshake()
        except ssl.SSLError as error:
            fail(error)
            return
        if not data and not secure:
            fail(ssl.SSLEOFError("the connection closed during the TLS handshake"))
            return
        outgoing.extend(tls.to_send())
        if secure:
            reactor.remove_reader(sock)
        flush()

    sock.setblocking(False)
    try:
        tls.step_handshake()  # the ClientHello
        outgoing.extend(tls.to_send())
        reactor.add_reader(sock, readable)
        reactor.call_later(timeout, lambda: fail(TimeoutError("the TLS handshake took too long")))
        flush()
        reactor.run()
    finally:
        reactor.close()
    if failure:
        raise failure[0]

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
from collections.abc import Callable

from turnchat.net.reactor import Reactor, SelectorReactor

_READ_CHUNK = 65536


def _base(purpose: int) -> ssl.SSLContext:
    context = ssl.SSLContext(purpose)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def server_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    context = _base(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def client_context(cert_path: str = "", key_path: str = "") -> ssl.SSLContext:
    """A context that takes any certificate: the pin is checked after the handshake. With
    a certificate of our own (to a listener we paired with), it presents it."""
    context = _base(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # the pin is the identity, not a name
    context.verify_mode = ssl.CERT_NONE
    if cert_path:
        context.load_cert_chain(cert_path, key_path)
    return context


def admit_clients(context: ssl.SSLContext, certificates: list[bytes], required: bool) -> None:
    """A listener's context: accept exactly these client certificates (self-signed, each
    its own authority), and with `required` no connection without one of them. A client
    that presents another is refused inside the handshake."""
    context.verify_mode = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL
    for der in certificates:
        context.load_verify_locations(cadata=der)


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
        self.alert = ""  # why the connection failed after the handshake (OpenSSL's reason)
        self._early = b""  # plaintext read before the link took over (`unread`)

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
        if self._early:
            plaintext, self._early = self._early + plaintext, b""
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
            except ssl.SSLError as error:  # an alert, or a corrupt record: it is over
                self.alert = error.reason or str(error)
                self.ended = True
                break
            if not piece:
                self.ended = True
                break
            pieces.append(piece)
            if not self._incoming.pending and not self._object.pending():
                break  # all of it is read: one more read would only raise SSLWantReadError
        return b"".join(pieces)

    def unread(self, plaintext: bytes) -> None:
        """Give back plaintext read before the link took over: `receive` returns it first."""
        self._early += plaintext

    def encrypt(self, plaintext: bytes) -> bytes:
        """The ciphertext that carries `plaintext`, with anything else TLS wants sent.

        Once the connection has ended (the peer's close_notify, or the stream cut), nothing
        more can be written: the bytes are dropped, as a write to a closed socket's would
        be, and the connection's end reaches its reader as it does without TLS."""
        if plaintext:
            try:
                self._object.write(plaintext)
            except ssl.SSLError:
                self.ended = True
        return self.to_send()

    def to_send(self) -> bytes:
        """What TLS wants sent now (b"" if nothing)."""
        return self._outgoing.read() if self._outgoing.pending else b""

    def peer_certificate(self) -> bytes:
        return self._object.getpeercert(binary_form=True) or b""


class Handshake:
    """The connector's handshake on `sock`, stepped on `reactor` as the socket allows:
    `done()` once our last flight is out, or `failed(error)` (ssl.SSLError, OSError, or
    TimeoutError after `timeout` seconds). Records that arrive with the last flight stay
    in `tls` for the link. `cancel()` stops it and leaves the socket to the caller."""

    def __init__(self, reactor: "Reactor", sock: socket.socket, tls: TLS, timeout: float,
                 done: Callable[[], None], failed: Callable[[Exception], None]) -> None:
        self._reactor, self._sock, self._tls = reactor, sock, tls
        self._done, self._failed = done, failed
        self._outgoing = bytearray()
        self._over = False
        sock.setblocking(False)
        self._timer = reactor.call_later(
            timeout, lambda: self._fail(TimeoutError("the TLS handshake took too long")))
        try:
            tls.step_handshake()  # the ClientHello
        except ssl.SSLError as error:
            self._fail(error)
            return
        self._outgoing.extend(tls.to_send())
        reactor.add_reader(sock, self._readable)
        self._flush()

    def cancel(self) -> None:
        if not self._over:
            self._over = True
            self._timer.cancel()
            self._reactor.remove_reader(self._sock)
            self._reactor.remove_writer(self._sock)

    def _fail(self, error: Exception) -> None:
        if not self._over:
            self.cancel()
            self._failed(error)

    def _flush(self) -> None:
        if self._over:
            return
        try:
            sent = self._sock.send(self._outgoing) if self._outgoing else 0
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as error:
            self._fail(error)
            return
        del self._outgoing[:sent]
        if self._outgoing:
            self._reactor.add_writer(self._sock, self._flush)
            return
        self._reactor.remove_writer(self._sock)
        if self._tls.secure:  # our last flight is out: done
            self.cancel()
            self._done()

    def _readable(self) -> None:
        try:
            data = self._sock.recv(_READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._fail(error)
            return
        self._tls.feed(data)
        try:
            secure = self._tls.step_handshake()
        except ssl.SSLError as error:
            self._fail(error)
            return
        if not data and not secure:
            self._fail(ssl.SSLEOFError("the connection closed during the TLS handshake"))
            return
        self._outgoing.extend(self._tls.to_send())
        if secure:
            self._reactor.remove_reader(self._sock)
        self._flush()


def handshake(sock: socket.socket, tls: TLS, timeout: float) -> None:
    """Complete the connector's handshake on `sock` within `timeout` seconds, before any
    face starts: the `Handshake` steps, on a reactor of its own. Raises ssl.SSLError,
    TimeoutError or OSError."""
    reactor = SelectorReactor()
    failure: list[Exception] = []

    def fail(error: Exception) -> None:
        failure.append(error)
        reactor.stop()

    try:
        Handshake(reactor, sock, tls, timeout, reactor.stop, fail)
        if not failure:
            reactor.run()
    finally:
        reactor.close()
    if failure:
        raise failure[0]

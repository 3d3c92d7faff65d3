"""Is a stranger that does not speak frames a person typing? Decided on the evidence.

A listener cannot let any stream of bytes become its peer: junk from a port scanner, a
browser or an attacker would take the place of the real one, read what our user queued
for the peer, and have its bytes shown as messages. A person on nc or telnet sends text:
valid UTF-8 without control characters (tab, CR, LF and the ESC of arrow keys can be
typed), a line at a time. So `FirstLine` judges every byte received before the decision,
not only the first line; skips blank lines (a scanner's bare CRLF is no one saying
anything); and, once a whole first line is in, refuses the greetings of programs: an
HTTP (or RTSP, SIP) request line, an SSH banner, a PROXY header, an SMTP greeting. An
HTTP client is answered in HTTP (400, with one line saying what this port is), so that a
browser shows something readable. Anything else is refused as soon as it shows, so junk is
turned away at once, not after a timeout. Pure: no sockets, no clock.
"""

import codecs
import re

from turnchat.wire.limits import MAX_PAYLOAD

TLS_HANDSHAKE = 0x16  # the first byte of a TLS ClientHello record
# The patterns are compiled on first use (re caches them): only a connection that does not
# start like a frame needs them, and compiling them all costs every start.
# What a person's text cannot hold: controls a keyboard does not send through a tty.
_NOT_TYPED = "[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]"
_BLANK_LINES = rb"(?:[ \t]*\r?\n)+"
# The first lines of programs, each with what it is (said to our user and to the program).
_PROGRAMS = (
    (r"[A-Z][A-Z_-]{1,19} \S+ (?:HTTP|RTSP|SIP)/\d(?:\.\d)?\r?", "an HTTP request"),
    (r"SSH-\d\.\d+-\S*.*", "an SSH client"),
    (r"PROXY (?:TCP4|TCP6|UNKNOWN)\b.*", "a PROXY protocol header"),
    (r"(?:EHLO|HELO) \S+\r?", "an SMTP client"),
)
HTTP_REQUEST = _PROGRAMS[0][1]
NOT_A_PERSON = ", not a person typing"  # ends the reason a program is refused with
_HTTP_BODY = (b"This is a turnchat listener, not a web server: talk to it with "
              b"`turnchat --connect HOST:PORT`, or type into `nc HOST PORT`.\n")
HTTP_ANSWER = (b"HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
               b"Content-Length: " + str(len(_HTTP_BODY)).encode() + b"\r\n"
               b"Connection: close\r\n\r\n" + _HTTP_BODY)


class FirstLine:
    """The bytes of a connection that did not start like a frame, until it is judged.

    `feed` says why they cannot be a person, or None; once `complete`, `said` holds what
    the person sent (blank lines before it left out), to become the conversation's start.
    """

    def __init__(self) -> None:
        self._received = bytearray()
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._start = 0  # where the first non-blank line begins in `_received`

    def feed(self, data: bytes) -> str | None:
        """Take bytes; return why they are not a person's text, or None if they may be."""
        if not self._received and data[:1] == bytes([TLS_HANDSHAKE]):
            return "a TLS handshake, and this listener does not use --tls"
        self._received += data
        try:
            text = self._decoder.decode(data)
        except UnicodeDecodeError:
            return "neither turnchat frames nor UTF-8 text"
        if re.search(_NOT_TYPED, text):
            return "neither turnchat frames nor typed text"
        blank = re.compile(_BLANK_LINES).match(self._received, self._start)  # nothing said yet
        if blank is not None:
            self._start = blank.end()
        if self.complete:
            return self._program()
        return None

    def _program(self) -> str | None:
        end = self._received.find(b"\n", self._start)
        line = self._received[self._start:end if end >= 0 else None].decode(errors="replace")
        for pattern, what in _PROGRAMS:
            if re.fullmatch(pattern, line):
                return what + NOT_A_PERSON
        return None

    @property
    def began(self) -> bool:
        """Whether some text (not only blank lines) has come, whole line or not."""
        return len(self._received) > self._start

    @property
    def complete(self) -> bool:
        """Whether a whole non-blank first line (or MAX_PAYLOAD bytes of one) is in."""
        return (b"\n" in self._received[self._start:]
                or len(self._received) - self._start > MAX_PAYLOAD)

    @property
    def said(self) -> bytes:
        """What the person sent, from their first non-blank line on."""
        return bytes(self._received[self._start:])


def answer_to(reason: str) -> bytes | None:
    """The bytes a refused program is answered with in its own protocol, if any."""
    return HTTP_ANSWER if reason.startswith(HTTP_REQUEST) else None

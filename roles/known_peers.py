"""known_peers: the listeners this user has trusted, as SSH's known_hosts, one a line.

    [host]:port SHA256:<fingerprint> <the certificate, base64 DER> [YYYY-MM-DD]

The certificate itself is kept, not only its fingerprint, so that the file says exactly
which key was trusted (roles/trust.py compares fingerprints); the date it was first trusted
follows (lines written before there was one have none). Lines starting with # and blank
lines are ignored; a line that cannot be read (not UTF-8, not three or four fields, a fingerprint
that is not of the certificate, or bytes that are not a certificate) is ignored too, as
ssh ignores such lines: it grants no trust, and it is kept when the file is rewritten.
"""

import base64
import binascii
import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from turnchat.net.tls import is_certificate
from turnchat.roles import CannotStart
from turnchat.roles.identity import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, config_dir, fingerprint

FILE_NAME = "known_peers"


@dataclass(frozen=True)
class KnownPeer:
    line_number: int
    fingerprint: str
    certificate_der: bytes
    since: str = ""  # the date it was first trusted, YYYY-MM-DD, if the line says

def peer_key(host: str, port: int) -> str:
    return f"[{host}]:{port}"


class KnownPeers:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME

    def _lines(self) -> list[bytes]:
        """The file's lines as bytes (none if there is no file); CannotStart if it cannot be
        read. Bytes, so that a line that is not UTF-8 is skipped, not fatal, and kept."""
        try:
            return self.path.read_bytes().splitlines(keepends=True)
        except FileNotFoundError:
            return []
        except IsADirectoryError:
            raise CannotStart(f"{self.path} is a folder, not the file of trusted listeners; "
                              "move it away (turnchat makes the file anew).") from None
        except OSError as error:
            raise CannotStart(f"cannot read {self.path}: {error.strerror or error}.") from None

    def find(self, key: str) -> KnownPeer | None:
        for number, line in enumerate(self._lines(), start=1):
            fields = line.decode(errors="replace").split()
            if len(fields) not in (3, 4) or fields[0] != key:
                continue
            try:
                der = base64.b64decode(fields[2], validate=True)
            except (binascii.Error, ValueError):
                continue
            if fingerprint(der) == fields[1] and is_certificate(der):
                return KnownPeer(number, fields[1], der, fields[3] if len(fields) == 4 else "")
        return None

    def add(self, key: str, certificate_der: bytes) -> None:
        """Remember `key` with this certificate, in place of any earlier line for it (the
        user named the new key with --fingerprint). The file is made 0600."""
        kept = [line.rstrip(b"\r\n") + b"\n" for line in self._lines()
                if line.split()[:1] != [key.encode()]]
        kept.append(f"{key} {fingerprint(certificate_der)} "
                    f"{base64.b64encode(certificate_der).decode()} "
                    f"{datetime.date.today().isoformat()}\n".encode())
        try:
            self.path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "wb") as file:
                file.write(b"".join(kept))
        except OSError as error:
            raise CannotStart(f"cannot remember the key in {self.path}: "
                              f"{error.strerror or error}; nothing was sent.") from None

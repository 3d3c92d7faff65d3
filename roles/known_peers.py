"""known_peers: the listeners this user has trusted, as SSH's known_hosts, one a line.

    [host]:port SHA256:<fingerprint> <the certificate, base64 DER>

The certificate itself is kept, not only its fingerprint, because the connector loads it
as the only trust anchor of the handshake (net/tls.py). Lines starting with # and blank
lines are ignored; a line that cannot be read is ignored too, and named in the warning if
it stands in the way.
"""

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path

from roles.identity import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, config_dir, fingerprint

FILE_NAME = "known_peers"


@dataclass(frozen=True)
class KnownPeer:
    line_number: int
    fingerprint: str
    certificate_der: bytes


def peer_key(host: str, port: int) -> str:
    return f"[{host}]:{port}"


class KnownPeers:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME

    def find(self, key: str) -> KnownPeer | None:
        try:
            lines = self.path.read_text().splitlines()
        except FileNotFoundError:
            return None
        for number, line in enumerate(lines, start=1):
            fields = line.split()
            if len(fields) != 3 or fields[0] != key:
                continue
            try:
                der = base64.b64decode(fields[2], validate=True)
            except (binascii.Error, ValueError):
                continue
            if fingerprint(der) == fields[1]:
                return KnownPeer(number, fields[1], der)
        return None

    def add(self, key: str, certificate_der: bytes) -> None:
        """Remember `key` with this certificate, in place of any earlier line for it (the
        user named the new key with --fingerprint). The file is made 0600."""
        self.path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        try:
            kept = [line for line in self.path.read_text().splitlines(keepends=True)
                    if line.split()[:1] != [key]]
        except FileNotFoundError:
            kept = []
        kept.append(f"{key} {fingerprint(certificate_der)} "
                    f"{base64.b64encode(certificate_der).decode()}\n")
        fd = os.open(self.path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w") as file:
            file.write("".join(kept))

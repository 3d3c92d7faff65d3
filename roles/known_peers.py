"""known_peers: the listeners this user has trusted, as SSH's known_hosts, one a line.

    [host]:port SHA256:<fingerprint> <the certificate, base64 DER> [YYYY-MM-DD [paired:NAME]]

The certificate itself is kept, not only its fingerprint, so that the file says exactly
which key was trusted (roles/trust.py compares fingerprints); the date it was first trusted
follows (lines written before there was one have none), and `paired:` with the listener's
name (percent-encoded) when the key was proven by a pairing code: to such a listener the
connector presents its own certificate (roles/pairing.py). Lines starting with # and blank
lines are ignored; a line that cannot be read (not UTF-8, not three to five fields, a
fingerprint that is not of the certificate, or bytes that are not a certificate) is
ignored too, as ssh ignores such lines: it grants no trust, and it is kept when the file
is rewritten.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from turnchat.roles.identity import config_dir, fingerprint
from turnchat.roles.key_files import (
    certificate_field,
    certificate_text,
    name_field,
    name_of_field,
    read_lines,
    write_lines,
)

FILE_NAME = "known_peers"
_PAIRED = "paired:"


@dataclass(frozen=True)
class KnownPeer:
    line_number: int
    fingerprint: str
    certificate_der: bytes
    since: str = ""  # the date it was first trusted, YYYY-MM-DD, if the line says
    paired: str = ""  # the listener's name, if a pairing code proved this key


def peer_key(host: str, port: int) -> str:
    return f"[{host}]:{port}"


class KnownPeers:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME

    def _lines(self) -> list[bytes]:
        return read_lines(self.path, "trusted listeners")

    def find(self, key: str) -> KnownPeer | None:
        for number, line in enumerate(self._lines(), start=1):
            fields = line.decode(errors="replace").split()
            if not 3 <= len(fields) <= 5 or fields[0] != key:
                continue
            der = certificate_field(fields[1], fields[2])
            paired = fields[4] if len(fields) == 5 else ""
            if der is not None and (not paired or paired.startswith(_PAIRED)):
                return KnownPeer(number, fields[1], der, fields[3] if len(fields) > 3 else "",
                                 name_of_field(paired.removeprefix(_PAIRED)))
        return None

    def add(self, key: str, certificate_der: bytes, paired: str = "") -> None:
        """Remember `key` with this certificate, in place of any earlier line for it (the
        user named the new key with --fingerprint, or paired). The file is made 0600."""
        kept = [line for line in self._lines() if line.split()[:1] != [key.encode()]]
        line = (f"{key} {fingerprint(certificate_der)} "
                f"{certificate_text(certificate_der)} {datetime.date.today().isoformat()}")
        if paired:
            line += f" {_PAIRED}{name_field(paired)}"
        write_lines(self.path, [*kept, line.encode()], "remember the key")

    def forget(self, name: str) -> list[str]:
        """Forget the pairings with listeners named `name` (or at the `[host]:port` given
        as `name`); return the keys forgotten."""
        kept, gone = [], []
        for line in self._lines():
            fields = line.decode(errors="replace").split()
            paired = fields[4].removeprefix(_PAIRED) if len(fields) == 5 else None
            if fields and (fields[0] == name or (paired is not None
                                                 and name_of_field(paired) == name)):
                gone.append(fields[0])
            else:
                kept.append(line)
        if gone:
            write_lines(self.path, kept, "forget the pairing")
        return gone

"""known_connectors: the connectors a listener has paired with, one a line, mode 0600.

    NAME SHA256:<fingerprint> <the certificate, base64 DER> YYYY-MM-DD

NAME is the connector's name as it gave it when pairing (percent-encoded). A --tls listener
trusts exactly these certificates as TLS client certificates (roles/listener.py): a paired
connector presents its own, and is recognised without a code. Unreadable lines are
ignored and kept, as in known_peers.
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

FILE_NAME = "known_connectors"


@dataclass(frozen=True)
class KnownConnector:
    name: str
    fingerprint: str
    certificate_der: bytes
    since: str  # the day of the pairing, YYYY-MM-DD

    @property
    def standing(self) -> str:
        """How the listener names it: "ana, paired 2026-11-29"."""
        return f"{self.name}, paired {self.since}"


class KnownConnectors:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME

    def _lines(self) -> list[bytes]:
        return read_lines(self.path, "paired connectors")

    def all(self) -> list[KnownConnector]:
        found = []
        for line in self._lines():
            fields = line.decode(errors="replace").split()
            if len(fields) != 4 or fields[0].startswith("#"):
                continue
            der = certificate_field(fields[1], fields[2])
            if der is not None:
                found.append(KnownConnector(name_of_field(fields[0]), fields[1], der,
                                            fields[3]))
        return found

    def find(self, certificate_der: bytes) -> KnownConnector | None:
        seen = fingerprint(certificate_der)
        return next((known for known in self.all() if known.fingerprint == seen), None)

    def add(self, name: str, certificate_der: bytes) -> KnownConnector:
        """Remember a connector just paired, in place of an earlier line for its key."""
        seen = fingerprint(certificate_der)
        kept = [line for line in self._lines() if line.split()[1:2] != [seen.encode()]]
        known = KnownConnector(name, seen, certificate_der, datetime.date.today().isoformat())
        line = f"{name_field(name)} {seen} {certificate_text(certificate_der)} {known.since}"
        write_lines(self.path, [*kept, line.encode()], "remember the paired connector")
        return known

    def forget(self, name: str) -> int:
        """Forget every pairing with a connector named `name`; return how many."""
        kept, gone = [], 0
        for line in self._lines():
            fields = line.decode(errors="replace").split()
            if len(fields) == 4 and name_of_field(fields[0]) == name:
                gone += 1
            else:
                kept.append(line)
        if gone:
            write_lines(self.path, kept, "forget the pairing")
        return gone

"""The files of keys this user trusts (known_peers, known_connectors): read as bytes a
line, written whole with mode 0600, as SSH keeps known_hosts.

Bytes, so that a line that is not UTF-8 is skipped, not fatal, and kept when the file is
rewritten. Each failure is CannotStart with a sentence that names the file.
"""

import base64
import binascii
import os
from pathlib import Path
from urllib.parse import quote, unquote

from turnchat.net.tls import is_certificate
from turnchat.roles import CannotStart
from turnchat.roles.identity import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, fingerprint


def read_lines(path: Path, holds: str) -> list[bytes]:
    """The file's lines (none if there is no file); `holds` says what it is for."""
    try:
        return path.read_bytes().splitlines(keepends=True)
    except FileNotFoundError:
        return []
    except IsADirectoryError:
        raise CannotStart(f"{path} is a folder, not the file of {holds}; move it away "
                          "(turnchat makes the file anew).") from None
    except OSError as error:
        raise CannotStart(f"cannot read {path}: {error.strerror or error}.") from None


def write_lines(path: Path, lines: list[bytes], doing: str) -> None:
    """Replace the file with `lines`, made 0600 in a 0700 folder; `doing` names the
    step for the sentence if it fails."""
    try:
        path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "wb") as file:
            file.write(b"".join(line.rstrip(b"\r\n") + b"\n" for line in lines))
    except OSError as error:
        raise CannotStart(f"cannot {doing} in {path}: {error.strerror or error}.") from None


def certificate_field(fingerprint_field: str, certificate_field: str) -> bytes | None:
    """The certificate of a line, if its base64 is one and the fingerprint is its own."""
    try:
        der = base64.b64decode(certificate_field, validate=True)
    except (binascii.Error, ValueError):
        return None
    return der if fingerprint(der) == fingerprint_field and is_certificate(der) else None


def certificate_text(der: bytes) -> str:
    return base64.b64encode(der).decode()


def name_field(name: str) -> str:
    """A peer's name as one field of a line: percent-encoded, so no space splits it."""
    return quote(name, safe="")


def name_of_field(field: str) -> str:
    return unquote(field)

"""Broken files under ~/.config/turnchat: one sentence naming the file and the way out.

Each of these once ended in "internal error (...)", status 1, or printed a fingerprint for
a key that could not be used. Now: status 3, one line on stderr, nothing on stdout.
"""

import base64
import hashlib
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.processes import Turnchat
from tests.test_tls import own_fingerprint, tls_listener

Start = Callable[..., Turnchat]
ANEW = ("turnchat makes a new identity (a new fingerprint, which peers that pinned the old "
        "one must accept anew).")


def spoil_key(folder: Path, other: Path) -> None:
    (folder / "identity.key").write_text("garbage\n")


def empty_key(folder: Path, other: Path) -> None:
    (folder / "identity.key").write_bytes(b"")


def another_identitys_key(folder: Path, other: Path) -> None:
    shutil.copy(other / "identity.key", folder / "identity.key")


def key_is_a_folder(folder: Path, other: Path) -> None:
    (folder / "identity.key").unlink()
    (folder / "identity.key").mkdir()


def pem_framed_garbage(folder: Path, other: Path) -> None:
    (folder / "identity.crt").write_text("-----BEGIN CERTIFICATE-----\nAAAAAAAABBBBBBBB\n"
                                         "-----END CERTIFICATE-----\n")


def certificate_not_utf8(folder: Path, other: Path) -> None:
    (folder / "identity.crt").write_bytes(b"\xff\xfe\x00")


def certificate_missing(folder: Path, other: Path) -> None:
    (folder / "identity.crt").unlink()


def key_readable_by_others(folder: Path, other: Path) -> None:
    os.chmod(folder / "identity.key", 0o644)


SPOILED = {  # how the files are spoiled -> what the one line says after "cannot use ..."
    spoil_key: r"{key} is not a private key turnchat can read; move it and identity\.crt away "
               r"and " + re.escape(ANEW),
    empty_key: r"{key} is not a private key turnchat can read",
    another_identitys_key: r"{key} is not the key of {crt} \(another identity's key\?\)\. "
                           r"Restore the right pair, or move both away and " + re.escape(ANEW),
    key_is_a_folder: r"{key} is a folder, not a file; move it and identity\.crt away",
    pem_framed_garbage: r"{crt} is not a certificate; move it and identity\.key away and",
    certificate_not_utf8: r"{crt} is not a certificate",
    certificate_missing: r"{crt} is missing beside {key}\. Restore it, or move {key} away",
    key_readable_by_others: r"{key} can be read by others \(mode 0644\), and a private key "
                            r"must not be\. Run: chmod 600 {key}",
}


@pytest.mark.parametrize("spoil", list(SPOILED), ids=lambda spoil: spoil.__name__)
@pytest.mark.parametrize("command", [("--fingerprint",), ("--listen", "127.0.0.1:0", "--tls")])
def test_a_spoiled_identity_is_one_sentence_and_status_3(
    turnchat: Start, homes: dict[str, dict[str, str]], spoil: Callable[[Path, Path], None],
    command: tuple[str, ...],
) -> None:
    own_fingerprint(turnchat, homes["bo"])
    own_fingerprint(turnchat, homes["eve"])
    folder = Path(homes["bo"]["XDG_CONFIG_HOME"]) / "turnchat"
    spoil(folder, Path(homes["eve"]["XDG_CONFIG_HOME"]) / "turnchat")
    done = turnchat(*command, env=homes["bo"]).finish()
    expected = SPOILED[spoil].format(key=re.escape(str(folder / "identity.key")),
                                     crt=re.escape(str(folder / "identity.crt")))
    assert done.status == 3, done
    assert done.out == ""  # no fingerprint for an identity that cannot be used
    assert re.fullmatch(r"turnchat: cannot use the TLS identity: " + expected + r".*\n",
                        done.err), done.err


def test_a_config_folder_that_is_a_file(turnchat: Start, tmp_path: Path) -> None:
    (tmp_path / "turnchat").write_text("not a folder")
    done = turnchat("--fingerprint", env={"XDG_CONFIG_HOME": str(tmp_path)}).finish()
    assert (done.status, done.out) == (3, "")
    assert done.err == (f"turnchat: cannot make a TLS identity: {tmp_path / 'turnchat'} is a "
                        "file, where turnchat keeps its folder. Move it away.\n")


def known_peers(home: dict[str, str]) -> Path:
    return Path(home["XDG_CONFIG_HOME"]) / "turnchat" / "known_peers"


def test_known_peers_that_is_a_folder(turnchat: Start, homes) -> None:
    _, port, _ = tls_listener(turnchat, homes["bo"])
    known_peers(homes["ana"]).mkdir(parents=True)
    done = turnchat("--connect", f"127.0.0.1:{port}", "--tls", "--accept-new",
                    env=homes["ana"]).finish()
    assert done.status == 3
    assert done.err == (f"turnchat: {known_peers(homes['ana'])} is a folder, not the file of "
                        "trusted listeners; move it away (turnchat makes the file anew).\n")


def test_lines_that_cannot_be_read_grant_no_trust_and_stay(
    turnchat: Start, homes
) -> None:
    listener, port, key = tls_listener(turnchat, homes["bo"], "--keep")
    known = known_peers(homes["ana"])
    known.parent.mkdir(parents=True)
    garbage = b"not a certificate at all"
    garbage_fingerprint = "SHA256:" + base64.b64encode(
        hashlib.sha256(garbage).digest()).decode().rstrip("=")
    spoiled = (b"[elsewhere]:1 \xff\xfe not-utf-8\n"
               + f"[127.0.0.1]:{port} {garbage_fingerprint} ".encode()
               + base64.b64encode(garbage) + b"\n")
    known.write_bytes(spoiled)
    done = turnchat("--connect", f"127.0.0.1:{port}", "--tls", env=homes["ana"]).finish()
    assert done.status == 3
    assert done.err.startswith(f"turnchat: [127.0.0.1]:{port} is not in {known}; its key is "
                               f"{key}.")
    first = turnchat("--connect", f"127.0.0.1:{port}", "--tls", "--accept-new",
                     stdin=b"trusted anew\n", env=homes["ana"])
    listener.expect("out", "trusted anew\n")
    listener.write(b"ok\n")
    assert first.finish().status == 0
    lines = known.read_bytes().splitlines()
    assert lines[0] == b"[elsewhere]:1 \xff\xfe not-utf-8"  # kept as it was
    assert lines[1].startswith(f"[127.0.0.1]:{port} {key} ".encode())
    assert len(lines) == 2

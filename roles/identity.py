"""The listener's TLS identity: a key and a self-signed certificate, made once, kept 0600.

There is no certificate authority: the certificate only carries the key, and peers pin it
by its fingerprint, as SSH pins host keys. It lives under `$XDG_CONFIG_HOME/turnchat/`
(default `~/.config/turnchat/`), made on first use and reused after, so the fingerprint a
user once shared stays valid. Making it needs the `cryptography` package; reading it needs
only `ssl`.
"""

import base64
import errno
import hashlib
import os
import ssl
import stat
from dataclasses import dataclass
from pathlib import Path

from turnchat.roles import CannotStart

KEY_FILE, CERT_FILE = "identity.key", "identity.crt"
PRIVATE_FILE_MODE, PRIVATE_DIR_MODE = 0o600, 0o700  # the key is a secret
CERT_YEARS = 100  # the pin is the identity; an expiry would only break pinned peers


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/turnchat`, or `~/.config/turnchat` when it is unset or relative."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "turnchat"


def fingerprint(certificate_der: bytes) -> str:
    """`SHA256:<base64>` of a certificate, written as OpenSSH writes key fingerprints."""
    digest = hashlib.sha256(certificate_der).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class Identity:
    key_path: Path
    cert_path: Path
    certificate_der: bytes
    context: ssl.SSLContext  # the listener's TLS context, already loaded with the pair

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate_der)


def _anew(what: str) -> str:
    """The way out when the identity cannot be used: what to move away for a new one."""
    return (f"move {what} away and turnchat makes a new identity (a new fingerprint, which "
            "peers that pinned the old one must accept anew)")


def load_or_create(folder: Path | None = None) -> Identity:
    """This machine's identity, made the first time and checked every time (the files
    are a certificate and its own private key, the key private to its owner, as ssh
    insists); raise CannotStart with a sentence naming the file and what to do."""
    folder = folder or config_dir()
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    key_there, cert_there = os.path.lexists(key_path), os.path.lexists(cert_path)
    if key_there != cert_there:
        there, missing = (key_path, cert_path) if key_there else (cert_path, key_path)
        raise CannotStart(f"cannot use the TLS identity: {missing} is missing beside "
                          f"{there}. Restore it, or {_anew(there)}.")
    try:
        if not key_there:
            if folder.exists() and not folder.is_dir():
                raise CannotStart(f"cannot make a TLS identity: {folder} is a file, where "
                                  "turnchat keeps its folder. Move it away.")
            _create(folder, key_path, cert_path)
        _check_private(key_path)
        der = _certificate(cert_path)
    except IsADirectoryError as error:
        other = KEY_FILE if Path(error.filename).name == CERT_FILE else CERT_FILE
        raise CannotStart(f"cannot use the TLS identity: {error.filename} is a folder, not "
                          f"a file; {_anew('it and ' + other)}.") from None
    except OSError as error:
        raise CannotStart(f"cannot use the TLS identity: {error.filename or folder}: "
                          f"{error.strerror or error}.") from None
    from turnchat.net.tls import server_context

    try:
        context = server_context(str(cert_path), str(key_path))
    except ssl.SSLError as error:
        if error.reason == "KEY_VALUES_MISMATCH":
            raise CannotStart(f"cannot use the TLS identity: {key_path} is not the key of "
                              f"{cert_path} (another identity's key?). Restore the right "
                              f"pair, or {_anew('both')}.") from None
        raise CannotStart(f"cannot use the TLS identity: {key_path} is not a private key "
                          f"turnchat can read; {_anew('it and ' + CERT_FILE)}.") from None
    except OSError as error:
        raise CannotStart(f"cannot use the TLS identity: {key_path}: "
                          f"{error.strerror or error}.") from None
    return Identity(key_path, cert_path, der, context)


def _check_private(key_path: Path) -> None:
    mode = os.stat(key_path).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(key_path))
    if mode & 0o077:
        raise CannotStart(f"cannot use the TLS identity: {key_path} can be read by others "
                          f"(mode {stat.S_IMODE(mode):04o}), and a private key must not be. "
                          f"Run: chmod 600 {key_path}")


def _certificate(cert_path: Path) -> bytes:
    """The DER bytes of the certificate in `cert_path`; CannotStart if it is not one."""
    from turnchat.net.tls import is_certificate

    try:
        der = ssl.PEM_cert_to_DER_cert(cert_path.read_bytes().decode())
    except ValueError:  # not UTF-8, or not PEM
        der = b""
    if not is_certificate(der):
        raise CannotStart(f"cannot use the TLS identity: {cert_path} is not a certificate; "
                          f"{_anew('it and ' + KEY_FILE)}.")
    return der


def _create(folder: Path, key_path: Path, cert_path: Path) -> None:
    import datetime

    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise CannotStart(
            "this machine has no TLS key yet, and making one needs the Python package "
            "cryptography: install it (pip install cryptography), or start turnchat with "
            "'make run', which sets up what it needs.") from None

    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "turnchat")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    _write_private(key_path, key_pem)
    _write_private(cert_path, certificate.public_bytes(serialization.Encoding.PEM))


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as file:
        file.write(data)

"""The listener's TLS identity: a key and a self-signed certificate, made once, kept 0600.

There is no certificate authority: the certificate only carries the key, and peers pin it
by its fingerprint, as SSH pins host keys. It lives under `$XDG_CONFIG_HOME/turnchat/`
(default `~/.config/turnchat/`), made on first use and reused after, so the fingerprint a
user once shared stays valid. Making it needs the `cryptography` package; reading it needs
only `ssl`.
"""

import base64
import hashlib
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from roles import CannotStart

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

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate_der)


def load_or_create(folder: Path | None = None) -> Identity:
    """This machine's identity, made the first time; raise CannotStart saying why not."""
    folder = folder or config_dir()
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    try:
        if not (key_path.exists() and cert_path.exists()):
            _create(folder, key_path, cert_path)
        der = ssl.PEM_cert_to_DER_cert(cert_path.read_text())
    except (OSError, ValueError) as error:
        detail = getattr(error, "strerror", None) or str(error)
        raise CannotStart(f"cannot use the TLS identity in {folder}: {detail}.") from None
    return Identity(key_path, cert_path, der)


def _create(folder: Path, key_path: Path, cert_path: Path) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

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

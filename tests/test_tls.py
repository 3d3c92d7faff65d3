"""--tls: TLS 1.3 with the listener's key pinned as SSH pins host keys, with real processes.

Each side gets its own config folder (XDG_CONFIG_HOME), as two users on two machines would.
"""

import re
import socket
import ssl
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.processes import WAIT, Program, RawPeer, Turnchat, listening_port
from tests.terminal import TerminalTurnchat
from tests.test_interactive import ENTER

Start = Callable[..., Turnchat]
FINGERPRINT = r"SHA256:[A-Za-z0-9+/]{43}"
TODAY = r"\d{4}-\d\d-\d\d"  # when the key was first trusted (the test may cross midnight)


def tls_listener(turnchat: Start, env: dict[str, str], *args: str) -> tuple[Turnchat, int, str]:
    listener = turnchat("--listen", "127.0.0.1:0", "--name", "bo", "--tls", *args, env=env)
    found = listener.expect("err", rf"Listening on 127\.0\.0\.1:(\d+) with TLS, key "
                                   rf"({FINGERPRINT}); waiting for a peer\.")
    return listener, int(found.group(1)), found.group(2)


def own_fingerprint(turnchat: Start, env: dict[str, str]) -> str:
    done = turnchat("--fingerprint", env=env).finish()
    assert done.status == 0 and re.fullmatch(FINGERPRINT + "\n", done.out), done
    return done.out.strip()


def test_identity_is_made_once_private_and_shown(turnchat: Start, homes) -> None:
    first = own_fingerprint(turnchat, homes["bo"])
    assert own_fingerprint(turnchat, homes["bo"]) == first  # reused, not remade
    folder = Path(homes["bo"]["XDG_CONFIG_HOME"]) / "turnchat"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("identity.key", "identity.crt"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    _, _, shown = tls_listener(turnchat, homes["bo"])
    assert shown == first
    assert own_fingerprint(turnchat, homes["ana"]) != first  # another machine, another key


def test_pinned_conversation_is_encrypted_on_the_wire(
    turnchat: Start, program: Callable[..., Program], homes, tmp_path: Path
) -> None:
    listener, port, key = tls_listener(turnchat, homes["bo"])
    dump = tmp_path / "wire.bin"
    proxy = program("socat", "-d", "-d", "-r", str(dump), "-R", str(dump),
                    "TCP-LISTEN:0,bind=127.0.0.1,fork", f"TCP:127.0.0.1:{port}")
    proxy_port = int(proxy.expect("err", r"listening on AF=2 127\.0\.0\.1:(\d+)").group(1))
    connector = turnchat("--connect", f"127.0.0.1:{proxy_port}", "--name", "ana", "--tls",
                         "--fingerprint", key, env=homes["ana"])
    connector.expect("err", rf"TLS 1\.3 with \[127\.0\.0\.1\]:{proxy_port}, key {re.escape(key)}"
                            r" \(as --fingerprint requires; remembered in .*known_peers\)\.")
    connector.write(b"the secret plan\n")
    listener.expect("out", "the secret plan\n")
    listener.write(b"top secret reply\n")
    connector.expect("out", "top secret reply\n")
    connector.write(b"/q\n")
    assert (connector.finish().status, listener.finish().status) == (0, 0)
    proxy.kill(15)
    proxy.finish()
    wire = dump.read_bytes()
    assert wire[:1] == b"\x16"  # a TLS handshake record
    for plain in (b"secret", b"turnchat", b'"name"'):
        assert plain not in wire


def test_wrong_fingerprint_fails_before_any_message(turnchat: Start, homes) -> None:
    listener, port, _ = tls_listener(turnchat, homes["bo"])
    wrong = own_fingerprint(turnchat, homes["eve"])
    done = turnchat("--connect", f"127.0.0.1:{port}", "--tls", "--fingerprint", wrong,
                    stdin=b"never sent\n", env=homes["ana"]).finish()
    assert done.status == 3
    assert re.fullmatch(rf"turnchat: refusing 127\.0\.0\.1:{port}: its key is {FINGERPRINT}, "
                        rf"not {re.escape(wrong)} as --fingerprint requires; nothing was "
                        r"sent\.\n", done.err)
    listener.close_stdin()
    listener.kill(15)
    assert "connected from" not in listener.finish().err


def test_first_contact_is_refused_unless_accepted_then_remembered(
    turnchat: Start, homes
) -> None:
    listener, port, key = tls_listener(turnchat, homes["bo"], "--keep")
    done = turnchat("--connect", f"127.0.0.1:{port}", "--tls", env=homes["ana"]).finish()
    assert done.status == 3
    assert done.err == (
        f"turnchat: [127.0.0.1]:{port} is not in {homes['ana']['XDG_CONFIG_HOME']}/turnchat/"
        f"known_peers; its key is {key}. Check that with the listener's owner (turnchat "
        f"--fingerprint) and connect with --fingerprint {key}, or with --accept-new to trust "
        "it on first use; nothing was sent.\n")
    first = turnchat("--connect", f"127.0.0.1:{port}", "--tls", "--accept-new",
                     stdin=b"trusted on first use\n", env=homes["ana"])
    first.expect("err", "new, trusted on first use \\(--accept-new\\)")
    listener.expect("out", "trusted on first use\n")
    listener.write(b"ok\n")
    assert first.finish().status == 0
    known = Path(homes["ana"]["XDG_CONFIG_HOME"]) / "turnchat" / "known_peers"
    assert known.read_text().startswith(f"[127.0.0.1]:{port} {key} ")
    assert stat.S_IMODE(known.stat().st_mode) == 0o600
    again = turnchat("--connect", f"127.0.0.1:{port}", "--tls", stdin=b"known now\n",
                     env=homes["ana"])
    again.expect("err", f"key {re.escape(key)} \\(known_peers since {TODAY}\\)")
    again.expect("err", rf"Connected to bo at 127\.0\.0\.1:{port} \(TLS, key known since "
                        rf"{TODAY}\)\.")  # who this is: said first, and in the toolbar
    listener.expect("out", "known now\n")
    listener.write(b"ok\n")
    assert again.finish().status == 0


def test_changed_key_is_refused_with_a_warning(turnchat: Start, homes) -> None:
    # ana trusts eve's listener on first use...
    first, first_port, _ = tls_listener(turnchat, homes["eve"])
    accepted = turnchat("--connect", f"127.0.0.1:{first_port}", "--tls", "--accept-new",
                        env=homes["ana"])
    first.expect("err", "connected from")
    accepted.close_stdin()
    first.kill(15)
    # ...and later that address answers with another key (bo's listener, moved there).
    listener, port, key = tls_listener(turnchat, homes["bo"])
    known = Path(homes["ana"]["XDG_CONFIG_HOME"]) / "turnchat" / "known_peers"
    remembered = known.read_text().replace(f"]:{first_port} ", f"]:{port} ")
    known.write_text("# the peers ana trusts\n" + remembered)
    done = turnchat("--connect", f"127.0.0.1:{port}", "--tls", stdin=b"never\n",
                    env=homes["ana"]).finish()
    assert done.status == 3
    assert done.err.startswith(f"turnchat: WARNING: THE KEY OF [127.0.0.1]:{port} HAS "
                               "CHANGED; refusing to connect.\n")
    assert f"Now:        {key}\n" in done.err
    assert done.err.endswith(f"remove line 2 of {known} and connect again; nothing was "
                             "sent.\n")
    listener.kill(15)
    assert "connected from" not in listener.finish().err


def test_tls_listener_refuses_a_plain_connector_in_words_both_understand(
    turnchat: Start, raw_peers: list[RawPeer], homes
) -> None:
    listener, port, _ = tls_listener(turnchat, homes["bo"])
    done = turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana").finish()
    assert done.status == 3
    assert done.err.endswith(f"turnchat: 127.0.0.1:{port} refused the conversation: this "
                             "listener uses TLS: connect with --tls.\n")
    listener.expect("err", r"Dropped a connection from 127\.0\.0\.1:\d+: it did not start TLS\.")
    person = RawPeer.connect(port)  # a person on nc gets a line, not a frame
    raw_peers.append(person)
    person.send(b"hello?\n")
    assert person.read_all() == b"[turnchat] closing: this listener uses TLS: connect with --tls\n"


def test_plain_listener_refuses_a_tls_connector_in_words_both_understand(
    turnchat: Start, homes
) -> None:
    listener = turnchat("--listen", "127.0.0.1:0", "--name", "bo")
    port = listening_port(listener)
    done = turnchat("--connect", f"127.0.0.1:{port}", "--tls", "--accept-new",
                    env=homes["ana"]).finish()
    assert done.status == 3
    assert done.err == (f"turnchat: cannot connect to 127.0.0.1:{port} with TLS: it answered "
                        "without TLS (is it listening without --tls?).\n")
    listener.expect("err", r"Dropped a connection from 127\.0\.0\.1:\d+: a TLS handshake, and "
                           r"this listener does not use --tls\.")


def test_the_listener_speaks_tls_1_3_only(turnchat: Start, homes) -> None:
    _, port, _ = tls_listener(turnchat, homes["bo"])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw, \
            context.wrap_socket(raw) as tls:
        assert tls.version() == "TLSv1.3"
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw, \
            pytest.raises(ssl.SSLError):
        context.wrap_socket(raw)


def test_bad_tls_flags_are_usage_errors(turnchat: Start) -> None:
    cases = {
        ("--connect", "--fingerprint", "SHA256:x"): "--fingerprint goes with --connect --tls",
        ("--connect", "--tls", "--fingerprint", "MD5:abc"): "is not of the form SHA256:",
        ("--listen", "--accept-new"): "--accept-new goes with --connect --tls",
        ("--listen", "--tls", "--raw"): "--raw cannot go with --tls",
    }
    for args, sentence in cases.items():
        done = turnchat(*args).finish()
        assert done.status == 2 and sentence in done.err and done.err.count("\n") == 1


def test_first_contact_asks_on_a_terminal(terminal, turnchat: Start, homes) -> None:
    listener, port, key = tls_listener(turnchat, homes["bo"])
    term: TerminalTurnchat = terminal("--connect", f"127.0.0.1:{port}", "--tls", "--name",
                                      "ana", env=homes["ana"])
    term.wait_for(rf"The listener \[127\.0\.0\.1\]:{port} is not known yet\. Its key "
                  r"fingerprint is")
    term.wait_for(re.escape(key))
    term.wait_for(r"Trust it and remember it \(yes/no\)\?")
    term.type("yse" + ENTER)  # a typo is not a no: asked again, as ssh does
    term.wait_for(r"Please type 'yes', 'no' or the fingerprint:")
    term.type("yes" + ENTER)
    term.wait_for("Connected to bo at")
    term.wait_for(rf"ana with bo \(127\.0\.0\.1:{port}, TLS, new key, trusted now\)")
    term.type("hi over tls" + ENTER)
    listener.expect("out", "hi over tls\n")


@pytest.mark.parametrize("args", [("--listen", "127.0.0.1:0", "--tls"), ("--fingerprint",)])
def test_without_the_cryptography_package_a_new_key_is_one_sentence(
    turnchat: Start, homes, args: tuple[str, ...]
) -> None:
    """A bare checkout (`python3 turnchat.py --tls`) has no cryptography to make a key."""
    done = turnchat(*args, env=homes["bo"],
                    fault="import sys; sys.modules['cryptography'] = None").finish()
    assert done.status == 3
    assert done.err.splitlines() == [
        "turnchat: this machine has no TLS key yet, and making one needs the Python package "
        "cryptography: install it (pip install cryptography), or start turnchat with 'make "
        "run', which sets up what it needs."]

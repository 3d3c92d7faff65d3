"""Pairing with a short code, with real processes on 127.0.0.1: the scenarios of issue 17.

Each person has a config folder of their own (XDG_CONFIG_HOME), as on their own machine:
bo listens, ana connects, eve is the stranger (and the man in the middle).
"""

import re
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pair_mitm import ManInTheMiddle
from tests.processes import Turnchat
from tests.relay import Relay
from tests.terminal import TerminalTurnchat
from tests.test_tls import FINGERPRINT, TODAY, own_fingerprint, tls_listener
from turnchat.net.tls import client_context
from turnchat.roles.code import parse_code
from turnchat.roles.known_peers import KnownPeers
from turnchat.wire.frames import FrameDecoder, FrameType, encode_frame

Start = Callable[..., Turnchat]
ENTER, CTRL_C = "\r", "\x03"
FAILED = "pairing failed: wrong code, or someone in the middle; nothing was sent"
# The "no binding" variant: the MACs leave the certificates out, so a man in the middle
# who relays the SPAKE2 messages unchanged pairs with both sides.
NO_BINDING = ("import turnchat.wire.pairing as pairing\n"
              "bound = pairing.transcript\n"
              "pairing.transcript = lambda offer, pake, name, mine, theirs: "
              "bound(offer, pake, name, b'', b'')\n")


def pairing_listener(turnchat: Start, home: dict[str, str], *args: str,
                     fault: str | None = None) -> tuple[Turnchat, int, str]:
    listener = turnchat("--listen", "127.0.0.1:0", "--name", "bo", "--pair", *args, env=home,
                        fault=fault)
    port = int(listener.expect("err", r"Listening on 127\.0\.0\.1:(\d+) with TLS").group(1))
    code = listener.expect("err", r"Pairing code: (\d+-[a-z]+-[a-z]+) \(tell it to the other "
                                  r"person; it works once\)\.").group(1)
    return listener, port, code


def pairing_connector(turnchat: Start, home: dict[str, str], port: int, code: str,
                      said: str = "hi bo\n", fault: str | None = None) -> Turnchat:
    return turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana", "--code",
                    env={**home, "TURNCHAT_CODE": code}, stdin=said.encode(), fault=fault)


def wrong(code: str) -> str:
    """Another valid code with the same nameplate: the words differ."""
    nameplate, odd, even = code.split("-")
    return f"{nameplate}-{odd}-{'aardvark' if even != 'aardvark' else 'absurd'}"


def certificate(home: dict[str, str]) -> bytes:
    pem = (Path(home["XDG_CONFIG_HOME"]) / "turnchat" / "identity.crt").read_text()
    return ssl.PEM_cert_to_DER_cert(pem)


def known_file(home: dict[str, str], name: str) -> str:
    path = Path(home["XDG_CONFIG_HOME"]) / "turnchat" / name
    return path.read_text() if path.exists() else ""


@pytest.mark.parametrize("through_relay", [False, True])
def test_an_honest_pair_talks_and_both_remember_each_other(
        turnchat: Start, homes, through_relay: bool) -> None:
    bo_key = own_fingerprint(turnchat, homes["bo"])
    ana_key = own_fingerprint(turnchat, homes["ana"])
    listener, port, code = pairing_listener(turnchat, homes["bo"])
    listener.write(b"hello ana\n")
    with Relay(("127.0.0.1", port), {}) as relay:
        reached = relay.port if through_relay else port
        ana = pairing_connector(turnchat, homes["ana"], reached, code)
        ana.expect("err", rf"Paired with bo at 127\.0\.0\.1:{reached}: code verified; its key "
                          rf"{re.escape(bo_key)} is remembered in .*known_peers, and it knows "
                          r"yours\.")
        listener.expect("err", r"Paired with ana: code verified; remembered in "
                               r".*known_connectors\.")
        listener.expect("err", r"ana connected from 127\.0\.0\.1:\d+ \(ana, paired just now\)")
        listener.close_stdin()
        done, bo_done = ana.finish(), listener.finish()
    assert (done.status, bo_done.status) == (0, 0), (done, bo_done)
    assert (done.out, bo_done.out) == ("hello ana\n", "hi bo\n")
    assert re.fullmatch(rf"ana {re.escape(ana_key)} \S+ {TODAY}\n",
                        known_file(homes["bo"], "known_connectors"))
    assert re.fullmatch(rf"\[127\.0\.0\.1\]:{reached} {re.escape(bo_key)} \S+ {TODAY} paired:bo\n",
                        known_file(homes["ana"], "known_peers"))


def test_the_code_is_typed_at_a_terminal_and_never_on_the_command_line(
        turnchat: Start, homes) -> None:
    listener, port, code = pairing_listener(turnchat, homes["bo"])
    ana = turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana", "--code",
                   env=homes["ana"], typed=True)
    ana.expect("err", "Pairing code: ")
    with open(f"/proc/{ana.popen.pid}/cmdline", "rb") as cmdline:
        assert code.encode() not in cmdline.read()
    ana.write(code.encode() + b"\n")
    listener.expect("err", r"Paired with ana: code verified")
    ana.expect("err", r"Paired with bo at")
    ana.write(b"/q\n")
    assert (ana.finish().status, listener.finish().status) == (0, 0)


@pytest.mark.parametrize(("how", "listener_says"), [
    ("relay", r"WARNING: the pairing code was right, but the certificates differ: someone is "
              r"in the middle of this connection"),
    ("swap", r"WARNING: the pairing code was right, but the certificates differ"),
    ("guess", r"Pairing failed \(wrong code; 1 of 3\)\. New pairing code: \d+-[a-z]+-[a-z]+"),
])
def test_a_man_in_the_middle_is_caught_on_both_sides(
        turnchat: Start, homes, tmp_path: Path, how: str, listener_says: str) -> None:
    listener, port, code = pairing_listener(turnchat, homes["bo"])
    with ManInTheMiddle(port, how, tmp_path / "eve") as eve:
        ana = pairing_connector(turnchat, homes["ana"], eve.port, code, said="the secret plan\n")
        done = ana.finish()
        listener.expect("err", listener_says)
    assert done.status == 3 and f"turnchat: {FAILED}." in done.err, done
    assert b"the secret plan" not in eve.said() and b"HELLO" not in eve.said()
    assert known_file(homes["ana"], "known_peers") == ""
    assert known_file(homes["bo"], "known_connectors") == ""
    listener.kill()


def test_without_the_binding_the_man_in_the_middle_reads_everything(
        turnchat: Start, homes, tmp_path: Path) -> None:
    """The test above has teeth: with the certificates left out of the MACs, the same
    relaying man in the middle pairs with both and reads the conversation."""
    listener, port, code = pairing_listener(turnchat, homes["bo"], fault=NO_BINDING)
    with ManInTheMiddle(port, "relay", tmp_path / "eve") as eve:
        ana = pairing_connector(turnchat, homes["ana"], eve.port, code,
                                said="the secret plan\n", fault=NO_BINDING)
        listener.expect("out", "the secret plan\n")
        listener.close_stdin()
        assert (ana.finish().status, listener.finish().status) == (0, 0)
    assert b"the secret plan" in eve.said()


def test_a_wrong_code_an_old_code_and_three_failures(turnchat: Start, homes) -> None:
    listener, port, code = pairing_listener(turnchat, homes["bo"])
    first = pairing_connector(turnchat, homes["ana"], port, wrong(code)).finish()
    assert first.status == 3 and f"turnchat: {FAILED}." in first.err, first
    new = listener.expect("err", r"Pairing failed \(wrong code; 1 of 3\)\. New pairing code: "
                                 r"(\d+-[a-z]+-[a-z]+) \(it works once\)\.").group(1)
    assert parse_code(new).nameplate != parse_code(code).nameplate
    old = pairing_connector(turnchat, homes["ana"], port, code).finish()
    assert old.status == 3 and "refused it, saying 'unknown code'; nothing was sent." in old.err
    listener.expect("err", rf"it offered the pairing code numbered "
                           rf"'{parse_code(code).nameplate}', not the current one")
    second = pairing_connector(turnchat, homes["ana"], port, wrong(new)).finish()
    assert second.status == 3
    newer = listener.expect("err", r"\(wrong code; 2 of 3\)\. New pairing code: "
                                   r"(\d+-[a-z]+-[a-z]+)").group(1)
    pairing_connector(turnchat, homes["ana"], port, wrong(newer)).finish()
    done = listener.finish()
    assert done.status == 3, done
    assert "pairing failed 3 times (wrong code the last time); someone may be guessing " \
           "codes, so this listener stops." in done.err
    assert "Traceback" not in done.err and known_file(homes["bo"], "known_connectors") == ""


def test_a_typo_is_caught_before_connecting(turnchat: Start, homes) -> None:
    listener, port, code = pairing_listener(turnchat, homes["bo"])
    nameplate, odd, even = code.split("-")
    typo = f"{nameplate}-{odd[:-1]}-{even}"
    done = pairing_connector(turnchat, homes["ana"], port, typo).finish()
    assert done.status == 2, done
    assert re.search(rf"'{odd[:-1]}' is not a word of the list; (did you mean {odd}\?|check)",
                     done.err), done.err
    assert "Nothing was sent." in done.err
    pairing_connector(turnchat, homes["ana"], port, code, said="").finish()  # the code still works
    listener.expect("err", "Paired with ana: code verified")


def test_a_hostile_pake_message_is_refused_in_a_sentence(turnchat: Start, homes) -> None:
    listener, port, code = pairing_listener(turnchat, homes["bo"])
    body = (f'{{"step":"offer","nameplate":"{parse_code(code).nameplate}","name":"eve",'
            f'"pake":"{"41" + "00" * 32}","certificate":"ZXZl"}}')
    with client_context().wrap_socket(__import__("socket").create_connection(
            ("127.0.0.1", port))) as eve:
        eve.sendall(encode_frame(FrameType.PAIR, body.encode()))
        decoder = FrameDecoder()
        while (frame := decoder.next_frame()) is None:
            data = eve.recv(65536)
            assert data, "closed without a word"
            decoder.receive_data(data)
    assert frame.type is FrameType.ERROR and frame.payload.startswith(b"pairing failed")
    listener.expect("err", r"Pairing failed \(a malformed PAKE message; 1 of 3\)\. New pairing "
                           r"code: (\d+-[a-z]+-[a-z]+)")
    assert "Traceback" not in listener.text("err")
    listener.kill()


def test_paired_peers_meet_again_without_a_code_and_strangers_are_refused(
        turnchat: Start, homes) -> None:
    listener, port, code = pairing_listener(turnchat, homes["bo"], "--keep")
    pairing_connector(turnchat, homes["ana"], port, code, said="").finish()
    # Again, no code: ana's certificate goes with the handshake, bo recognises it.
    again = turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana", "--tls",
                     env=homes["ana"], stdin=b"it is me again\n")
    listener.expect("out", "it is me again\n")
    listener.write(b"welcome back\n")
    listener.expect("err", rf"ana connected from 127\.0\.0\.1:\d+ \(ana, paired {TODAY}\)")
    again.expect("err", rf"Connected to bo at 127\.0\.0\.1:{port} \(TLS, paired with bo {TODAY}\)")
    assert again.finish().status == 0
    # eve claims the pairing: her own certificate goes along, and bo does not know it.
    KnownPeers(Path(homes["eve"]["XDG_CONFIG_HOME"]) / "turnchat" / "known_peers").add(
        f"[127.0.0.1]:{port}", certificate(homes["bo"]), paired="bo")
    own_fingerprint(turnchat, homes["eve"])
    stranger = turnchat("--connect", f"127.0.0.1:{port}", "--name", "eve", "--tls",
                        env=homes["eve"], stdin=b"let me in\n").finish()
    assert stranger.status == 3, stranger
    assert (f"turnchat: 127.0.0.1:{port} no longer knows your key (it forgot the pairing): "
            "pair again with --code; nothing was sent.") in stranger.err
    listener.expect("err", "it presented a certificate this listener does not know")
    assert "let me in" not in listener.text("out")
    listener.kill()


def test_known_only_admits_paired_connectors_and_refuses_the_rest(
        turnchat: Start, homes) -> None:
    listener, port, code = pairing_listener(turnchat, homes["bo"])
    pairing_connector(turnchat, homes["ana"], port, code, said="").finish()
    listener.finish()
    strict, port, _ = tls_listener(turnchat, homes["bo"], "--known-only", "--keep")
    known = Path(homes["ana"]["XDG_CONFIG_HOME"]) / "turnchat" / "known_peers"
    known.write_text(known.read_text().replace(":" + known.read_text().split()[0]
                                               .rsplit(":", 1)[1], f":{port}", 1))
    ana = turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana", "--tls",
                   env=homes["ana"], stdin=b"only us\n")
    strict.expect("out", "only us\n")
    strict.write(b"welcome\n")
    assert ana.finish().status == 0
    eve = turnchat("--connect", f"127.0.0.1:{port}", "--name", "eve", "--tls", "--accept-new",
                   env=homes["eve"], stdin=b"me too\n").finish()
    assert eve.status == 3
    assert (f"turnchat: 127.0.0.1:{port} admits only connectors paired with it "
            "(--known-only): pair with it first (--code); nothing was sent.") in eve.err
    strict.expect("err", r"it is not a paired connector \(--known-only admits no one else\)")
    strict.kill()


def test_forget_removes_a_pairing_on_either_side(turnchat: Start, homes) -> None:
    listener, port, code = pairing_listener(turnchat, homes["bo"], "--keep")
    pairing_connector(turnchat, homes["ana"], port, code, said="").finish()
    forgot = turnchat("--forget", "ana", env=homes["bo"]).finish()
    assert forgot.status == 0 and forgot.out.startswith("Forgot the connector 'ana' (1 key)")
    assert known_file(homes["bo"], "known_connectors") == ""
    # The running listener still trusts ana's certificate (it was admitted when paired);
    # a listener started now does not.
    listener.kill()
    fresh, port2, _ = tls_listener(turnchat, homes["bo"])
    known = Path(homes["ana"]["XDG_CONFIG_HOME"]) / "turnchat" / "known_peers"
    known.write_text(known.read_text().replace(f":{port} ", f":{port2} "))
    refused = turnchat("--connect", f"127.0.0.1:{port2}", "--name", "ana", "--tls",
                       env=homes["ana"], stdin=b"hi\n").finish()
    assert refused.status == 3 and "no longer knows your key" in refused.err, refused
    gone = turnchat("--forget", "bo", env=homes["ana"]).finish()
    assert gone.status == 0 and f"Forgot the listener [127.0.0.1]:{port2}" in gone.out, gone
    again = turnchat("--forget", "bo", env=homes["ana"]).finish()
    assert again.status == 2 and "no pairing with 'bo'" in again.err
    fresh.kill()


@pytest.mark.parametrize(("args", "sentence"), [
    (("--connect", "127.0.0.1:9", "--pair"), "--pair is for --listen"),
    (("--listen", "127.0.0.1:0", "--code"), "--code is for --connect"),
    (("--listen", "127.0.0.1:0", "--pair", "--known-only"), "--known-only goes with --listen"),
    (("--connect", "127.0.0.1:9", "--code", "--accept-new"), "--code proves the listener's key"),
    (("--connect", "127.0.0.1:9", "--code", "--line"), "pairing needs turnchat on both sides"),
    (("--connect", "127.0.0.1:9", "--code"), "--code needs the code: type it at a terminal, "
                                             "or set TURNCHAT_CODE"),
])
def test_pairing_flag_errors_are_one_sentence(turnchat: Start, homes, args: tuple[str, ...],
                                              sentence: str) -> None:
    done = turnchat(*args, env=homes["ana"], stdin=b"").finish()
    assert done.status == 2 and done.err.startswith("turnchat: ") and sentence in done.err, done
    assert done.err.count("\n") == 1 and not re.search(FINGERPRINT, done.err)


def test_in_terminals_the_code_is_typed_and_the_toolbars_name_the_pairing(
        terminal: Callable[..., TerminalTurnchat], homes) -> None:
    """Both faces interactive, in real ptys read through pyte: bo reads the code out, ana
    types it at the prompt; the first lines and the toolbars say who is paired."""
    bo = terminal("--listen", "127.0.0.1:0", "--name", "bo", "--pair", env=homes["bo"])
    port = int(bo.wait_for(r"Listening on 127\.0\.0\.1:(\d+) with TLS").group(1))
    code = bo.wait_for(r"Pairing code: (\d+-[a-z]+-[a-z]+) \(tell it").group(1)
    ana = terminal("--connect", f"127.0.0.1:{port}", "--name", "ana", "--code",
                   env=homes["ana"])
    ana.wait_for("Pairing code:")
    ana.type(code + ENTER)
    ana.wait_for(r"Paired with bo at 127\.0\.0\.1:\d+: code verified")
    ana.wait_for(r"YOUR TURN  \|  ana with bo \(127\.0\.0\.1:\d+, TLS, paired just now\)")
    bo.wait_for(r"ana connected from 127\.0\.0\.1:\d+ \(ana, paired just now\)")
    bo.wait_for(r"ANA'S TURN  \|  bo with ana \(127\.0\.0\.1:\d+, ana, paired just now\)")
    ana.type("we are paired" + ENTER)
    bo.wait_for("we are paired")
    ana.type(CTRL_C)
    assert ana.finish() == 0 and bo.finish() == 0


# Says at exit which of the pairing's modules the process loaded.
LOADED = ("import atexit, sys\n"
          "atexit.register(lambda: sys.stderr.write('loaded: ' + ' '.join(name for name in "
          "('spake2', 'turnchat.wire.pairing', 'turnchat.roles.pairing') "
          "if name in sys.modules) + '\\n'))\n")


@pytest.mark.parametrize(("flags", "loaded"), [
    ((), ""), (("--tls",), ""),
    (("--pair",), "spake2 turnchat.wire.pairing turnchat.roles.pairing"),
])
def test_spake2_is_imported_only_when_pairing(turnchat: Start, homes, flags: tuple[str, ...],
                                              loaded: str) -> None:
    listener = turnchat("--listen", "127.0.0.1:0", "--name", "bo", *flags, env=homes["bo"],
                        fault=LOADED, stdin=b"")
    port = int(listener.expect("err", r"Listening on 127\.0\.0\.1:(\d+)").group(1))
    if "--pair" in flags:
        code = listener.expect("err", r"Pairing code: (\S+) ").group(1)
        connector = pairing_connector(turnchat, homes["ana"], port, code, said="hi\n")
    else:
        connector = turnchat("--connect", f"127.0.0.1:{port}", "--name", "ana", *flags,
                             *(("--accept-new",) if flags else ()), env=homes["ana"],
                             stdin=b"hi\n", fault=LOADED)
    assert connector.finish().status == 0 and listener.finish().status == 0
    assert f"loaded: {loaded}\n" in listener.text("err")
    if "--pair" not in flags:
        assert "loaded: \n" in connector.text("err")


def test_a_tls_listener_that_sends_nothing_after_its_handshake_is_still_talked_to(
        turnchat: Start, homes, tmp_path: Path) -> None:
    """The connector reads the listener's first records after the handshake (where a
    refused certificate shows); a TLS server without session tickets sends none, and is
    greeted after a short wait, not refused."""
    import socket
    import threading

    from turnchat.roles.identity import load_or_create

    identity = load_or_create(tmp_path / "server")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(identity.cert_path, identity.key_path)
    context.num_tickets = 0
    server = socket.create_server(("127.0.0.1", 0))
    heard: list[int] = []

    def serve() -> None:
        raw, _ = server.accept()
        with context.wrap_socket(raw, server_side=True) as peer:
            decoder = FrameDecoder()
            while (frame := decoder.next_frame()) is None:
                decoder.receive_data(peer.recv(65536))
            heard.append(frame.type)
            peer.sendall(encode_frame(FrameType.HELLO, b'{"app":"turnchat","version":1,'
                                                       b'"name":"quiet"}')
                         + encode_frame(FrameType.QUIT, b""))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    done = turnchat("--connect", f"127.0.0.1:{server.getsockname()[1]}", "--tls",
                    "--accept-new", "--name", "ana", env=homes["ana"], stdin=b"").finish()
    thread.join(5)
    server.close()
    assert heard == [FrameType.HELLO]
    assert done.status == 0 and "Connected to quiet at 127.0.0.1:" in done.err, done

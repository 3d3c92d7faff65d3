#!/usr/bin/env python3
"""turnchat: a two-person, turn-based chat over one TCP connection.

This file is the executable: it reads the command line, binds or connects, picks the face
(interactive on a terminal, plain for pipes) and turns the ending into an exit status.
Everything else lives in the layers beside it, all inside the one package `turnchat`:
wire/ (the protocol, sans-IO), net/ (sockets on one selector thread), roles/ (listening and
connecting), faces/ (what the user sees), games/.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys

# Installed, the package `turnchat` is a folder and this file is `turnchat.turnchat`. In a
# checkout (`python3 turnchat.py`, or tests that import `turnchat`), this file stands for
# the package itself: the folder it is in holds the layers.
if __name__ in ("__main__", "turnchat"):
    __path__ = [os.path.dirname(os.path.abspath(__file__))]
    sys.modules.setdefault("turnchat", sys.modules[__name__])
    sys.modules.setdefault("turnchat.turnchat", sys.modules[__name__])  # the entry point

from turnchat.roles import DEFAULT_HOST, DEFAULT_PORT, CannotStart
from turnchat.session.ending import EXIT_STATUS_HELP, ExitStatus

TYPE_CHECKING = False  # type checkers take this as True; at run time typing is not loaded
if TYPE_CHECKING:
    from typing import NoReturn

    from turnchat.faces.interactive import InteractiveFace
    from turnchat.faces.plain import PlainFace
    from turnchat.faces.simple import SimpleFace
    from turnchat.roles.address import Address
    from turnchat.roles.code import Code
    from turnchat.roles.listener import Listener
    from turnchat.roles.starting import Start
    from turnchat.session.resuming import ResumeSettings
    from turnchat.session.transcript import Transcript

# `--help`, `--version` and command-line errors load nothing more than the modules above;
# the protocol, sockets and faces are imported where a conversation needs them.

__version__ = "1.0.0"
_FINGERPRINT_PATTERN = r"SHA256:[A-Za-z0-9+/]{43}"
DEFAULT_TIMEOUT = 10.0  # seconds to connect, and for the other side's HELLO to arrive
DEFAULT_WINDOW = 300.0  # --resume: as session/resuming.py (not imported for --help)
DEFAULT_HEARTBEAT = 30.0
DEFAULT_RELAY_WAIT = 600.0  # seconds at the relay for the peer to come

EXAMPLES = f"""\
examples:
  turnchat --listen                     wait for a peer on {DEFAULT_HOST}:{DEFAULT_PORT}
  turnchat --connect                    talk to that listener (you speak first)
  turnchat --listen 0.0.0.0:7777        accept a peer from other machines
  turnchat --connect 192.0.2.7:7777 --name ana
  turnchat --connect [::1]:7777         IPv6 literals go in brackets
  printf 'hi\\nbye\\n' | turnchat --connect    a scripted, turn-aware client
  turnchat --connect host:7777 --line   talk to a person on `nc -l 7777` (or socat)
  turnchat --listen --keep --log chat.jsonl   serve peer after peer, keeping a transcript
  turnchat --listen 0.0.0.0:7777 --tls  encrypted; shows this machine's key fingerprint
  turnchat --connect host:7777 --tls --fingerprint SHA256:...   only that listener
  turnchat --listen 0.0.0.0:7777 --pair   prints a code to read to the other person,
  turnchat --connect host:7777 --code     who types it here: both keys are then known
  turnchat --pair --relay relay.example.org    two homes behind routers: meet through a
  turnchat --code --relay relay.example.org    Magic Wormhole transit relay, with a code

A listener also takes a person on nc or telnet (`nc localhost 7777`): it sees
plain text and talks in line mode. --raw talks to the classic assignment programs.

In a conversation, type a line and press Enter on your turn; /q (or Ctrl-C,
Ctrl-D, end of input) leaves and tells the peer; /help lists the commands.
From a pipe or a file, /q is a script's line: it leaves in order, on your turn.

{EXIT_STATUS_HELP}"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help as wide as the terminal, measured only when help is shown: argparse makes a
    formatter for every add_argument too, and each would ask shutil for the size."""

    columns = 80

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=self.columns - 2)  # argparse's own margin


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _fail(ExitStatus.USAGE, f"{message}. Try 'turnchat --help'.")

    def format_help(self) -> str:
        import shutil

        _Formatter.columns = shutil.get_terminal_size().columns
        return super().format_help()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="turnchat",
        description="A two-person chat in strict turns over one TCP connection:\n"
        "one side listens, the other connects and speaks first.",
        epilog=EXAMPLES,
        formatter_class=_Formatter,
    )
    role = parser.add_mutually_exclusive_group()
    role.add_argument(
        "--listen", "-l", metavar="[HOST:]PORT", nargs="?", const="",
        help=f"wait for one peer (default {DEFAULT_HOST}:{DEFAULT_PORT}; port 0 picks a "
        "free one)",
    )
    role.add_argument(
        "--connect", "-c", metavar="HOST[:PORT]", nargs="?", const="",
        help=f"connect to a listener (default {DEFAULT_HOST}:{DEFAULT_PORT})",
    )
    plain = parser.add_mutually_exclusive_group()
    plain.add_argument(
        "--line", action="store_true",
        help="with --connect: the listener is nc, socat or telnet; one line is one message",
    )
    plain.add_argument(
        "--raw", action="store_true",
        help="no framing: each write is a message and each read of up to 4096 bytes is one "
        "(for the classic recv(4096) programs; messages can split or merge)",
    )
    parser.add_argument(
        "--tls", action="store_true",
        help="encrypt with TLS 1.3; the listener's key is pinned, as SSH pins host keys",
    )
    parser.add_argument(
        "--fingerprint", metavar="SHA256:...", nargs="?", const="",
        help="alone: print this machine's listener key fingerprint; with --connect --tls: "
        "accept only the listener with this key",
    )
    parser.add_argument(
        "--accept-new", action="store_true",
        help="with --connect --tls: trust a listener met for the first time without asking",
    )
    parser.add_argument(
        "--pair", action="store_true",
        help="with --listen: print a short code to read to the other person, who connects "
        "with --code; both keys are then known for good (implies --tls)",
    )
    parser.add_argument(
        "--code", action="store_true",
        help="with --connect: pair with a listener started with --pair; asks for the code "
        "(or reads TURNCHAT_CODE; never from the command line) (implies --tls)",
    )
    parser.add_argument(
        "--known-only", action="store_true",
        help="with --listen --tls: admit only connectors paired before",
    )
    parser.add_argument(
        "--forget", metavar="NAME",
        help="forget the pairing with NAME (a connector, or a listener's name or "
        "[HOST]:PORT), and exit",
    )
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument(
        "--resume", metavar="SECONDS", nargs="?", type=float, const=DEFAULT_WINDOW,
        help="survive a dropped connection: reconnect and resend what was lost, for up to "
        f"SECONDS (default {DEFAULT_WINDOW:g}); on by default with --tls, and needed on both "
        "sides without it (the session secret then crosses in clear)",
    )
    resume.add_argument(
        "--no-resume", action="store_true",
        help="a dropped connection ends the conversation (as a peer without resume does)",
    )
    parser.add_argument(
        "--heartbeat", type=float, metavar="SECONDS",
        help=f"with resume: send a heartbeat after SECONDS of silence (default "
        f"{DEFAULT_HEARTBEAT:g}); a connection silent three times that long is dead",
    )
    parser.add_argument(
        "--keep", "-k", action="store_true",
        help="with --listen: after a conversation, wait for the next peer (until Ctrl-C)",
    )
    parser.add_argument(
        "--log", metavar="FILE",
        help="append every message to FILE, one JSON object a line (made with mode 0600)",
    )
    parser.add_argument("--name", "-n", help="the name the peer sees (default: your login)")
    parser.add_argument(
        "--wait", type=float, metavar="SECONDS",
        help="with --connect: if nothing listens there yet, keep trying for up to SECONDS "
        "(so the two of you may start in either order); through a relay: how long to wait "
        f"there for the peer (default {DEFAULT_RELAY_WAIT:g})",
    )
    parser.add_argument(
        "--relay", metavar="HOST[:PORT]",
        help="with --pair or --code and no --listen/--connect: meet through this Magic "
        "Wormhole transit relay (default: $TURNCHAT_RELAY, or `relay = HOST:PORT` in the "
        "config file; port 4001)",
    )
    parser.add_argument(
        "--simple", action="store_true",
        help="for screen readers and simple terminals: no prompt, no cursor moves, every "
        "event one line on stdout (chosen by itself when TERM=dumb)",
    )
    parser.add_argument(
        "--no-bell", action="store_true",
        help="do not ring the terminal's bell when the turn comes to you (/bell toggles)",
    )
    parser.add_argument(
        "--timestamps", action="store_true",
        help="show each message's local time, HH:MM (/time toggles; --log always has it)",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
        help=f"time allowed to connect and to be greeted (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--version", action="version", version=f"turnchat {__version__}")
    return parser


def _say(sentence: str) -> None:
    """A sentence on stderr before any face runs (connecting, waiting)."""
    sys.stderr.write(sentence + "\n")
    sys.stderr.flush()


def _fail(status: ExitStatus, message: str) -> NoReturn:
    sys.stderr.write(f"turnchat: {message}\n")
    raise SystemExit(status)


def _login_name() -> str:
    """The login name, looked up as getpass.getuser() does, without importing getpass (and
    termios with it) on every start."""
    from turnchat.session.sanitize import sanitize_line
    from turnchat.wire.limits import MAX_NAME_CHARS

    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if name := os.environ.get(variable, ""):
            break
    else:
        import pwd

        try:
            name = pwd.getpwuid(os.getuid()).pw_name
        except (OSError, KeyError):  # no passwd entry and no LOGNAME/USER, as in containers
            name = ""
    return sanitize_line(name)[:MAX_NAME_CHARS] or "anonymous"


def _check_name(name: str) -> str:
    from turnchat.session.names import imitates_notices
    from turnchat.session.sanitize import sanitize_line
    from turnchat.wire.limits import MAX_NAME_CHARS

    if not name.strip():
        _fail(ExitStatus.USAGE, "--name must not be empty.")
    if sanitize_line(name) != name:
        _fail(ExitStatus.USAGE, "--name must not contain control or invisible characters.")
    if len(name) > MAX_NAME_CHARS:
        _fail(ExitStatus.USAGE, f"--name is {len(name)} characters; at most "
                                f"{MAX_NAME_CHARS} are allowed.")
    if imitates_notices(name.strip()):
        _fail(ExitStatus.USAGE, f"--name {name.strip()!r} would make your messages look like "
                                "turnchat's own lines; choose another.")
    return name.strip()


def _start(args: argparse.Namespace) -> Start:
    """Bind or connect as the command line asks; exit 2 or 3 with a sentence if we cannot.

    The conversation's modules (roles/starting.py and all below it) are loaded only once
    the connection is made: a connector that cannot connect says so without them."""
    from turnchat.roles.address import AddressError, parse_address

    if args.fingerprint == "" and args.listen is None and args.connect is None:
        _print_fingerprint()
    if args.forget is not None:
        _forget(args)
    if args.relay is not None and (args.listen is not None or args.connect is not None):
        _fail(ExitStatus.USAGE, "--relay replaces --listen and --connect: with it, --pair "
                              "makes a code and waits at the relay, --code joins.")
    if args.listen is None and args.connect is None:
        if args.pair or args.code:
            return _start_at_relay(args)
        if args.relay is not None:
            _fail(ExitStatus.USAGE, "--relay goes with --pair (make a code and wait there) or "
                                    "--code (join with the code).")
        _fail(ExitStatus.USAGE, "choose --listen (wait for a peer) or --connect (reach one). "
                                "Try 'turnchat --help'.")
    args.wait = args.wait or 0.0
    if args.wait and args.listen is not None:
        _fail(ExitStatus.USAGE, "--wait is for --connect: it keeps trying until the listener "
                                "is up.")
    if not 0 <= args.wait <= 86400:
        _fail(ExitStatus.USAGE, "--wait must be from 0 to 86400 seconds (a day).")
    if not 0 < args.timeout <= 3600:
        _fail(ExitStatus.USAGE, "--timeout must be more than 0 and at most 3600 seconds.")
    name = _check_name(args.name) if args.name is not None else _login_name()
    listening = args.listen is not None
    if args.line and listening:
        _fail(ExitStatus.USAGE, "--line is for --connect: a listener recognises a "
                                "plain-text peer by itself.")
    if args.keep and not listening:
        _fail(ExitStatus.USAGE, "--keep is for --listen: it waits for peer after peer.")
    pair = _pairing_flags(args, listening)
    if args.tls and args.raw:
        _fail(ExitStatus.USAGE, "--raw cannot go with --tls: raw mode is for programs that "
                                "do not speak TLS.")
    if (args.fingerprint is not None or args.accept_new) and (listening or not args.tls):
        flag, does = (("--fingerprint", "it names the one listener key to trust")
                      if args.fingerprint is not None else
                      ("--accept-new", "it trusts a listener's key on first use"))
        _fail(ExitStatus.USAGE, f"{flag} goes with --connect --tls: {does}.")
    if args.fingerprint and args.accept_new:
        _fail(ExitStatus.USAGE, "--fingerprint and --accept-new exclude each other: one "
                                "names the only key to trust, the other trusts any new one.")
    if args.fingerprint and not re.fullmatch(_FINGERPRINT_PATTERN, args.fingerprint):
        _fail(ExitStatus.USAGE, f"--fingerprint {args.fingerprint!r} is not of the form "
                                "SHA256: and 43 characters of base64, as "
                                "'turnchat --fingerprint' prints it.")
    resume = _resume_settings(args, mode_flag="--raw" if args.raw else "--line" if args.line
                              else "")
    text = args.listen if listening else args.connect
    try:
        address = parse_address(text or None, allow_port_zero=listening)
    except AddressError as error:
        _fail(ExitStatus.USAGE, f"{'--listen' if listening else '--connect'}: {error}.")
    from turnchat.wire import Mode

    mode = Mode.RAW if args.raw else Mode.LINE if args.line else Mode.FRAMES
    options = {"mode": mode, "keep": args.keep, "bell": not args.no_bell,
               "timestamps": args.timestamps, "resume": resume,
               "transcript": _open_transcript(args.log) if args.log is not None else None}
    try:
        if listening:
            from turnchat.roles.listener import open_listener

            options["listener"] = listener = open_listener(address, mode)
            if args.tls:
                _listen_with_tls(listener, name, args.pair, args.known_only)
                options["standing"] = "TLS"  # a connector has no key to check: only encryption
        elif args.tls:
            from turnchat.roles.pinning import Pairing, connect_tls

            sock, tls, decision, context = connect_tls(
                address, args.timeout, args.fingerprint, args.accept_new,
                _ask_trust if sys.stdin.isatty() and sys.stderr.isatty() else None,
                wait=args.wait, on_wait=_say,
                pair=Pairing(pair, name) if pair is not None else None)
            options.update(connected=sock, tls=tls, tls_context=context, origin=str(address),
                           address=address, notice=decision.sentence,
                           standing=decision.standing)
        else:
            from turnchat.roles.connector import connect

            options.update(connected=connect(address, args.timeout, args.wait, _say),
                           origin=str(address), address=address)
    except CannotStart as error:
        _fail(ExitStatus.UNREACHABLE, str(error))
    from turnchat.roles.starting import Start

    return Start(name, args.timeout, **options)


def _start_at_relay(args: argparse.Namespace) -> Start:
    """--pair or --code through a relay: meet the peer there, before any face starts."""
    from turnchat.roles.address import AddressError
    from turnchat.roles.relay import relay_address
    from turnchat.roles.starting import Start

    if args.keep or args.line or args.raw or args.known_only:
        flag = next(flag for flag, given in (("--keep", args.keep), ("--line", args.line),
                                             ("--raw", args.raw),
                                             ("--known-only", args.known_only)) if given)
        _fail(ExitStatus.USAGE, f"{flag} does not go with meeting through a relay.")
    if args.fingerprint is not None or args.accept_new:
        _fail(ExitStatus.USAGE, "the code proves the peer's key: leave out --fingerprint "
                                "and --accept-new.")
    wait = DEFAULT_RELAY_WAIT if args.wait is None else args.wait
    if not 1 <= wait <= 86400:
        _fail(ExitStatus.USAGE, "--wait must be from 1 to 86400 seconds (a day).")
    if not 0 < args.timeout <= 3600:
        _fail(ExitStatus.USAGE, "--timeout must be more than 0 and at most 3600 seconds.")
    name = _check_name(args.name) if args.name is not None else _login_name()
    try:
        relay = relay_address(args.relay)
    except AddressError as error:
        _fail(ExitStatus.USAGE, f"{error}.")
    code = _pairing_flags(args, listening=args.pair)
    from turnchat.wire import Mode

    args.tls = True
    start = Start(name, args.timeout, mode=Mode.FRAMES, bell=not args.no_bell,
                  timestamps=args.timestamps, resume=_resume_settings(args, mode_flag=""),
                  transcript=_open_transcript(args.log) if args.log is not None else None)
    start.relay = str(relay)
    until = f"up to {wait / 60:g} minutes" if wait >= 120 else f"up to {wait:g} s"
    waiting = f"Waiting at {relay} for your peer ({until}; Ctrl-C to stop)."
    try:
        if args.pair:
            _create_at_relay(start, relay, wait, waiting)
        else:
            from turnchat.roles.pinning import Pairing, connect_tls
            from turnchat.roles.relay import meet, token_for

            assert code is not None
            start.connected, start.tls, decision, start.tls_context = connect_tls(
                relay, args.timeout, None, False, None, pair=Pairing(code, name),
                dial=lambda: meet(relay, token_for(code.nameplate), wait, args.timeout,
                                  creator=False, on_waiting=lambda: _say(waiting)))
            start.notice, start.standing = decision.sentence, decision.standing
            start.origin, start.address = f"the relay {relay}", relay
    except CannotStart as error:
        _fail(ExitStatus.UNREACHABLE, str(error))
    return start


def _create_at_relay(start: Start, relay: Address, wait: float, waiting: str) -> None:
    """--pair through a relay: a code whose token nobody waits on yet, then the peer."""
    from turnchat.roles.code import new_code
    from turnchat.roles.listener import Listener
    from turnchat.roles.relay import MAX_SQUATTERS, Squatted, meet, token_for
    from turnchat.wire import Mode

    code = None
    for _ in range(MAX_SQUATTERS):
        code = new_code(code.nameplate if code is not None else "")
        show = f"Your code: {code} (tell it to your peer; it works once).\n{waiting}"
        try:
            start.relayed = meet(relay, token_for(code.nameplate), wait, start.timeout,
                                 creator=True, on_waiting=lambda said=show: _say(said))
            break
        except Squatted:
            _say(f"Someone was already waiting at {relay} on a new code's token; making "
                 "another code.")
    else:
        raise CannotStart(f"someone keeps waiting at {relay} on new codes' tokens (tried "
                          f"{MAX_SQUATTERS}); try again later, or use another relay.")
    start.listener = Listener([], Mode.FRAMES)
    _listen_with_tls(start.listener, start.name, pair=True, known_only=False, code=code,
                     relay=str(relay))
    start.standing = "TLS"


def _pairing_flags(args: argparse.Namespace, listening: bool) -> Code | None:
    """--pair, --code and --known-only: checked, with --tls implied; for --code the code,
    read from TURNCHAT_CODE or the terminal and checked before connecting."""
    if args.pair and not listening:
        _fail(ExitStatus.USAGE, "--pair is for --listen: the listener makes the code, and "
                                "the connector types it with --code.")
    if args.code and listening:
        _fail(ExitStatus.USAGE, "--code is for --connect: it asks for the code the "
                                "listener (--pair) printed.")
    if args.known_only and (not listening or args.pair):
        _fail(ExitStatus.USAGE, "--known-only goes with --listen --tls, without --pair: it "
                                "admits only connectors paired before.")
    if args.code and (args.fingerprint is not None or args.accept_new):
        _fail(ExitStatus.USAGE, "--code proves the listener's key by itself; leave out "
                                "--fingerprint and --accept-new.")
    if (args.pair or args.code) and (args.raw or args.line):
        _fail(ExitStatus.USAGE, "pairing needs turnchat on both sides, with TLS; leave out "
                                f"{'--raw' if args.raw else '--line'}.")
    if args.pair or args.code or args.known_only:
        args.tls = True
    if not args.code:
        return None
    from turnchat.roles.code import CodeError, parse_code

    text = os.environ.get("TURNCHAT_CODE", "")
    if not text:
        if not sys.stdin.isatty():
            _fail(ExitStatus.USAGE, "--code needs the code: type it at a terminal, or set "
                                    "TURNCHAT_CODE (never on the command line, which other "
                                    "users can read).")
        sys.stderr.write("Pairing code: ")
        sys.stderr.flush()
        text = sys.stdin.readline()
    try:
        return parse_code(text)
    except CodeError as error:
        _fail(ExitStatus.USAGE, f"{error} Nothing was sent.")


def _forget(args: argparse.Namespace) -> NoReturn:
    """--forget NAME: remove the pairings with NAME, on either side."""
    from turnchat.roles.known_connectors import KnownConnectors
    from turnchat.roles.known_peers import KnownPeers

    if args.listen is not None or args.connect is not None:
        _fail(ExitStatus.USAGE, "--forget goes alone: it changes the files and exits.")
    try:
        connectors = KnownConnectors()
        listeners = KnownPeers()
        gone = connectors.forget(args.forget)
        keys = listeners.forget(args.forget)
    except CannotStart as error:
        _fail(ExitStatus.USAGE, str(error))
    if not gone and not keys:
        _fail(ExitStatus.USAGE, f"no pairing with {args.forget!r} in {connectors.path} or "
                                f"{listeners.path}; nothing changed.")
    if gone:
        print(f"Forgot the connector {args.forget!r} ({gone} key{'s' if gone > 1 else ''}) "
              f"in {connectors.path}.")
    for key in keys:
        print(f"Forgot the listener {key} in {listeners.path}.")
    raise SystemExit(ExitStatus.ENDED)


def _resume_settings(args: argparse.Namespace, mode_flag: str) -> ResumeSettings | None:
    """--resume, --no-resume and --heartbeat: the ResumeSettings, or None for no resume."""
    if args.resume is not None and not 1 <= args.resume <= 86400:
        _fail(ExitStatus.USAGE, "--resume must be from 1 to 86400 seconds (a day).")
    if args.heartbeat is not None and not 0.05 <= args.heartbeat <= 3600:
        _fail(ExitStatus.USAGE, "--heartbeat must be from 0.05 to 3600 seconds.")
    if mode_flag and args.resume is not None:
        _fail(ExitStatus.USAGE, f"--resume cannot go with {mode_flag}: resuming needs "
                                "turnchat on both sides.")
    wanted = not args.no_resume and not mode_flag and (args.tls or args.resume is not None)
    if args.heartbeat is not None and not wanted:
        _fail(ExitStatus.USAGE, "--heartbeat goes with resume (--resume, or --tls).")
    if not wanted:
        return None
    from turnchat.session.resuming import ResumeSettings

    return ResumeSettings(window=args.resume or DEFAULT_WINDOW,
                          heartbeat=args.heartbeat or DEFAULT_HEARTBEAT)


def _print_fingerprint() -> NoReturn:
    """`turnchat --fingerprint`: the key a --tls listener here presents (made if need be)."""
    from turnchat.roles.identity import load_or_create

    try:
        identity = load_or_create()
    except CannotStart as error:
        _fail(ExitStatus.UNREACHABLE, str(error))
    print(identity.fingerprint)
    raise SystemExit(ExitStatus.ENDED)


def _listen_with_tls(listener: Listener, name: str, pair: bool, known_only: bool,
                     code: Code | None = None, relay: str = "") -> None:
    """Our identity, the connectors we paired with (their certificates admitted as TLS
    client certificates), and with --pair the desk that makes codes."""
    from turnchat.net.tls import admit_clients
    from turnchat.roles.identity import load_or_create
    from turnchat.roles.known_connectors import KnownConnectors

    identity = load_or_create()
    known = KnownConnectors()
    admit_clients(identity.context, [each.certificate_der for each in known.all()],
                  required=known_only)
    listener.use_tls(identity.context, identity.fingerprint)
    listener.known_connectors = known
    if pair:
        from turnchat.roles.pairing import PairingDesk

        listener.pairing = PairingDesk(
            name, identity.certificate_der, known,
            lambda der: identity.context.load_verify_locations(cadata=der), code, relay)


def _ask_trust(key: str, fingerprint: str) -> bool:
    """First contact on a terminal: show the key and ask, as ssh does."""
    sys.stderr.write(f"The listener {key} is not known yet. Its key fingerprint is\n"
                     f"    {fingerprint}\n"
                     "Compare it with what its owner sees (turnchat --fingerprint).\n"
                     "Trust it and remember it (yes/no)? ")
    while True:  # a typo is asked again, as ssh does; only yes (or the key itself) trusts
        sys.stderr.flush()
        line = sys.stdin.readline()
        answer = line.strip()
        if answer.lower() in ("yes", "y") or answer == fingerprint:
            return True
        if not line or answer.lower() in ("no", "n"):  # end of input is no
            return False
        sys.stderr.write("Please type 'yes', 'no' or the fingerprint: ")


def _open_transcript(path: str) -> Transcript:
    """Open --log now, before any connection, so a bad path fails at once."""
    from turnchat.session.transcript import Transcript, TranscriptError

    if not path:
        _fail(ExitStatus.USAGE, "--log needs a file name.")
    try:
        return Transcript.open(path)
    except TranscriptError as error:
        _fail(ExitStatus.USAGE, f"--log: {error}.")


def _run(start: Start, simple: bool) -> ExitStatus:
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if simple or (terminal and os.environ.get("TERM") == "dumb"):
        from turnchat.faces.simple import SimpleFace

        face: SimpleFace | InteractiveFace | PlainFace = SimpleFace(start)
    elif terminal and (interactive := _interactive_face()) is not None:
        face = interactive(start)
    else:
        from turnchat.faces.plain import PlainFace

        face = PlainFace(start)
    _collect_from_now_on()
    return face.run()


def _interactive_face() -> type[InteractiveFace] | None:
    """The interactive face, or None (said why) when prompt_toolkit is missing."""
    try:
        from turnchat.faces.interactive import InteractiveFace
    except ImportError:
        sys.stderr.write("turnchat: prompt_toolkit is not installed, so this terminal "
                         "gets the plain face (pip install prompt_toolkit).\n")
        return None
    return InteractiveFace


def _collect_from_now_on() -> None:
    """Start-up is over: what it made is frozen (moved where the collector never looks
    again, since it lives until exit) and the collector runs from now on."""
    gc.freeze()
    gc.enable()


def main(argv: list[str] | None = None) -> int:
    # Start-up allocates only what lives as long as the process (modules, classes, the
    # parser): the cyclic collector, run again and again while they load, would find
    # nothing to free, and costs a plain turnchat a twentieth of its start-up. It is
    # switched on again (`_collect_from_now_on`) as the conversation begins.
    gc.disable()
    try:
        args = _parser().parse_args(argv)
        return _run(_start(args), args.simple)
    except KeyboardInterrupt:  # Ctrl-C while resolving or connecting, before any face
        sys.stderr.write("Stopped before the conversation began.\n")
        return ExitStatus.ENDED
    except Exception as error:  # a bug: one sentence, and the details only when asked
        if os.environ.get("TURNCHAT_DEBUG"):
            raise
        sys.stderr.write(f"turnchat: turnchat stopped because of a bug ({type(error).__name__}: "
                         f"{error}); TURNCHAT_DEBUG=1 shows the details.\n")
        return ExitStatus.FAILED
    finally:
        gc.enable()  # main() may be called in a longer process (tests)


if __name__ == "__main__":
    sys.exit(main())

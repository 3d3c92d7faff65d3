#!/usr/bin/env python3
"""turnchat: a two-person, turn-based chat over one TCP connection.

This file is the executable: it reads the command line, binds or connects, picks the face
(interactive on a terminal, plain for pipes) and turns the ending into an exit status.
Everything else lives in the packages beside it: wire/ (the protocol, sans-IO), net/
(sockets on one selector thread), roles/ (listening and connecting), faces/ (what the user
sees).
"""

from __future__ import annotations

import argparse
import os
import sys

from faces.ending import EXIT_STATUS_HELP, ExitStatus
from roles import DEFAULT_HOST, DEFAULT_PORT, CannotStart

TYPE_CHECKING = False  # type checkers take this as True; at run time typing is not loaded
if TYPE_CHECKING:
    from typing import NoReturn

    from roles.starting import Start

# `--help`, `--version` and command-line errors load nothing more than the modules above;
# the protocol, sockets and faces are imported where a conversation needs them.

__version__ = "1.0.0"
DEFAULT_TIMEOUT = 10.0  # seconds to connect, and for the other side's HELLO to arrive

EXAMPLES = f"""\
examples:
  turnchat --listen                     wait for a peer on {DEFAULT_HOST}:{DEFAULT_PORT}
  turnchat --connect                    talk to that listener (you speak first)
  turnchat --listen 0.0.0.0:7777        accept a peer from other machines
  turnchat --connect 192.0.2.7:7777 --name ana
  turnchat --connect [::1]:7777         IPv6 literals go in brackets
  printf 'hi\\nbye\\n' | turnchat --connect    a scripted, turn-aware client

In a conversation, type a line and press Enter on your turn; /q (or Ctrl-C,
Ctrl-D, end of input) leaves and tells the peer; /help lists the commands.

{EXIT_STATUS_HELP}"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _fail(ExitStatus.USAGE, f"{message}. Try 'turnchat --help'.")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="turnchat",
        description="A two-person chat in strict turns over one TCP connection:\n"
        "one side listens, the other connects and speaks first.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument("--name", "-n", help="the name the peer sees (default: your login)")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
        help=f"time allowed to connect and to be greeted (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--version", action="version", version=f"turnchat {__version__}")
    return parser


def _fail(status: ExitStatus, message: str) -> NoReturn:
    sys.stderr.write(f"turnchat: {message}\n")
    raise SystemExit(status)


def _login_name() -> str:
    import getpass

    from faces.sanitize import sanitize_line
    from wire.limits import MAX_NAME_CHARS

    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no passwd entry and no LOGNAME/USER, as in some containers
        name = ""
    return sanitize_line(name)[:MAX_NAME_CHARS] or "anonymous"


def _check_name(name: str) -> str:
    from faces.sanitize import sanitize_line
    from wire.limits import MAX_NAME_CHARS

    if not name.strip():
        _fail(ExitStatus.USAGE, "--name must not be empty.")
    if sanitize_line(name) != name:
        _fail(ExitStatus.USAGE, "--name must not contain control characters.")
    if len(name) > MAX_NAME_CHARS:
        _fail(ExitStatus.USAGE, f"--name is {len(name)} characters; at most "
                                f"{MAX_NAME_CHARS} are allowed.")
    return name.strip()


def _start(args: argparse.Namespace) -> Start:
    """Bind or connect as the command line asks; exit 2 or 3 with a sentence if we cannot."""
    from roles.address import AddressError, parse_address
    from roles.starting import Start

    if args.listen is None and args.connect is None:
        _fail(ExitStatus.USAGE, "choose --listen (wait for a peer) or --connect (reach one). "
                                "Try 'turnchat --help'.")
    if not 0 < args.timeout <= 3600:
        _fail(ExitStatus.USAGE, "--timeout must be more than 0 and at most 3600 seconds.")
    name = _check_name(args.name) if args.name is not None else _login_name()
    listening = args.listen is not None
    text = args.listen if listening else args.connect
    try:
        address = parse_address(text or None, allow_port_zero=listening)
    except AddressError as error:
        _fail(ExitStatus.USAGE, f"{'--listen' if listening else '--connect'}: {error}.")
    try:
        if listening:
            from roles.listener import open_listener

            return Start(name, args.timeout, listener=open_listener(address))
        from roles.connector import connect

        sock = connect(address, args.timeout)
        return Start(name, args.timeout, connected=sock, origin=str(address))
    except CannotStart as error:
        _fail(ExitStatus.UNREACHABLE, str(error))


def _run(start: Start) -> ExitStatus:
    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            from faces.interactive import InteractiveFace
        except ImportError:
            sys.stderr.write("turnchat: prompt_toolkit is not installed, so this terminal "
                             "gets the plain face (pip install prompt_toolkit).\n")
        else:
            return InteractiveFace(start).run()
    from faces.plain import PlainFace

    return PlainFace(start).run()


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return _run(_start(args))
    except KeyboardInterrupt:  # Ctrl-C while resolving or connecting, before any face
        sys.stderr.write("Stopped before the conversation began.\n")
        return ExitStatus.ENDED
    except Exception as error:  # a bug: one sentence, and the details only when asked
        if os.environ.get("TURNCHAT_DEBUG"):
            raise
        sys.stderr.write(f"turnchat: internal error ({type(error).__name__}: {error}); "
                         "run with TURNCHAT_DEBUG=1 for details.\n")
        return ExitStatus.FAILED


if __name__ == "__main__":
    sys.exit(main())

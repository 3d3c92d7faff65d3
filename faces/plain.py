"""The plain face, for pipes and scripts: no prompt_toolkit and no asyncio.

stdout carries exactly the peer's messages, sanitised, one per line (a message with
newlines gives several lines), flushed as each arrives; every notice, and every game board,
goes to stderr. Input lines are taken in order, each on our turn (a message, a move, or a
game command), `/help` and `/score` need no turn, and a hangman setter's message goes with
its next answer. A `/q` line from a pipe or a file is a script's last line like any other:
it is taken in order on our turn, so the script gets the reply to the line before it. A
`/q` typed at a terminal is a person leaving: at once, even out of turn and even behind
lines that wait for their turn (with --keep, `/q` leaves that peer and the listener waits
for the next). End of input quits
when our turn comes, so `printf 'hi\\n' | turnchat --connect HOST` says hi,
prints the reply and leaves; a --keep listener whose input has ended stops once no one is
connected (a one-shot listener waits: its input is for the peer to come). Ctrl-C, SIGTERM
and SIGHUP quit at once. Other lines that start with `/` are sent as they are: a script's
data stays intact.
"""

import os
import select
import signal
import sys
from collections.abc import Callable

from turnchat.faces.stdin_lines import Marker, StdinLines
from turnchat.net.closing import Farewells
from turnchat.net.reactor import SelectorReactor
from turnchat.roles.starting import Start, begin
from turnchat.session.chat import Ending, Phase
from turnchat.session.ending import ExitStatus
from turnchat.wire import LocalProtocolError

STDOUT = 1
# Python 3.11 resolves every `Enum.MEMBER` through EnumType.__getattr__'s slow hook (3.12
# dropped it): the per-message path below compares with these module names instead.
_ENDED, _QUIT, _END_OF_INPUT = Phase.ENDED, Marker.QUIT, Marker.END_OF_INPUT


class PlainFace:
    """A ChatView that writes to stdout and stderr and reads lines from stdin."""

    def __init__(self, start: Start) -> None:
        self.reactor = SelectorReactor()
        self.chat = start.chat(self.reactor, self)
        self.farewells = Farewells()  # connections still closing: we exit after them
        self.status = ExitStatus.ENDED
        self._start = start
        self._stdout_open = True
        self._done = False  # the conversation has ended and its connections are closed
        self.input = StdinLines(self.reactor, 0, self.refresh, self.show_notice)

    def run(self) -> ExitStatus:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self.reactor.add_signal_handler(signum, self.chat.quit)
        try:
            if self._guarded(lambda: begin(self._start, self.chat, self.reactor,
                                           self.farewells)) and \
                    self.chat.phase is not Phase.ENDED:
                self._guarded(self.refresh)
            while not self._done:
                self._guarded(self.reactor.run)
        finally:
            self.reactor.close()
        return self.status

    def _guarded(self, step: Callable[[], None]) -> bool:
        """Run `step`; a bug in it ends the conversation with a sentence and tells the peer,
        instead of ending the process with a traceback. False if it raised."""
        try:
            step()
        except Exception as error:
            if os.environ.get("TURNCHAT_DEBUG"):
                raise
            if self.chat.ending is None:
                self.chat.fail(error)
            else:  # while closing: the ending is already said; this is not hidden either
                _to_stderr(f"turnchat: a bug while closing ({type(error).__name__}: {error}).")
                self._stop()
            return False
        return True

    # -- ChatView --------------------------------------------------------------------------

    def show_message(self, sender: str, text: str) -> None:
        if not self._stdout_open:
            return
        try:
            write_all(STDOUT, (text + "\n").encode())  # UTF-8, as it came
        except BrokenPipeError:
            self._stdout_open = False
            devnull = os.open(os.devnull, os.O_WRONLY)  # so the exit-time flush stays quiet
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
            self.show_notice("Standard output was closed; leaving the conversation.")
            self.chat.quit()

    def show_notice(self, text: str) -> None:
        _to_stderr(text)

    def show_game(self, text: str) -> None:
        _to_stderr(text)

    def refresh(self) -> None:
        """Send what the queue allows now: lines and a script's /q on our turn, a person's
        /q at once, the end of input on our turn."""
        chat, lines = self.chat, self.input
        queue, person = lines.queue, lines.person
        while chat.phase is not _ENDED:
            if not queue:
                lines.fill()
                if not queue:
                    return
            if person and _QUIT in queue:  # a person's /q: leave now, whatever waits before it
                queue.remove(_QUIT)  # the lines before it are counted as not sent
                chat.leave()
                continue
            head = queue[0]
            if isinstance(head, str):
                if "/" in head:  # a command, or a script's data that starts with /
                    if not chat.my_turn and not self._takes_now(head):
                        return
                elif not chat.takes_lines:  # a message, the usual line: one question
                    return
                lines.pop()
                try:
                    self._enter(head)
                except LocalProtocolError as error:  # StdinLines refused the usual cases
                    self.show_notice(str(error))
                continue
            if not chat.my_turn and not chat.waits_for_the_next_peer:
                return  # the end of input, or a script's /q: in order, on our turn
            lines.pop()
            if head is _QUIT:
                chat.leave()
            else:
                chat.quit()
                return

    def _takes_now(self, line: str) -> bool:
        """Whether `line`, which has a slash, may be taken off our turn: /help, /score, or
        a held message."""
        from turnchat.session.commands import TAKES_NO_TURN, Command, parse_command

        command = parse_command(line)[0]
        if command is not Command.MESSAGE and command is not Command.UNKNOWN:
            return command in TAKES_NO_TURN
        return self.chat.can_hold()

    def _enter(self, line: str) -> None:
        chat = self.chat
        if "/" not in line:
            chat.say(line)
            return
        # The commands are loaded for the first line with a slash, not at start-up.
        from turnchat.session.commands import Command, help_text, parse_command

        command, text = parse_command(line)
        if command is Command.MESSAGE:  # //text or /say text: a message as it is
            if text.strip():
                chat.say(text, literal=True)
        elif command is Command.UNKNOWN:  # a script's data that starts with /
            chat.say(line, literal=True)
        elif command is Command.HELP:
            self.show_notice(help_text())
        elif command in (Command.BELL, Command.TIME):
            self._face_command(line)
        else:
            chat.table.command(command, text)

    def _face_command(self, line: str) -> None:
        """/bell or /time: the interactive face's; a script's line that happens to read so
        is its data, sent as it is."""
        self.chat.say(line, literal=True)

    def finish(self, ending: Ending) -> None:
        self.status = ending.status
        unsent = sum(isinstance(item, str) for item in self.input.queue)
        if unsent:
            self.show_notice(f"{unsent} line{'s' if unsent > 1 else ''} of the input "
                             f"{'were' if unsent > 1 else 'was'} not sent.")
        self.show_notice(ending.message if ending.status is ExitStatus.ENDED
                         else f"turnchat: {ending.message}")
        self.farewells.when_done(self._stop)

    def _stop(self) -> None:
        self._done = True
        self.reactor.stop()


def write_all(fd: int, data: bytes) -> None:
    """Write straight to the file: one system call per message, no buffer to flush."""
    while data:
        try:
            data = data[os.write(fd, data):]
        except BlockingIOError:  # a non-blocking stdout shared with another program
            select.select([], [fd], [])


def _to_stderr(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except OSError:
        pass

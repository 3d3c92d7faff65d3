"""The interactive face: one prompt_toolkit prompt, alive for the whole conversation.

It runs on asyncio's SelectorEventLoop, the same selector that watches the socket (asyncio's
loop offers the Reactor methods the socket code uses), so there is one thread and no
polling. Incoming messages print above the prompt through `run_in_terminal`, so the line
being typed is never broken. Enter is ours: on the peer's turn it keeps the draft and says
whose turn it is; on ours it sends; `/q`, `/help`, Ctrl-C and Ctrl-D work at any time.
`/play GAME` alone, for a game that takes a secret (hangman's word), asks for it on the same
prompt, hidden.
"""

import asyncio
import collections
import contextlib
import errno
import os
import re
import selectors
import signal
import time
from collections.abc import Awaitable
from typing import Any

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.application import Application, run_in_terminal
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText, StyleAndTextTuples
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.styles import Style
from prompt_toolkit.utils import get_cwidth

from turnchat.net.closing import Farewells
from turnchat.roles.starting import Start, begin
from turnchat.session.chat import HELD, MOVED, Ending, NotYourTurn, Phase
from turnchat.session.commands import Command, help_text, parse_command
from turnchat.session.ending import ExitStatus
from turnchat.session.names import NOTICE_MARK
from turnchat.session.table import GameTable, MoveRefused
from turnchat.wire import LocalProtocolError, Mode

SHOWN_KEPT = 500  # lines printed above the prompt kept to redraw a resized window
# How writing to a terminal fails once its window has closed (the kernel hung up on it).
_TERMINAL_GONE = (errno.EIO, errno.ENXIO, errno.EBADF)
# What no key and no paste may put into a draft: C0 controls but the newline, DEL, C1.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")

STYLE = Style.from_dict({
    "peer": "bold ansicyan",
    "me": "bold ansigreen",
    "notice": "ansibrightblack",
    "game": "",
    "failure": "bold ansired",
    "prompt.mine": "bold ansigreen",
    "prompt.theirs": "ansiyellow",
    "prompt.waiting": "ansibrightblack",
    "bottom-toolbar": "noreverse bg:ansiblue ansiwhite",
    "bottom-toolbar.turn": "bold",
})


class InteractiveFace:
    """A ChatView drawn by prompt_toolkit above and below one long-lived prompt."""

    def __init__(self, start: Start) -> None:
        self._start = start
        self._ending: Ending | None = None
        self._draft = ""
        self._last_print: Awaitable[Any] | None = None
        self._crash: BaseException | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # What was printed above the prompt, newest last: redrawn when the window resizes.
        self._shown: collections.deque[StyleAndTextTuples] = collections.deque(maxlen=SHOWN_KEPT)
        self._asking_secret = ""  # the game whose secret the prompt is reading, hidden
        # Why Enter did not send the draft, and whose turn it was: in the toolbar until the
        # draft or the turn changes.
        self._refusal: tuple[str, bool] | None = None
        self._bell = start.bell  # ring when the turn comes to us
        self._timestamps = start.timestamps  # HH:MM before each message
        self._had_turn = False  # whether it was our turn at the last refresh

    def run(self) -> ExitStatus:
        def loop_factory() -> asyncio.AbstractEventLoop:
            return asyncio.SelectorEventLoop(selectors.DefaultSelector())

        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(self._main())
        if self._crash is not None:
            raise self._crash
        assert self._ending is not None
        return self._ending.status

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(self._on_crash)
        self.chat = self._start.chat(loop, self)
        farewells = Farewells()  # connections still closing: we exit after them
        self.session: PromptSession[str] = PromptSession(
            message=self._prompt,
            bottom_toolbar=self._toolbar,
            key_bindings=self._key_bindings(),
            history=InMemoryHistory(),
            style=STYLE,
            include_default_pygments_style=False,
            erase_when_done=True,
            is_password=Condition(lambda: bool(self._asking_secret)),
        )
        self.session.default_buffer.on_text_changed += self._draft_changed
        # prompt_toolkit 3.0 calls Application._on_resize on SIGWINCH; ours draws the whole
        # screen, not only the prompt's old rows. SIGWINCH is all it needs: polling the size
        # (every 0.5 s by default) would be the one thing that wakes a waiting turnchat
        # (about 29 ms of CPU a minute).
        self.session.app._on_resize = self._redraw_all  # type: ignore[method-assign]
        self.session.app.terminal_size_polling_interval = None
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, self.chat.quit)
        try:
            begin(self._start, self.chat, loop, farewells)
            if self._ending is None:
                # Our exception handler, not prompt_toolkit's "Press ENTER to continue" one.
                await self.session.prompt_async(pre_run=self._exit_if_ended,
                                                set_exception_handler=False)
        except (EOFError, OSError):  # the terminal went away (its window closed): we leave
            self.chat.quit()
        except Exception as error:  # a bug in a key binding or in starting
            self._fail(error)
        if self._ending is None:  # the prompt ended on its own: leave, telling the peer
            self.chat.quit()
        if self._draft.strip():
            self._print([("class:notice", _marked("Your unsent draft: ")), ("", self._draft)])
        if self._ending is not None:
            ending = self._ending
            failed = ending.status is not ExitStatus.ENDED
            self._print([("class:failure" if failed else "class:notice",
                          _marked(("turnchat: " if failed else "") + ending.message))])
        closed = loop.create_future()
        farewells.when_done(lambda: closed.done() or closed.set_result(None))
        await closed  # the last words reach the peer before we exit

    # -- ChatView --------------------------------------------------------------------------

    def show_message(self, sender: str, text: str) -> None:
        self._print_message("class:peer", sender, text)

    def show_notice(self, text: str) -> None:
        self._print([("class:notice", _marked(text))])

    def show_game(self, text: str) -> None:
        self._print([("class:game", _marked(text))])

    def refresh(self) -> None:
        app = self.session.app
        my_turn = self.chat.my_turn
        if my_turn and not self._had_turn and self._bell and app.is_running:
            app.output.bell()  # one BEL: the terminal decides what it means (sound, flash)
            app.output.flush()
        self._had_turn = my_turn
        if app.is_running:
            app.invalidate()

    def finish(self, ending: Ending) -> None:
        self._ending = ending
        self._draft = self.session.default_buffer.text
        self._exit_if_ended()

    # -- drawing ---------------------------------------------------------------------------

    def _print(self, fragments: StyleAndTextTuples) -> None:
        app = self.session.app
        self._shown.append(fragments)
        if app.is_running:
            line = [*fragments, ("", "\n")]
            self._last_print = run_in_terminal(lambda: app.print_text(line))
        else:
            with contextlib.suppress(OSError):  # the terminal is gone: nobody to show
                print_formatted_text(FormattedText(fragments), style=STYLE,
                                     include_default_pygments_style=False)

    def _redraw_all(self) -> None:
        """The window changed size: draw the whole screen anew, the recent conversation and
        then the prompt. (prompt_toolkit would erase only the rows the prompt had at the
        old width; a terminal that reflows wrapped rows, as most do, keeps the rest of the
        old prompt on screen as a stale copy.)"""
        app = self.session.app
        output = app.output
        output.erase_screen()
        output.cursor_goto(0, 0)
        size = output.get_size()
        room = max(0, size.rows - 2 - self._prompt_rows(size.columns))  # prompt and toolbar
        recent: list[StyleAndTextTuples] = []
        for fragments in reversed(self._shown):
            rows = _rows(fragments, size.columns)
            if rows > room:
                break
            room -= rows
            recent.append(fragments)
        for fragments in reversed(recent):
            app.print_text([*fragments, ("", "\n")])
        app.renderer.reset(leave_alternate_screen=False)
        app._request_absolute_cursor_position()
        app._redraw()

    def _prompt_rows(self, columns: int) -> int:
        prompt = "".join(text for _, text, *_ in self._prompt())
        return _rows([("", prompt + self.session.default_buffer.text)], columns)

    def _print_message(self, style: str, sender: str, text: str) -> None:
        stamp = time.strftime("%H:%M ") if self._timestamps else ""
        indent = "\n" + " " * get_cwidth(f"{stamp}{sender}: ")  # continuation lines align
        self._print([("class:notice", stamp), (style, f"{sender}: "),
                     ("", text.replace("\n", indent))])

    def _prompt(self) -> StyleAndTextTuples:
        chat = self.chat
        phase = chat.phase
        if self._asking_secret:
            secret = GameTable.secret_of(self._asking_secret)
            return [("class:prompt.mine",
                     f"{self._asking_secret} {secret} (hidden; Enter alone cancels)> ")]
        if phase is Phase.TALKING and chat.my_turn:
            return [("class:prompt.mine", "you> ")]
        if phase is Phase.TALKING:
            return [("class:prompt.theirs", f"({chat.peer_name}'s turn) you> ")]
        return [("class:prompt.waiting", "(waiting) you> ")]

    def _toolbar(self) -> StyleAndTextTuples:
        chat = self.chat
        phase = chat.phase
        if phase is Phase.WAITING:
            if not chat.listening_on:  # met through a relay: the peer is checking the code
                return [("", " Your peer is at the relay; checking the code...  /q to stop ")]
            where = " and ".join(chat.listening_on)
            return [("", f" Listening on {where}; waiting for a peer.  /q to stop ")]
        if phase is Phase.GREETING:
            return [("", f" Connecting to {chat.peer_origin}...  /q to stop ")]
        if chat.connection_status:  # resume: the connection is down, or the peer's is
            return [("class:bottom-toolbar.turn", f" {chat.connection_status} ")]
        if self._refusal is not None and self._refusal[1] == chat.my_turn:
            return [("class:bottom-toolbar.turn", f" {self._refusal[0]} ")]  # always seen
        turn = ("YOUR MOVE" if chat.my_move else "YOUR TURN" if chat.my_turn
                else f"{chat.peer_name.upper()}'S TURN")
        mode = chat.mode
        standing = f", {chat.peer_standing}" if chat.peer_standing else ""
        peer = (f"{chat.peer_name} ({chat.peer_origin}{standing})" if mode is Mode.FRAMES else
                f"a plain-text peer ({chat.peer_origin}, {mode.value} mode: it sees no turns)")
        return [  # the turn first: a narrow window cuts the end of the line, not the turn
            ("class:bottom-toolbar.turn", f" {turn}"),
            ("", f"  |  {chat.my_name} with {peer}  |  /help  /q "),
        ]

    # -- typing ----------------------------------------------------------------------------

    def _key_bindings(self) -> KeyBindings:
        bindings = KeyBindings()
        empty = Condition(lambda: not self.session.default_buffer.text)
        asking_secret = Condition(lambda: bool(self._asking_secret))

        @bindings.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            self._submit(event.current_buffer)

        @bindings.add("up", filter=asking_secret)  # the history holds sent messages: none
        @bindings.add("down", filter=asking_secret)  # of them may become a secret word
        def _no_history(event: KeyPressEvent) -> None:
            pass

        @bindings.add("escape", "enter")  # Alt+Enter, or Esc then Enter: a line in the draft
        def _newline(event: KeyPressEvent) -> None:
            if not self._asking_secret:
                event.current_buffer.insert_text("\n")

        @bindings.add("c-c")
        @bindings.add("<sigint>")  # SIGINT from outside, which prompt_toolkit turns into a key
        @bindings.add("c-d", filter=empty)
        def _quit(event: KeyPressEvent) -> None:
            self.chat.quit()

        return bindings

    def _submit(self, buffer: Buffer) -> None:
        if self._asking_secret:
            self._offer_with_secret(buffer)
            return
        command, text = parse_command(buffer.text)
        if command is Command.QUIT:
            buffer.reset()
            self.chat.leave()
        elif command is Command.HELP:
            buffer.reset()
            self.show_notice(help_text())
        elif command is Command.BELL:
            buffer.reset()
            self._bell = not self._bell
            self.show_notice(f"The bell on your turn is {'on' if self._bell else 'off'}.")
        elif command is Command.TIME:
            buffer.reset()
            self._timestamps = not self._timestamps
            self.show_notice(f"Timestamps are {'on' if self._timestamps else 'off'}.")
        elif command is Command.UNKNOWN:
            self.show_notice(f"Unknown command {text}; /help lists them (start a message "
                             "with // to send a line that begins with /).")
        elif command is Command.MESSAGE:
            if text.strip():
                self._say(buffer, text.strip("\n"), literal=buffer.text.lstrip().startswith("/"))
        elif command is Command.PLAY and GameTable.secret_of(text):
            try:  # refused before the secret is asked for, not after
                self.chat.table.check_offer(text)
            except LocalProtocolError as error:
                self._refuse(f"{error} Your draft is kept.")
                return
            buffer.reset()
            self._asking_secret = text.lower()
        else:
            try:
                self.chat.table.command(command, text)
            except MoveRefused as error:
                buffer.reset()
                self._refuse(str(error))
                return
            except LocalProtocolError as error:
                self._refuse(f"{error} Your draft is kept.")
                return
            # A /play GAME SECRET line is not kept: its secret is a secret.
            buffer.reset(append_to_history=command is not Command.PLAY)
            self.refresh()

    def _say(self, buffer: Buffer, text: str, literal: bool) -> None:
        try:
            said = self.chat.say(text, literal)
        except MoveRefused as error:  # retyped as it is, it would be refused again
            buffer.reset()
            self._refuse(str(error))
            return
        except NotYourTurn as error:
            buffer.cursor_position = len(buffer.text)  # what is typed next is a new line
            buffer.insert_text("\n")  # of the draft, not glued to this one
            self._refuse(f"{error} Your draft is kept.")
            return
        except LocalProtocolError as error:
            self._refuse(f"{error} Your draft is kept.")
            return
        if said is HELD:
            self._print_message("class:me", self.chat.my_name, text)
            self.show_notice(f"(It goes to {self.chat.peer_name} with your next answer.)")
        elif said is not MOVED:  # a move was shown with its board
            self._print_message("class:me", self.chat.my_name, text)
        buffer.reset(append_to_history=True)
        self.refresh()  # the prompt now shows it is the peer's turn

    def _refuse(self, sentence: str) -> None:
        """Enter did not send: say why above the prompt and, until the draft changes, in
        the toolbar, which a long draft cannot push off the screen."""
        self.show_notice(sentence)
        self._refusal = (sentence, self.chat.my_turn)
        self.refresh()

    def _draft_changed(self, buffer: Buffer) -> None:
        _without_controls(buffer)
        if self._refusal is not None:
            self._refusal = None
            self.refresh()

    def _offer_with_secret(self, buffer: Buffer) -> None:
        secret, name = buffer.text, self._asking_secret
        buffer.reset()  # never kept, never in the history
        self._asking_secret = ""
        if parse_command(secret)[0] is Command.QUIT:  # /q leaves here too; it is no word
            self.chat.leave()
            return
        if not secret.strip():
            self.show_notice(f"No {GameTable.secret_of(name)}: {name} was not offered.")
            return
        try:
            self.chat.table.command(Command.PLAY, f"{name} {secret.strip()}")
        except LocalProtocolError as error:
            self.show_notice(f"{error} {name.capitalize()} was not offered.")
        self.refresh()

    # -- ending ----------------------------------------------------------------------------

    def _exit_if_ended(self) -> None:
        """Leave the prompt once every message queued above it has been printed."""
        app = self.session.app
        if self._ending is None or not app.is_running:
            return

        async def exit_after_prints() -> None:
            if self._last_print is not None:
                await self._last_print
            _leave(app)

        task = asyncio.get_running_loop().create_task(exit_after_prints())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_crash(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """A callback on the loop raised (a bug): end the conversation, telling the peer."""
        error = context.get("exception")
        if isinstance(error, OSError) and error.errno in _TERMINAL_GONE:
            self.chat.quit()  # its window closed while we drew: leave, telling the peer
            _leave(self.session.app)
            return
        self._fail(error if isinstance(error, Exception)
                   else RuntimeError(context.get("message", "unknown failure")))

    def _fail(self, error: Exception) -> None:
        if os.environ.get("TURNCHAT_DEBUG"):
            self._crash = error  # raised again once the terminal is restored
            self._ending = self._ending or Ending(ExitStatus.FAILED, "turnchat stopped.")
        elif self._ending is None:
            self.chat.fail(error)  # which calls finish(): the draft is kept and shown
        _leave(self.session.app)


def _rows(fragments: StyleAndTextTuples, columns: int) -> int:
    """How many screen rows `fragments` take at `columns`, their lines wrapped."""
    text = "".join(text for _, text, *_ in fragments)
    return sum(max(1, -(-get_cwidth(line) // max(1, columns))) for line in text.split("\n"))


def _marked(text: str) -> str:
    """turnchat's own lines start with the notice mark, which no peer's name can (and a
    message's lines start with a name, or are indented under it); indented lines, such as
    a board's, stay as they are."""
    return "\n".join(f"{NOTICE_MARK} {line}" if line[:1].strip() else line
                     for line in text.split("\n"))


def _without_controls(buffer: Buffer) -> None:
    """Drop control characters however they came in (a key like Ctrl-Z, a paste, history):
    a draft holds text and newlines, nothing that steers a terminal."""
    text = buffer.text
    if _CONTROL.search(text):
        before = len(_CONTROL.sub("", text[:buffer.cursor_position]))
        buffer.document = Document(_CONTROL.sub("", text), before)


def _leave(app: Application[Any]) -> None:
    """End the prompt, unless it has already ended or is already ending."""
    if app.is_running and app.future is not None and not app.future.done():
        app.exit()

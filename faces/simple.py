"""The simple face, for screen readers and simple terminals: a person, one line per event.

It draws no prompt and moves no cursor (no escape sequence at all), so a screen reader
reads everything in order and a dumb terminal shows it as it is. Everything goes to
stdout, each event one line: "ana: hi", "Your turn.", "ana left the conversation."
What the person types is read as the plain face reads it (faces/plain.py): a line is sent
on Enter on their turn; typed on the peer's turn it is kept, said to be kept, and sent
when the turn comes. Chosen by --simple, and by itself when TERM is dumb.
"""

from turnchat.faces.plain import STDOUT, PlainFace, write_all
from turnchat.roles.starting import Start


class SimpleFace(PlainFace):
    """The plain face's reading of lines, with a person's lines of output."""

    def __init__(self, start: Start) -> None:
        super().__init__(start)
        self._had_turn = False  # whether it was our turn when we last said so
        self._kept = 0  # typed-ahead lines already said to be kept

    def show_message(self, sender: str, text: str) -> None:
        indent = "\n" + " " * len(f"{sender}: ")  # a message's lines stay under its sender
        self._say(f"{sender}: {text.replace(chr(10), indent)}")

    def show_notice(self, text: str) -> None:
        self._say(text)

    def show_game(self, text: str) -> None:
        self._say(text)

    def refresh(self) -> None:
        super().refresh()  # sends what may go now
        my_turn = self.chat.my_turn
        waiting = sum(isinstance(item, str) for item in self.input.queue)
        if not my_turn and waiting > self._kept:
            self._say("Kept until your turn.")
        elif waiting < self._kept:
            self._say("Sent what you typed ahead.")
        self._kept = waiting
        if my_turn and not self._had_turn:
            self._say("Your turn.")
        self._had_turn = my_turn

    def _face_command(self, line: str) -> None:
        """A person here means the command: there is no bell to ring and no time to show."""
        self._say(f"{line.strip()} is for the interactive face; here it does nothing.")

    def _say(self, line: str) -> None:
        try:
            write_all(STDOUT, (line + "\n").encode())
        except OSError:  # the terminal is gone: nobody reads us any more
            self.chat.quit()

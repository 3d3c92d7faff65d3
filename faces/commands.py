"""What a typed line means in the interactive face: a command or a message.

`/q` leaves, `/help` lists this; any other line that starts with `/` is an unknown command
(a typo should not reach the peer), and `//` at the start sends one literal `/`.
"""

from enum import Enum, auto


class Command(Enum):
    MESSAGE = auto()
    QUIT = auto()
    HELP = auto()
    UNKNOWN = auto()


HELP = """\
Commands:
  /q          leave the conversation (so do Ctrl-C and Ctrl-D on an empty line)
  /help       show this
  //text      send a message that begins with a single /
Type a message and press Enter on your turn. On the peer's turn you may type ahead:
Enter keeps the draft until your turn. Up and Down recall what you sent."""


def parse_command(line: str) -> tuple[Command, str]:
    """Return what `line` asks for, and the text: the message, or the unknown command."""
    stripped = line.strip()
    if stripped == "/q":
        return Command.QUIT, ""
    if stripped == "/help":
        return Command.HELP, ""
    if stripped.startswith("//"):
        return Command.MESSAGE, line.lstrip()[1:]
    if stripped.startswith("/"):
        return Command.UNKNOWN, stripped.split()[0]
    return Command.MESSAGE, line

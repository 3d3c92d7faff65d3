"""What a typed line means: a message, or a command and its argument.

`/q` leaves, `/help` lists the commands, and the game commands play inside the
conversation. In the interactive face any other line that starts with `/` is an unknown
command (a typo should not reach the peer); `//` at the start sends one literal `/`, and
`/say TEXT` sends TEXT as it is, even when it looks like a move or a command.
"""

from enum import Enum, auto

from turnchat.games import REGISTRY, game_named


class Command(Enum):
    MESSAGE = auto()
    QUIT = auto()
    HELP = auto()
    UNKNOWN = auto()
    PLAY = auto()
    ACCEPT = auto()
    DECLINE = auto()
    RESIGN = auto()
    SCORE = auto()
    MOVE = auto()
    BELL = auto()  # the interactive face's turn bell, on or off
    TIME = auto()  # the interactive face's timestamps, on or off


_NAMED = {"/q": Command.QUIT, "/quit": Command.QUIT, "/exit": Command.QUIT,
          "/help": Command.HELP, "/play": Command.PLAY, "/accept": Command.ACCEPT,
          "/decline": Command.DECLINE, "/resign": Command.RESIGN, "/score": Command.SCORE,
          "/m": Command.MOVE, "/bell": Command.BELL, "/time": Command.TIME}
TAKES_NO_TURN = frozenset({Command.QUIT, Command.HELP, Command.SCORE})  # done at once

_HELP_HEAD = """\
Commands:
  /q, /quit, /exit    leave the conversation (so do Ctrl-C, and Ctrl-D on an empty line)
  /help               show this
  /bell, /time        turn the bell on your turn, or each message's time, on or off
  //text              send a message that begins with a single /
  /say TEXT           send TEXT as a message even if it looks like a move or a command
Games, played in turns (a move is a turn; on your move, talk with /say TEXT):
  /play GAME          offer a game on your turn: {names}
{secrets}  /accept, /decline   answer an offer on your turn; whoever accepts moves first
  /resign             give the game up, on your turn
  /score              the games won and drawn in this conversation
  /m MOVE             make a move; a move alone on its line works too:
{moves}
Type a message and press Enter on your turn. On the peer's turn you may type ahead:
Enter keeps the draft until your turn. Up and Down recall what you sent."""


def help_text() -> str:
    """/help: the commands, and the games of the registry (each loaded only now)."""
    games = [game for name in REGISTRY if (game := game_named(name)) is not None]
    names = ", ".join(REGISTRY)
    secrets = "".join(
        f"  {'/play ' + game.name + ' ' + game.secret.upper():<20}offer {game.title} with your "
        f"secret {game.secret} (alone, it is asked hidden)\n" for game in games if game.secret)
    moves = "\n".join(f"                        {game.name:<12} {game.move_help}"
                      for game in games)
    return _HELP_HEAD.format(names=names, secrets=secrets, moves=moves)


def parse_command(line: str) -> tuple[Command, str]:
    """Return what `line` asks for, and the text: the message, the argument, or the
    unknown command."""
    stripped = line.strip()
    if not stripped.startswith("/"):
        return Command.MESSAGE, line
    if stripped.startswith("//"):
        return Command.MESSAGE, line.lstrip()[1:]
    word, _, argument = stripped.partition(" ")
    if word == "/say":
        return Command.MESSAGE, line.lstrip()[5:] if argument else ""
    command = _NAMED.get(word)
    if command is None:
        return Command.UNKNOWN, word
    return command, argument.strip()

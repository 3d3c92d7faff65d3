"""How turnchat ends: the exit statuses, and the sentence that goes with each ending."""

from dataclasses import dataclass
from enum import IntEnum


class ExitStatus(IntEnum):
    ENDED = 0  # the conversation ended by /q, Ctrl-C, Ctrl-D or end of input, on either side
    FAILED = 1  # the connection was lost, or a side broke the protocol
    USAGE = 2  # the command line was wrong
    UNREACHABLE = 3  # could not listen or connect (or no turnchat answered)


EXIT_STATUS_HELP = """\
exit status:
  0  the conversation ended by /q, Ctrl-C, Ctrl-D or end of input, on either side
  1  the connection was lost, or a side broke the protocol
  2  the command line was wrong
  3  could not listen or connect (address in use, refused, unknown host, timeout)"""


@dataclass(frozen=True, slots=True)
class Ending:
    status: ExitStatus
    message: str  # one sentence for the user

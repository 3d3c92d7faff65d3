"""How turnchat ends: the exit statuses and their help text.

Kept free of heavy imports: `turnchat --help` shows this text and loads little else.
"""

from enum import IntEnum


class ExitStatus(IntEnum):
    ENDED = 0  # the conversation ended by /q, Ctrl-C, Ctrl-D or end of input, on either side
    FAILED = 1  # the connection was lost, or a side broke the protocol
    USAGE = 2  # the command line was wrong, or the --log file cannot be written
    UNREACHABLE = 3  # could not listen or connect (or no turnchat answered)


EXIT_STATUS_HELP = """\
exit status:
  0  the conversation ended by /q, Ctrl-C, Ctrl-D or end of input, on either side
     (or a plain-text peer closed the connection; with --keep: stopped by Ctrl-C)
  1  the connection was lost, or a side broke the protocol
  2  the command line was wrong, or the --log file cannot be written
  3  could not listen or connect (address in use, refused, unknown host, timeout)"""

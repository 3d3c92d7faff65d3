"""Names: what our own may be, and how the peer's is shown.

Apart from the chat so that the command line checks --name without loading the
conversation (start-up), and the trust code shows a paired name the same way.
"""

from turnchat.session.sanitize import sanitize_line
from turnchat.wire.limits import APP_NAME, MAX_NAME_CHARS

# Every line a face shows that is turnchat's own, not a message, starts with this mark;
# a name never does, so "NAME: text" cannot pass for a notice, whatever NAME is.
NOTICE_MARK = "*"


def display_name(name: str) -> str:
    """The peer's chosen name made safe and short enough to prefix every line, and unable
    to imitate turnchat's own lines: the notice mark is dropped from its start, and a peer
    calling itself turnchat is shown as such."""
    shown = sanitize_line(name).strip().lstrip(NOTICE_MARK + " ")
    if shown.casefold() == APP_NAME:
        shown = f"{shown} (the peer)"
    if len(shown) > MAX_NAME_CHARS:
        shown = shown[: MAX_NAME_CHARS - 1] + "…"
    return shown or "peer"


def imitates_notices(name: str) -> bool:
    """Whether our own name would make our messages look like turnchat's notices."""
    return name.startswith(NOTICE_MARK) or name.strip().casefold() == APP_NAME

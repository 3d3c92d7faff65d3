"""The one gate every string from the peer passes before it reaches a screen or stdout.

Text from the peer is hostile: a raw ESC or a one-character CSI (U+009B) can clear the
screen, set the window title or rewrite what was shown; CR and backspace can overwrite a
line; bidi overrides can reorder it (git CVE-2024-52005, util-linux wall CVE-2024-28085,
OpenSSH scp CVE-2019-6109). prompt_toolkit only replaces ESC, and only on a terminal.

So: printable characters of every script, and emoji with their joiners, stay as they are;
a newline stays; a tab becomes spaces; other C0 controls and DEL show in caret notation
(`^[`, `^?`, like `cat -v`); C1 controls, line and paragraph separators, surrogates and
the bidi embedding, override and isolate controls show as `\\uXXXX`.
"""

import re

TAB_AS_SPACES = "    "  # a tab's width depends on the column; a fixed run of spaces does not

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"  # embeddings, overrides, isolates (Trojan Source)
_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + _BIDI_CONTROLS + "]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\t":
        return TAB_AS_SPACES
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    return f"\\u{code:04x}"


def sanitize(text: str) -> str:
    """Return `text` safe to print: no control character but newline survives."""
    if text.isprintable():  # the usual case, and a quicker test than the pattern
        return text
    return _UNSAFE.sub(_escape, text)


def sanitize_line(text: str) -> str:
    """Like `sanitize`, for places that must stay on one line (names, reasons)."""
    return sanitize(text).replace("\n", "^J")

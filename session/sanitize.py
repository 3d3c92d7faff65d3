"""The one gate every string from the peer passes before it reaches a screen or stdout.

Text from the peer is hostile: a raw ESC or a one-character CSI (U+009B) can clear the
screen, set the window title or rewrite what was shown; CR and backspace can overwrite a
line; bidi overrides can reorder it (git CVE-2024-52005, util-linux wall CVE-2024-28085,
OpenSSH scp CVE-2019-6109). prompt_toolkit only replaces ESC, and only on a terminal.

Invisible characters are hostile too: in a name they let one peer pass for another
("ana\u200b"), in a message they hide text (tag characters, U+E0000-E007F, are read by
some programs and shown by none) or turn its direction (LRM, RLM, ALM). So they are shown,
not passed on.

So: printable characters of every script, and emoji with their joiners, stay as they are;
a newline stays; a tab becomes spaces; other C0 controls and DEL show in caret notation
(`^[`, `^?`, like `cat -v`); C1 controls, line and paragraph separators, surrogates, the
bidi embedding, override and isolate controls, and the invisible characters (direction
marks, zero-width spaces and joiners, BOM, soft hyphen, tags, Hangul fillers) show as
`\\uXXXX` (`\\UXXXXXXXX` past U+FFFF). Two invisible things stay, because they draw
something: a zero-width joiner between two emoji (a family, a profession), and the tag
letters of a subdivision flag.
"""

import re

TAB_AS_SPACES = "    "  # a tab's width depends on the column; a fixed run of spaces does not

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"  # embeddings, overrides, isolates (Trojan Source)
_INVISIBLE = (  # draw nothing, or look like a space: impersonation and hidden text
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2060-\u2064"
    "\u206a-\u206f\u3164\ufeff\uffa0\U000e0000-\U000e007f"
)
_EMOJI = "\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff"  # incl. skin tones, VS16
# Compiled on first use (re caches it): most messages never need it, every start would.
_UNSAFE = (
    f"(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)"  # a subdivision flag (England's)
    f"|((?<=[{_EMOJI}])\u200d(?=[{_EMOJI}]))"  # a joiner inside an emoji sequence
    "|[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + _BIDI_CONTROLS + _INVISIBLE + "]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if len(char) > 1 or match.lastindex:  # an emoji sequence that draws something: kept
        return char
    code = ord(char)
    if char == "\t":
        return TAB_AS_SPACES
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


# ASCII text is shown as it is when it holds only printable characters and newlines. A
# short message asks str.isprintable; a longer one is checked in bytes, by deleting those
# characters: nothing may be left. One pass in C, three times quicker than isprintable
# on a kilobyte (which looks each character up in the Unicode database).
_SHORT = 64
_SHOWN_AS_IS = bytes(range(0x20, 0x7F)) + b"\n"


def sanitize(text: str) -> str:
    """Return `text` safe to print: no control character but newline survives."""
    if text.isascii() and (text.isprintable() if len(text) <= _SHORT else
                           not text.encode().translate(None, _SHOWN_AS_IS)):
        return text  # the usual case, quicker than the pattern
    return re.sub(_UNSAFE, _escape, text)


def sanitize_line(text: str) -> str:
    """Like `sanitize`, for places that must stay on one line (names, reasons)."""
    return sanitize(text).replace("\n", "^J")

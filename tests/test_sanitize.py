"""The sanitiser: nothing that steers a terminal survives; printable text is untouched."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from faces.sanitize import sanitize, sanitize_line

SAFE_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe(char: str) -> bool:
    return (unicodedata.category(char) in SAFE_CATEGORIES and char != "\n") or char in BIDI


@given(st.text())
def test_output_has_no_control_character_but_newline(text: str) -> None:
    assert not any(unsafe(char) for char in sanitize(text))


@given(st.text())
def test_line_output_has_no_newline(text: str) -> None:
    assert "\n" not in sanitize_line(text)


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))))
def test_printable_text_is_unchanged(text: str) -> None:
    if not any(char in BIDI for char in text):
        assert sanitize(text) == text


def test_every_script_and_emoji_stay() -> None:
    text = "héllo Привет 你好 مرحبا שלום नमस्ते 👋🏽 👨‍👩‍👧 🇫🇷 e\u0301"
    assert sanitize(text) == text


def test_terminal_attacks_are_neutralised() -> None:
    assert sanitize("\x1b[2J") == "^[[2J"
    assert sanitize("\x1b]0;title\x07") == "^[]0;title^G"
    assert sanitize("\u009b2J") == "\\u009b2J"
    assert sanitize("abc\rxyz\x08") == "abc^Mxyz^H"
    assert sanitize("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert sanitize("a\x7fb\x00") == "a^?b^@"
    assert sanitize("one\u2028two") == "one\\u2028two"


def test_newline_stays_and_tab_becomes_spaces() -> None:
    assert sanitize("a\nb\tc") == "a\nb    c"
    assert sanitize_line("a\nb") == "a^Jb"

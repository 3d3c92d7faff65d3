"""The sanitiser: nothing that steers a terminal survives; printable text is untouched."""

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from turnchat.session.sanitize import _UNSAFE, _escape, sanitize, sanitize_line

SAFE_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The invisible characters the issue names: direction marks, zero-width spaces and joiners,
# the BOM, word joiner, soft hyphen, Hangul fillers, and the tag characters.
INVISIBLE = set("\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff\u00ad"
                "\u115f\u1160\u3164\uffa0") | {chr(code) for code in range(0xE0000, 0xE0080)}


def unsafe(char: str) -> bool:
    return (unicodedata.category(char) in SAFE_CATEGORIES and char != "\n") or char in BIDI


@given(st.text())
def test_output_has_no_control_character_but_newline(text: str) -> None:
    assert not any(unsafe(char) for char in sanitize(text))


@given(st.text())
def test_line_output_has_no_newline(text: str) -> None:
    assert "\n" not in sanitize_line(text)


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Cf"))))
def test_printable_text_is_unchanged(text: str) -> None:
    if not any(char in BIDI or char in INVISIBLE or char in "\u034f\u17b4\u17b5"
               for char in text):
        assert sanitize(text) == text


@given(st.text(alphabet=st.sampled_from([*sorted(INVISIBLE), "a", "b", " "])))
def test_invisible_characters_are_shown_not_passed_on(text: str) -> None:
    """Without an emoji beside it nothing invisible is kept: a name "ana\u200b" shows."""
    assert not any(char in INVISIBLE for char in sanitize(text))


def test_invisible_characters_show_as_their_code() -> None:
    assert sanitize_line("ana\u200b") == "ana\\u200b"  # not "ana", who is someone else
    assert sanitize("\u200ertl\u200f\u061c") == "\\u200ertl\\u200f\\u061c"
    assert sanitize("\ufeffbom\u2060") == "\\ufeffbom\\u2060"
    assert sanitize("x\u3164y\u115f") == "x\\u3164y\\u115f"
    assert sanitize("seen\U000e0068\U000e0069") == "seen\\U000e0068\\U000e0069"
    assert sanitize("a\u200db\u200c") == "a\\u200db\\u200c"


def test_joiners_inside_emoji_and_subdivision_flags_stay() -> None:
    for drawn in ("👨\u200d👩\u200d👧", "👩🏽\u200d💻", "❤\ufe0f\u200d🔥", "🏃\u200d♀\ufe0f",
                  "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"):
        assert sanitize(drawn) == drawn
    assert sanitize("🏴\U000e0041") == "🏴\\U000e0041"  # tags that make no flag


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


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), min_size=0, max_size=300))
def test_the_ascii_fast_paths_agree_with_the_pattern(text: str) -> None:
    """Short ASCII asks isprintable, longer ASCII a translate table: both must pass exactly
    what the pattern leaves alone, at every length around the switch."""
    assert sanitize(text) == re.sub(_UNSAFE, _escape, text)


def test_one_control_character_anywhere_in_a_long_message_is_escaped() -> None:
    for length in (64, 65, 4096):
        for where in (0, length // 2, length - 1):
            for control in ("\x00", "\x1b", "\r", "\x7f", "\x08"):
                text = "x" * where + control + "x" * (length - where - 1)
                assert control not in sanitize(text), (length, where, control)

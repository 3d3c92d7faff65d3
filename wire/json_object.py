"""The one way a JSON payload from the peer is read: bounded before it is parsed.

`json.loads` trusts its input: a 2 KB payload of nested `[` makes it recurse until Python
raises RecursionError, a 4,000-digit number raises ValueError about digit limits, and NaN,
Infinity and duplicate keys are accepted. HELLO and GAME payloads come from strangers, so
each is checked here first (its nesting, counted with strings blanked out) and parsed with
hooks that refuse what turnchat never sends. Whatever goes wrong is a `RemoteProtocolError`
with a short reason, like any other protocol violation.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

from turnchat.wire.errors import RemoteProtocolError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_DEPTH = 6  # objects and arrays inside one another; turnchat's own payloads use 3
MAX_KEYS = 32  # in one object; a GAME step has at most 5, a HELLO 4
MAX_ITEMS = 256  # in one array; a hangman answer lists at most the 16 places of a word

# Compiled on first use (re caches them), not at every start.
_STRING = r'(?s)"(?:[^"\\]|\\.)*"'  # a JSON string, escapes included
_BRACKETS = r"[^\[\]{}]+"
_SURROGATE = "[\ud800-\udfff]"
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class _Refused(ValueError):
    """Valid JSON that turnchat refuses; the message completes "HELLO has ..."."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name}, which is not a number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len(pairs) > MAX_KEYS:
        raise _Refused(f"an object with more than {MAX_KEYS} keys")
    body = dict(pairs)
    if len(body) != len(pairs):
        raise _Refused("an object with a repeated key")
    return body


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_refuse_constant)


def nesting(text: str) -> int:
    """How deeply arrays and objects nest in `text` (brackets inside strings not counted)."""
    brackets = re.sub(_BRACKETS, "", re.sub(_STRING, "", text))
    return max(accumulate(_DEPTH_STEP[char] for char in brackets), default=0)


def load_object(text: str, what: str) -> dict[str, Any]:
    """Parse `text`, the payload of a `what` frame, as a JSON object within the limits.

    Raises RemoteProtocolError (and nothing else) if it is not one.
    """
    # Nesting needs as many opening brackets: a HELLO has too few to be counted at all.
    if text.count("[") + text.count("{") > MAX_DEPTH and nesting(text) > MAX_DEPTH:
        raise RemoteProtocolError(f"{what} nests deeper than {MAX_DEPTH} levels")
    try:
        body = _DECODER.decode(text)
    except _Refused as refused:
        raise RemoteProtocolError(f"{what} has {refused}") from None
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise RemoteProtocolError(f"{what} is not valid JSON") from None
    if not isinstance(body, dict):
        raise RemoteProtocolError(f"{what} is not a JSON object")
    _check_values(body, what)
    return body


def _check_values(value: Any, what: str) -> None:
    """Refuse, anywhere in `value` (whose depth is bounded), an array longer than MAX_ITEMS
    and a string holding a lone surrogate (`"\\ud800"` is valid JSON but not text: it
    cannot even be encoded again)."""
    if isinstance(value, str):
        if not value.isascii() and re.search(_SURROGATE, value):
            raise RemoteProtocolError(f"{what} has a string that is not text (a lone "
                                      "surrogate)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, what)
            _check_values(item, what)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise RemoteProtocolError(f"{what} has an array of more than {MAX_ITEMS} items")
        for item in value:
            _check_values(item, what)

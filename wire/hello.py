"""The HELLO payload: a JSON object `{"app": "turnchat", "version": 1, "name": ...}`.

Unknown keys are ignored so that later versions can add to the greeting. One such key is
"games": the names of the games the sender's turnchat has (docs/PROTOCOL.md); a peer that
does not send it has the three games of the first version. The resume extension adds
"resume": 1 (the connector asks; a listener that agrees says it too) and, from the
listener, "session" and "secret": 32 hex digits each (wire/resume.py).
"""

import json

from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.events import Hello
from turnchat.wire.json_object import load_object
from turnchat.wire.limits import (
    APP_NAME,
    MAX_PEER_NAME_CHARS,
    PROTOCOL_VERSION,
    TOKEN_HEX_DIGITS,
)

MAX_GAMES = 64  # names in "games": far more than anyone will write, and a bound
MAX_GAME_NAME_CHARS = 32


def encode_hello(hello: Hello) -> bytes:
    body: dict[str, object] = {"app": APP_NAME, "version": hello.version, "name": hello.name}
    if hello.games is not None:
        body["games"] = list(hello.games)
    if hello.resume:
        body["resume"] = 1
    if hello.session is not None and hello.secret is not None:
        body["session"], body["secret"] = hello.session, hello.secret
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def decode_hello(text: str) -> Hello:
    """Parse a HELLO payload already decoded from UTF-8; raise RemoteProtocolError if bad."""
    body = load_object(text, "HELLO")
    if body.get("app") != APP_NAME:
        raise RemoteProtocolError(f'HELLO is not from {APP_NAME} (no "app": "{APP_NAME}")')
    version = body.get("version")
    if version != PROTOCOL_VERSION or isinstance(version, bool):
        raise RemoteProtocolError(
            f"unsupported protocol version {version!r}; this side speaks {PROTOCOL_VERSION}"
        )
    name = body.get("name")
    if not isinstance(name, str):
        raise RemoteProtocolError('HELLO has no "name" string')
    if len(name) > MAX_PEER_NAME_CHARS:
        raise RemoteProtocolError(f"HELLO has a name of {len(name)} characters; the limit "
                                  f"is {MAX_PEER_NAME_CHARS}")
    games = body.get("games")
    if games is not None and not (
            isinstance(games, list) and len(games) <= MAX_GAMES
            and all(isinstance(game, str) and 0 < len(game) <= MAX_GAME_NAME_CHARS
                    for game in games)):
        raise RemoteProtocolError(f'HELLO "games" is not a list of at most {MAX_GAMES} names')
    resume = body.get("resume") == 1 and not isinstance(body.get("resume"), bool)
    session, secret = body.get("session"), body.get("secret")
    if resume and (session is not None or secret is not None) and not (
            _is_token(session) and _is_token(secret)):
        raise RemoteProtocolError(f'HELLO "session" and "secret" are not {TOKEN_HEX_DIGITS} '
                                  "hex digits each")
    return Hello(name=name, version=version, games=None if games is None else tuple(games),
                 resume=resume, session=session if resume else None,
                 secret=secret if resume else None)


def _is_token(value: object) -> bool:
    return isinstance(value, str) and len(value) == TOKEN_HEX_DIGITS and all(
        digit in "0123456789abcdef" for digit in value)

"""The HELLO payload: a JSON object `{"app": "turnchat", "version": 1, "name": ...}`.

Unknown keys are ignored so that later versions can add to the greeting.
"""

import json

from wire.errors import RemoteProtocolError
from wire.events import Hello
from wire.limits import APP_NAME, PROTOCOL_VERSION


def encode_hello(hello: Hello) -> bytes:
    body = {"app": APP_NAME, "version": hello.version, "name": hello.name}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def decode_hello(text: str) -> Hello:
    """Parse a HELLO payload already decoded from UTF-8; raise RemoteProtocolError if bad."""
    try:
        body = json.loads(text)
    except ValueError:
        raise RemoteProtocolError("HELLO is not valid JSON") from None
    if not isinstance(body, dict):
        raise RemoteProtocolError("HELLO is not a JSON object")
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
    return Hello(name=name, version=version)

"""How a conversation begins: the listener binds and screens connections until one greets
it; the connector resolves and connects. After that both roles are the same `Chat`.
"""

DEFAULT_HOST = "localhost"  # listen privately unless told otherwise
DEFAULT_PORT = 7777


class CannotStart(Exception):
    """We could not listen or connect; the message is one sentence for the user."""

"""The two ways a conversation can go wrong, kept apart because they are handled apart.

A `LocalProtocolError` means our own user tried something the rules forbid (speaking out of
turn, a message too long): nothing was sent and the conversation goes on. A
`RemoteProtocolError` means the peer broke the protocol: the conversation is over, and its
`reason` is what we tell the peer in ERROR and our user on screen.
"""


class LocalProtocolError(Exception):
    """Our side tried something illegal; the message is a sentence fit for the user."""


class RemoteProtocolError(Exception):
    """The peer broke the protocol; `reason` is short and goes into the ERROR frame."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

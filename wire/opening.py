"""What a new connection starts with: its decoder and the conversation on it, by mode.

Apart from both kinds so that a text peer's (wire/textpeer.py) are loaded only when one
comes: a turnchat peer's start-up does not pay for them.
"""

from __future__ import annotations

from turnchat.wire.conversation import Conversation, Role
from turnchat.wire.frames import FrameDecoder
from turnchat.wire.modes import Mode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from turnchat.wire.textpeer import TextPeerConversation, TextPeerDecoder


def open_conversation(
    role: Role, mode: Mode
) -> tuple[FrameDecoder | TextPeerDecoder, Conversation | TextPeerConversation]:
    """The decoder for a new connection and the conversation on it, for `mode`."""
    if mode is Mode.FRAMES:
        return FrameDecoder(), Conversation(role)
    from turnchat.wire.textpeer import TextPeerConversation, TextPeerDecoder

    return TextPeerDecoder(mode), TextPeerConversation(role, mode)

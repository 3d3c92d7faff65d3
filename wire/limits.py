"""Every limit of the protocol, named once, each with the reason it exists."""

MAX_PAYLOAD = 4096  # the assignment's limit; also bounds the memory one peer can make us hold
MAX_FRAME_LENGTH = 1 + MAX_PAYLOAD  # the length field counts the type byte plus the payload
HEADER_SIZE = 4  # uint32, big endian
PROTOCOL_VERSION = 1  # the only version this code speaks; a HELLO with another is refused
APP_NAME = "turnchat"  # the "app" key every HELLO carries
MAX_NAME_CHARS = 32  # a display name longer than this would crowd every message line
MAX_PEER_NAME_CHARS = 256  # a peer's longer name is refused; one up to this is shown cut


def over_the_limit(size: int) -> str:
    """How a message of `size` bytes is refused, in words: by how much, not only that."""
    return f"{size} bytes, {size - MAX_PAYLOAD} over the limit of {MAX_PAYLOAD}"
TOKEN_HEX_DIGITS = 32  # a resume session id or secret: 128 random bits, as hex
MAX_UNACKNOWLEDGED = 64  # data frames kept for a resend; under strict turns a few suffice

"""The GAME frame's payload (type 0x05): a JSON object whose "kind" says what happens.

The conversation needs to know one thing about a game step: what it does to the turn. That
is fixed per kind, so no game needs to be known to enforce it; `turn_step` names it, and
wire/conversation.py's one transition table holds the rule for each step beside TEXT's:

- "offer" and "move" are made on the sender's turn and end it, as TEXT does; a move with
  `"keep_turn": true` leaves the turn with the sender for one more frame (hangman's
  automatic answer, so that the setter's own message can follow it in the same turn).
- "accept", "decline" and "resign" are made on the sender's turn and keep it: the one who
  accepts makes the first move, and after declining or resigning the sender may talk.
  (Resigning on one's own turn means no move of the peer's can cross it on the wire.)
- "reveal" (hangman's opening after the guesser resigned) may come at any time once both
  sides have greeted, and leaves the turn where it is.

Every other field belongs to the games layer (games/match.py), which checks it.
"""

import json

from turnchat.wire.errors import RemoteProtocolError
from turnchat.wire.events import Play
from turnchat.wire.json_object import load_object

KINDS = frozenset({"offer", "accept", "decline", "move", "resign", "reveal"})
MOVE_KEEPING_TURN = "move, keeping the turn"  # the one step whose effect is not its kind's


def encode_play(play: Play) -> bytes:
    body = {"kind": play.kind, **play.fields}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def decode_play(text: str) -> Play:
    """Parse a GAME payload already decoded from UTF-8; RemoteProtocolError if malformed."""
    body = load_object(text, "GAME")
    kind = body.pop("kind", None)
    if not isinstance(kind, str) or kind not in KINDS:
        raise RemoteProtocolError(f"GAME has an unknown kind {kind!r}"[:200])
    if not isinstance(body.get("keep_turn", False), bool):
        raise RemoteProtocolError('GAME "keep_turn" is not true or false')
    return Play(kind, body)


def turn_step(play: Play) -> str:
    """What `play` is to the turn rules: its kind, or MOVE_KEEPING_TURN."""
    if play.kind == "move" and play.fields.get("keep_turn"):
        return MOVE_KEEPING_TURN
    return play.kind

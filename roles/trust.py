"""Whether the connector trusts the listener it reached: a decision, as SSH makes it.

Pure: from the certificate the listener presented in the handshake, what known_peers holds
for that `[host]:port`, the --fingerprint and --accept-new flags and (on first contact at
a terminal) what the person answered, to a `Decision`. No socket, no file, no terminal:
roles/pinning.py gathers the facts and carries the decision out; tests/test_trust.py
tries every case.
"""

from dataclasses import dataclass
from enum import Enum, auto
from pathlib import Path

from turnchat.roles.identity import fingerprint
from turnchat.roles.known_peers import KnownPeer

NOTHING_SENT = "nothing was sent"


class Verdict(Enum):
    TRUST = auto()  # go on: send HELLO
    ASK = auto()  # first contact at a terminal: ask the person, then decide again
    REFUSE = auto()  # close the connection; `sentence` says why


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    seen: str  # the fingerprint of the key the listener presented
    sentence: str = ""  # TRUST: the notice (which key, and why); REFUSE: the reason
    remember: bool = False  # TRUST: write the key to known_peers
    standing: str = ""  # TRUST: a few words for the toolbar, e.g. "key known since 2026-11-20"


def decide(
    certificate_der: bytes,
    key: str,
    known: KnownPeer | None,
    known_path: Path,
    expected: str | None,
    accept_new: bool,
    answer: bool | None = None,
    can_ask: bool = False,
    where: str = "",
) -> Decision:
    """What to do with the listener `key` that presented `certificate_der`.

    `expected` is --fingerprint; `answer` what the person said when asked (None if not yet
    asked); `can_ask` whether there is a person at a terminal to ask; `where` the address
    as the user wrote it (the key by default).
    """
    seen = fingerprint(certificate_der)
    if expected is not None:
        if seen != expected:
            return Decision(Verdict.REFUSE, seen, f"refusing {where or key}: its key is {seen}, "
                            f"not {expected} as --fingerprint requires; {NOTHING_SENT}.")
        remember = known is None or known.fingerprint != seen
        how = "as --fingerprint requires" + (f"; remembered in {known_path}" if remember else "")
        return Decision(Verdict.TRUST, seen, f"TLS 1.3 with {key}, key {seen} ({how}).", remember,
                        "TLS, key as --fingerprint requires")
    if known is not None:
        if seen == known.fingerprint:
            since = f" since {known.since}" if known.since else ""
            return Decision(Verdict.TRUST, seen, f"TLS 1.3 with {key}, key {seen} (known_peers"
                                                 f"{since}).", standing=f"TLS, key known{since}")
        return Decision(Verdict.REFUSE, seen, changed_key_warning(key, known, known_path, seen))
    if accept_new:
        how = "new, trusted on first use (--accept-new)"
    elif answer is True:
        how = "new, trusted on first use"
    elif answer is False:
        return Decision(Verdict.REFUSE, seen, f"the key of {key} was not trusted; "
                                              f"{NOTHING_SENT}.")
    elif can_ask:
        return Decision(Verdict.ASK, seen)
    else:
        return Decision(Verdict.REFUSE, seen, (
            f"{key} is not in {known_path}; its key is {seen}. Check that with the "
            f"listener's owner (turnchat --fingerprint) and connect with --fingerprint {seen}, "
            f"or with --accept-new to trust it on first use; {NOTHING_SENT}."))
    return Decision(Verdict.TRUST, seen, f"TLS 1.3 with {key}, key {seen} ({how}; remembered "
                                         f"in {known_path}).", remember=True,
                    standing="TLS, new key, trusted now")


def changed_key_warning(key: str, known: KnownPeer, known_path: Path, seen: str) -> str:
    return (
        f"WARNING: THE KEY OF {key} HAS CHANGED; refusing to connect.\n"
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
        "@  Someone may be impersonating the listener to read your conversation,    @\n"
        "@  or its owner made a new identity. Ask them before you trust it.         @\n"
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
        f"Remembered: {known.fingerprint}\n"
        f"Now:        {seen}\n"
        f"If the new key is right, remove line {known.line_number} of {known_path} and "
        f"connect again; {NOTHING_SENT}.")

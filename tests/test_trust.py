"""The connector's trust decision as a table: every case, with no socket and no file."""

from pathlib import Path

import pytest

from turnchat.roles.identity import fingerprint
from turnchat.roles.known_peers import KnownPeer
from turnchat.roles.trust import Verdict, decide

KEY, PATH = "[bo.example]:7777", Path("/home/ana/.config/turnchat/known_peers")
BO, EVE = b"bo's certificate", b"eve's certificate"
KNOWN_BO = KnownPeer(3, fingerprint(BO), BO)


# (presented, known, --fingerprint, --accept-new, answer, can ask) -> (verdict, remember)
CASES = {
    "known key": (BO, KNOWN_BO, None, False, None, False, Verdict.TRUST, False),
    "known key, also given": (BO, KNOWN_BO, fingerprint(BO), False, None, False,
                              Verdict.TRUST, False),
    "changed key": (EVE, KNOWN_BO, None, False, None, True, Verdict.REFUSE, False),
    "changed key, --accept-new does not cover it": (EVE, KNOWN_BO, None, True, None, True,
                                                    Verdict.REFUSE, False),
    "changed key, the new one given": (EVE, KNOWN_BO, fingerprint(EVE), False, None, False,
                                       Verdict.TRUST, True),
    "given, matches": (BO, None, fingerprint(BO), False, None, False, Verdict.TRUST, True),
    "given, differs": (EVE, None, fingerprint(BO), True, None, True, Verdict.REFUSE, False),
    "new, --accept-new": (BO, None, None, True, None, False, Verdict.TRUST, True),
    "new, at a terminal": (BO, None, None, False, None, True, Verdict.ASK, False),
    "new, answered yes": (BO, None, None, False, True, True, Verdict.TRUST, True),
    "new, answered no": (BO, None, None, False, False, True, Verdict.REFUSE, False),
    "new, no terminal": (BO, None, None, False, None, False, Verdict.REFUSE, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_trust_case(case: str) -> None:
    presented, known, expected, accept_new, answer, can_ask, verdict, remember = CASES[case]
    decision = decide(presented, KEY, known, PATH, expected, accept_new, answer, can_ask)
    assert (decision.verdict, decision.remember) == (verdict, remember)
    assert decision.seen == fingerprint(presented)
    if verdict is Verdict.REFUSE:
        assert decision.sentence.endswith("nothing was sent.")


def test_the_sentences_say_which_key_and_why() -> None:
    seen = fingerprint(EVE)
    changed = decide(EVE, KEY, KNOWN_BO, PATH, None, False).sentence
    assert changed.startswith(f"WARNING: THE KEY OF {KEY} HAS CHANGED; refusing to connect.\n")
    assert f"Remembered: {fingerprint(BO)}\nNow:        {seen}\n" in changed
    assert changed.endswith(f"remove line 3 of {PATH} and connect again; nothing was sent.")
    assert decide(BO, KEY, None, PATH, None, True).sentence == (
        f"TLS 1.3 with {KEY}, key {fingerprint(BO)} (new, trusted on first use "
        f"(--accept-new); remembered in {PATH}).")
    assert decide(EVE, KEY, None, PATH, fingerprint(BO), False, where="bo.example:7777"
                  ).sentence.startswith(f"refusing bo.example:7777: its key is {seen}, not ")


def test_who_this_is_in_a_few_words_for_the_toolbar() -> None:
    dated = KnownPeer(3, fingerprint(BO), BO, "2026-11-20")
    assert decide(BO, KEY, dated, PATH, None, False).standing == "TLS, key known since 2026-11-20"
    assert decide(BO, KEY, KNOWN_BO, PATH, None, False).standing == "TLS, key known"  # old line
    assert decide(BO, KEY, None, PATH, None, True).standing == "TLS, new key, trusted now"
    assert decide(BO, KEY, None, PATH, fingerprint(BO), False).standing == \
        "TLS, key as --fingerprint requires"

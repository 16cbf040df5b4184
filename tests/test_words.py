"""Every rule, use class, evidence kind and level has words in both languages."""

from __future__ import annotations

import pytest

from provenance.model import EvidenceKind, Level, Rule, Severity, UseClass
from provenance.words import EVIDENCE_KINDS, LEVELS, RULES, SEVERITIES, SEVERITY, USE_CLASSES, Phrases, word


@pytest.mark.parametrize(("enum", "table"), [(Rule, RULES), (UseClass, USE_CLASSES), (EvidenceKind, EVIDENCE_KINDS),
                                             (Level, LEVELS), (Severity, SEVERITIES)])
def test_every_member_has_words(enum, table) -> None:
    assert set(table) == {m.value for m in enum}
    for member in enum:
        en, zh = word(table, member, "en"), word(table, member, "zh")
        assert en and zh and en != zh


def test_every_rule_has_a_severity() -> None:
    assert set(SEVERITY) == {r.value for r in Rule}


def test_unknown_keys_and_languages() -> None:
    assert word(RULES, "a-rule-from-a-newer-scan", "zh") == "a-rule-from-a-newer-scan"
    with pytest.raises(Exception, match="language"):
        word(RULES, "unlicensed", "fr")
    say = Phrases({"hi": ("hello {name}", "你好 {name}")}, "zh")
    assert say("hi", name="x") == "你好 x"

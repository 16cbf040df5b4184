"""Property-based tests for the parsers that read user and corpus input."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.errors import ConfigError
from provenance.frontmatter import parse_card
from provenance.licensing.names import normalize_license
from provenance.policy import parse_policy

_KEY = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="_-"), min_size=1,
               max_size=12)
# YAML folds its own line breaks (NEL, LS, PS) in plain scalars: keep them out of values.
_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"),
                max_size=30)
_VALUE = st.one_of(_TEXT, st.integers(), st.booleans(), st.lists(_TEXT, max_size=3))


@given(st.dictionaries(_KEY, _VALUE, max_size=6), st.text(max_size=200))
def test_card_front_matter_round_trips(meta: dict, body: str) -> None:
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    card = parse_card(text)
    assert card.error is None
    assert card.metadata == {str(k): v for k, v in meta.items()}
    assert card.body == body


@given(st.text(max_size=400))
def test_card_parser_never_raises(text: str) -> None:
    card = parse_card(text)
    assert isinstance(card.metadata, dict)
    assert card.error is None or card.error


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)  # the first call loads the license index
def test_license_names_never_raise_and_results_are_valid(value: str) -> None:
    from provenance.licensing.expression import parse

    norm = normalize_license(value)
    if norm.expression is not None:
        assert parse(norm.expression).render() == norm.expression
    assert not (norm.expression and norm.ambiguous)


_POLICY = st.fixed_dictionaries({}, optional={
    "use": st.sampled_from(["commercial", "research", "other"]),
    "max_errors": st.one_of(st.integers(-1, 5), st.text(max_size=3)),
    "rules": st.dictionaries(_KEY, st.sampled_from(["error", "warning", "info", "fatal"]), max_size=3),
    "deny": st.lists(st.sampled_from(["MIT", "GPL-3.0-only", "Not-A-License"]), max_size=2),
    "waivers": st.lists(st.fixed_dictionaries({"rule": _KEY, "path": st.just("a/**"), "reason": st.just("r")},
                                              optional={"expires": st.sampled_from(["2027-01-01", "soon"])}),
                        max_size=2),
})


@given(_POLICY)
def test_policies_parse_or_fail_with_a_config_error(data: dict) -> None:
    try:
        policy = parse_policy(data)
    except ConfigError as exc:
        assert str(exc)
        return
    assert policy.use in ("commercial", "research")
    assert all(v in ("error", "warning", "info") for v in policy.rules.values())

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


# Random text, and random text fenced as front matter (the parser's interesting half).
_CARD_TEXT = st.one_of(
    st.text(max_size=400),
    st.builds(lambda fm, body, bom: ("\ufeff" if bom else "") + "---\n" + fm + "\n---\n" + body,
              st.text(max_size=200), st.text(max_size=100), st.booleans()),
    st.builds(lambda fm: "---\n" + fm, st.text(max_size=200)),
)


@given(_CARD_TEXT)
def test_card_parser_never_raises(text: str) -> None:
    card = parse_card(text)
    assert isinstance(card.metadata, dict) and all(isinstance(k, str) for k in card.metadata)
    # The body is what follows the front matter, and body_line says where it starts.
    assert text.endswith(card.body)
    assert card.body_line == text[: len(text) - len(card.body)].count("\n") + 1
    if card.error is not None:  # a reason, and then no metadata read
        assert isinstance(card.error, str) and card.error.strip()
        assert card.metadata == {}
    if not text.lstrip("\ufeff").startswith("---"):  # no front matter: all body, no complaint
        assert (card.metadata, card.body, card.body_line, card.error) == ({}, text, 1, None)


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

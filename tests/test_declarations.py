from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.declarations import SOURCE_KEYS, parse_declarations
from provenance.errors import ConfigError


def test_first_matching_source_wins_and_facts_are_kept() -> None:
    decl = parse_declarations({
        "service": {"name": "S", "provider": "P", "purpose": "product exterior design"},
        "sources": [
            {"path": "vendor/special/**", "type": "commercial", "contract": "C-2"},
            {"path": "vendor/**", "type": "commercial", "contract": "C-1", "license": "cc-by-4.0"},
        ],
    }, "provenance.yaml")
    assert decl.source_for("vendor/special/a.txt").extra["contract"] == "C-2"
    assert decl.source_for("vendor/b.txt").extra["contract"] == "C-1"
    assert decl.source_for("other/b.txt") is None
    (ev,) = decl.evidence_for("vendor/b.txt")
    assert ev.license == "CC-BY-4.0" and ev.declared and str(ev.location) == "provenance.yaml#sources[1].license"


@pytest.mark.parametrize(("data", "message"), [
    ({"servce": {}}, "unknown key in declarations 'servce'; did you mean 'service'"),
    ({"sources": [{"path": "a/**", "type": "bought"}]}, "unknown source type .* 'bought' \\(valid: commercial"),
    ({"sources": [{"path": "a/**", "tpye": "commercial"}]}, "did you mean 'type'"),
    ({"sources": [{"type": "commercial"}]}, "needs a path"),
    ({"sources": [{"path": "a/**", "license": "Made-Up-License"}]}, "not an SPDX expression"),
    ({"sources": [{"path": "a/**", "region": "moon"}]}, "unknown region"),
    ({"service": {"name": {"nested": 1}}}, "must be a string"),
])
def test_invalid_declarations(data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_declarations(data)


@given(st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=20), max_size=4))
def test_any_source_mapping_is_accepted_or_rejected_cleanly(extra: dict[str, str]) -> None:
    entry = {"path": "x/**", **extra}
    try:
        decl = parse_declarations({"sources": [entry]})
    except ConfigError as exc:
        assert str(exc)
        return
    assert set(extra) <= SOURCE_KEYS | {"path"}
    assert decl.sources[0].path == entry["path"]

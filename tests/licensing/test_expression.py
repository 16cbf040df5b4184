from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.licensing.expression import ExpressionSyntaxError, ids, more_restrictive, parse, use_class
from provenance.licensing.names import normalize_license
from provenance.model import UseClass


@pytest.mark.parametrize(("text", "expected"), [
    ("mit", "MIT"),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
    ("GPL-2.0+", "GPL-2.0-or-later"),
    ("mit or apache-2.0 with llvm-exception", "MIT OR Apache-2.0 WITH LLVM-exception"),
    ("(MIT AND BSD-3-Clause) OR GPL-3.0-only", "(MIT AND BSD-3-Clause) OR GPL-3.0-only"),
    ("LicenseRef-Llama-3 AND cc-by-4.0", "LicenseRef-Llama-3 AND CC-BY-4.0"),
])
def test_parse_normalises(text: str, expected: str) -> None:
    assert parse(text).render() == expected


@pytest.mark.parametrize("bad", ["", "MIT AND", "MIT WITH", "(MIT", "not-a-license", "MIT/Apache-2.0", "MIT ) x"])
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse(bad)


@pytest.mark.parametrize(("value", "expected"), [
    ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
    ("odc-by", "ODC-By-1.0"),
    ("llama3", "LicenseRef-Llama-3"),
    ("gemma", "LicenseRef-Gemma"),
    ("openrail", "LicenseRef-OpenRAIL"),
    ("unknown", "LicenseRef-Unknown"),
    ("CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0"),
    ("cc_by_4.0", "CC-BY-4.0"),
    ("https://creativecommons.org/licenses/by-nc/4.0/", "CC-BY-NC-4.0"),
    ("http://creativecommons.org/licenses/by-sa/3.0/de/", "CC-BY-SA-3.0-DE"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("CC0", "CC0-1.0"),
])
def test_normalize_metadata_values(value: str, expected: str) -> None:
    assert normalize_license(value).expression == expected


@pytest.mark.parametrize("value", ["cc", "bsd"])
def test_family_names_are_ambiguous_not_guessed(value: str) -> None:
    n = normalize_license(value)
    assert n.expression is None and n.ambiguous


@pytest.mark.parametrize(("value", "expected"), [
    ("gpl", "GPL-1.0-or-later"), ("lgpl", "LGPL-2.0-or-later"), ("gfdl", "GFDL-1.1-or-later"),
])
def test_gnu_family_hub_ids_read_as_any_version(value: str, expected: str) -> None:
    # The GNU licenses say a work naming no version may use any version ever published.
    n = normalize_license(value)
    assert n.expression == expected and not n.ambiguous


@pytest.mark.parametrize(("expr", "use"), [
    ("CC-BY-4.0", UseClass.COMMERCIAL),
    ("CC-BY-NC-4.0", UseClass.NON_COMMERCIAL),
    ("CC-BY-NC-SA-3.0-IGO", UseClass.NON_COMMERCIAL),
    ("MIT OR CC-BY-NC-4.0", UseClass.COMMERCIAL),  # the licensee picks
    ("MIT AND CC-BY-NC-4.0", UseClass.NON_COMMERCIAL),  # both bind
    ("LicenseRef-Research-Only", UseClass.RESEARCH_ONLY),
    ("LicenseRef-All-Rights-Reserved", UseClass.NO_GRANT),
    ("LicenseRef-Something-Else", UseClass.UNKNOWN),
    ("ODbL-1.0", UseClass.COMMERCIAL),
    ("GPL-3.0-only", UseClass.COMMERCIAL),
])
def test_use_class(expr: str, use: UseClass) -> None:
    assert use_class(expr) is use


def test_more_restrictive_prefers_the_tighter_terms() -> None:
    assert more_restrictive("MIT", "GPL-3.0-only") == "GPL-3.0-only"
    assert more_restrictive("CC-BY-NC-4.0", "CC-BY-4.0") == "CC-BY-NC-4.0"
    assert more_restrictive("CC-BY-4.0", "LicenseRef-All-Rights-Reserved") == "LicenseRef-All-Rights-Reserved"


_IDS = st.sampled_from(["MIT", "Apache-2.0", "CC-BY-4.0", "GPL-2.0-only", "LicenseRef-X", "CC0-1.0"])


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        return draw(_IDS)
    op = draw(st.sampled_from([" AND ", " OR "]))
    parts = [draw(_expressions(depth + 1)) for _ in range(draw(st.integers(2, 3)))]
    return "(" + op.join(parts) + ")"


@given(_expressions())
def test_render_round_trips(text: str) -> None:
    once = parse(text).render()
    assert parse(once).render() == once
    assert set(ids(parse(once))) == set(ids(parse(text)))

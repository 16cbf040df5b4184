"""`provenance licenses show|list`: ids, names, URLs and expressions, with where each fact comes from."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.licensing.describe import describe_license, known_licenses
from provenance.model import UseClass


@pytest.mark.parametrize(("query", "expected", "read_as"), [
    ("CC-BY-NC-SA-4.0", "CC-BY-NC-SA-4.0", "Creative Commons name"),
    ("mit or apache-2.0", "MIT OR Apache-2.0", "SPDX expression"),
    ("cc by-nc 4.0", "CC-BY-NC-4.0", "Creative Commons name"),
    ("https://creativecommons.org/licenses/by-sa/4.0/deed.en", "CC-BY-SA-4.0", "Creative Commons URL"),
    ("openrail-m", "LicenseRef-OpenRAIL-M", "Hugging Face license id"),
    ("Apache License 2.0", "Apache-2.0", "license name"),
])
def test_queries_read_as_licenses(query: str, expected: str, read_as: str) -> None:
    found = describe_license(query)
    assert found.expression == expected and found.read_as.startswith(read_as)


def test_show_says_what_and_why() -> None:
    result = CliRunner().invoke(main, ["licenses", "show", "cc by-nc 4.0"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "reads as CC-BY-NC-4.0" in out
    assert "use class:       non-commercial" in out and "commercial: no, research: yes" in out
    assert "attribution:     required" in out and "share-alike:     no" in out
    assert "licenses/families.yaml" in out and "https://spdx.org/licenses/CC-BY-NC-4.0.html" in out


def test_show_an_expression_and_an_entry_as_json() -> None:
    result = CliRunner().invoke(main, ["licenses", "show", "Apache-2.0 AND CC-BY-NC-4.0", "--json"])
    data = json.loads(result.output)
    assert data["combined"]["use"] == "non-commercial"  # AND: the most restrictive part binds
    assert [p["id"] for p in data["licenses"]] == ["Apache-2.0", "CC-BY-NC-4.0"]
    apache = data["licenses"][0]
    assert apache["use"] == "commercial" and "category 'Permissive'" in apache["classified_by"]
    entry = json.loads(CliRunner().invoke(main, ["licenses", "show", "llama3", "--json"]).output)["licenses"][0]
    assert entry["classified_by"] == "a hand-written entry (licenses/entries/ml-models.yaml)"
    assert entry["spdx_page"] is None  # not on the SPDX list
    either = json.loads(CliRunner().invoke(main, ["licenses", "show", "MIT OR CC-BY-NC-4.0", "--json"]).output)
    assert either["combined"]["use"] == "commercial"  # OR: a choice, the least restrictive


def test_unknown_license_is_a_usage_error_with_suggestions() -> None:
    result = CliRunner().invoke(main, ["licenses", "show", "apache"])
    assert result.exit_code == 2 and "Apache-2.0" in result.stderr


def test_list_filters_by_use_class() -> None:
    result = CliRunner().invoke(main, ["licenses", "list", "--use-class", "non-commercial", "--json"])
    rows = json.loads(result.output)
    ids = {r["id"] for r in rows}
    assert {"CC-BY-NC-4.0", "CC-BY-NC-SA-4.0"} <= ids and "MIT" not in ids
    assert {r["use"] for r in rows} == {"non-commercial"}
    everything = known_licenses()
    assert len(everything) > 600 and {i.facts.use for i in everything} >= set(UseClass)
    text = CliRunner().invoke(main, ["licenses", "list", "--use-class", "research-only"]).output
    assert "LicenseRef-Research-Only" in text and text.strip().endswith("knowledge base " + text.split()[-1])

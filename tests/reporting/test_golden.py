"""Whole-file golden comparisons. Regenerate with PROVENANCE_UPDATE_GOLDEN=1 after a deliberate change."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from provenance.reporting import write_reports
from provenance.results import ScanResult
from tests.reporting.reporting_support import EXAMPLES, copy_examples, scan_into

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PROVENANCE_UPDATE_GOLDEN") == "1"
FILES = (
    "data-legality.zh.md", "data-legality.en.md", "data-legality.zh.html", "data-legality.en.html",
    "eu-training-summary.md", "manifest.spdx.json", "manifest.spdx3.jsonld",
)


def compare(out: Path, corpus: str, name: str) -> None:
    expected_path = GOLDEN / corpus / name
    actual = (out / name).read_text(encoding="utf-8")
    if UPDATE:
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(actual, encoding="utf-8")
        return
    if not expected_path.is_file():
        pytest.fail(f"no golden file {expected_path}; create it with PROVENANCE_UPDATE_GOLDEN=1")
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{corpus}/{name}", "actual", n=1))
        pytest.fail(f"{name} differs from its golden file:\n{diff[:4000]}")


@pytest.mark.parametrize("name", FILES)
def test_built_corpus_matches_golden(built_reports: Path, name: str) -> None:
    compare(built_reports, "built", name)


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/corpus is not in this checkout")
def test_examples_match_golden(tmp_path: Path) -> None:
    if not UPDATE and not (GOLDEN / "examples").is_dir():
        pytest.skip("no golden files for examples/ yet: create them with PROVENANCE_UPDATE_GOLDEN=1")
    result: ScanResult = scan_into(copy_examples(tmp_path / "corpus"), tmp_path / "scan")
    assert write_reports(result, tmp_path / "reports").ok
    for name in FILES:
        compare(tmp_path / "reports", "examples", name)

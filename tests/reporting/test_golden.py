"""Whole-file golden comparisons. Regenerate with PROVENANCE_UPDATE_GOLDEN=1 after a deliberate change:
the run ends with what changed in each golden file. Versions, digests and document ids that change
with every release are placeholders (golden_support.py), so a golden diff is a change of content."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from provenance.reporting import write_reports
from provenance.results import ScanResult, load_result
from tests.reporting.golden_support import diff, normalise, record_update
from tests.reporting.reporting_support import EXAMPLES, copy_examples, scan_into

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PROVENANCE_UPDATE_GOLDEN") == "1"
FILES = (
    "data-legality.zh.md", "data-legality.en.md", "data-legality.zh.html", "data-legality.en.html",
    "eu-training-summary.md", "manifest.spdx.json", "manifest.spdx3.jsonld",
)


def golden_diff(out: Path, corpus: str, name: str, result: ScanResult) -> str:
    """The diff of `out/name`, normalised, against its golden file; empty when they are the same."""
    expected = (GOLDEN / corpus / name).read_text(encoding="utf-8")
    actual = normalise((out / name).read_text(encoding="utf-8"), result, out)
    return diff(expected, actual, f"golden/{corpus}/{name}", "actual") if actual != expected else ""


def compare(out: Path, corpus: str, name: str, result: ScanResult) -> None:
    expected_path = GOLDEN / corpus / name
    if UPDATE:
        actual = normalise((out / name).read_text(encoding="utf-8"), result, out)
        previous = expected_path.read_text(encoding="utf-8") if expected_path.is_file() else None
        if previous != actual:
            expected_path.parent.mkdir(parents=True, exist_ok=True)
            expected_path.write_text(actual, encoding="utf-8")
            record_update(f"{corpus}/{name}", previous, actual)
        return
    if not expected_path.is_file():
        pytest.fail(f"no golden file {expected_path}; create it with PROVENANCE_UPDATE_GOLDEN=1")
    changed = golden_diff(out, corpus, name, result)
    if changed:
        pytest.fail(f"{name} differs from its golden file (versions and digests are placeholders, so this is "
                    f"a change of content; PROVENANCE_UPDATE_GOLDEN=1 accepts it):\n{changed}")


@pytest.mark.parametrize("name", FILES)
def test_built_corpus_matches_golden(built_scan: ScanResult, built_reports: Path, name: str) -> None:
    compare(built_reports, "built", name, built_scan)


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/corpus is not in this checkout")
def test_examples_match_golden(tmp_path: Path) -> None:
    if not UPDATE and not (GOLDEN / "examples").is_dir():
        pytest.skip("no golden files for examples/ yet: create them with PROVENANCE_UPDATE_GOLDEN=1")
    result: ScanResult = scan_into(copy_examples(tmp_path / "corpus"), tmp_path / "scan")
    assert write_reports(result, tmp_path / "reports").ok
    for name in FILES:
        compare(tmp_path / "reports", "examples", name, result)


def _bumped(scan_dir: Path, folder: Path) -> ScanResult:
    """The same scan as if made by another release: new tool, knowledge-base, license-index and
    detector versions (so new digests and document ids too), the same content."""
    folder.mkdir()
    shutil.copy(scan_dir / "assets.parquet", folder / "assets.parquet")
    data = json.loads((scan_dir / "scan.json").read_text(encoding="utf-8"))
    data["tool"]["version"] = "99.1.0"
    data["knowledge_base"] = {"version": "2099.12.31", "license_index": "spdx-9.99.0+provenance-99"}
    data["parameters"]["detectors"] = [f"{d.rpartition('@')[0]}@{int(d.rpartition('@')[2]) + 10}"
                                       for d in data["parameters"]["detectors"]]
    (folder / "scan.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return load_result(folder)


@pytest.mark.skipif(UPDATE, reason="the golden files are being rewritten")
def test_a_new_release_does_not_change_the_golden_files(built_scan: ScanResult, built_reports: Path,
                                                        tmp_path: Path) -> None:
    result = _bumped(Path(built_scan.output_dir or ""), tmp_path / "scan")
    out = tmp_path / "reports"
    assert write_reports(result, out).ok
    for name in FILES:
        raw = (out / name).read_text(encoding="utf-8")
        assert raw != (built_reports / name).read_text(encoding="utf-8")  # every file did change
        assert "2099.12.31" in raw or "99.1.0" in raw
        assert golden_diff(out, "built", name, result) == "", name


@pytest.mark.skipif(UPDATE, reason="the golden files are being rewritten")
@pytest.mark.parametrize(("name", "old", "new", "shown"), [
    # a changed license
    ("data-legality.en.md", "| books | CC-BY-NC-4.0 |", "| books | CC-BY-4.0 |", "+| books | CC-BY-4.0 |"),
    ("manifest.spdx.json", '"licenseConcluded": "CC-BY-NC-4.0"', '"licenseConcluded": "CC-BY-4.0"',
     '"licenseConcluded": "CC-BY-4.0", "licenseDeclared"'),
    # a missing row
    ("data-legality.zh.html", "<tr><td>books</td>", "<tr><td>books-renamed</td>", "books-renamed"),
    ("data-legality.en.md", "| web | CC-BY-4.0 | web/README.md:2 |", None, "-| web | CC-BY-4.0 | web/README.md:2 |"),
    # a changed sentence
    ("eu-training-summary.md", "the provider completes them", "the provider may complete them",
     "the provider may complete them"),
    ("data-legality.en.md", "Section 11 is a draft", "Section 11 is final", "Section 11 is final"),
    # a digest that is not the manifest's (one character more): not a placeholder
    ("data-legality.en.md", "| manifest.spdx.json | ", "| manifest.spdx.json | 0", "+| manifest.spdx.json | 0"),
])
def test_a_change_of_content_still_fails(built_scan: ScanResult, built_reports: Path, tmp_path: Path,
                                         name: str, old: str, new: str | None, shown: str) -> None:
    out = tmp_path / "reports"
    shutil.copytree(built_reports, out)
    text = (out / name).read_text(encoding="utf-8")
    assert old in text
    if new is None:  # drop the whole line
        text = "".join(line for line in text.splitlines(True) if old not in line)
    else:
        text = text.replace(old, new, 1)
    (out / name).write_text(text, encoding="utf-8")
    assert golden_diff(built_reports, "built", name, built_scan) == ""
    changed = golden_diff(out, "built", name, built_scan)
    assert shown in changed, changed
    assert len(changed.splitlines()) < 20  # a short diff naming the change, not the whole file

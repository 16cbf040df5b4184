"""The bundled example corpus finds what examples/README.md says it finds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import provenance

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    corpus = tmp_path_factory.mktemp("ex") / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    return provenance.scan(corpus, tmp_path_factory.mktemp("out"))


def test_gate_fails_for_the_documented_reasons(result) -> None:
    assert result.exit_code == 1
    failed = dict(result.verdict.failed)
    assert {"license-conflict", "unlicensed", "use-restricted"} <= set(failed)
    assert result.summary["errors"] == 0


def test_per_folder_licenses(result) -> None:
    rows = {r["path"]: r for r in result.assets()}
    assert rows["open/articles/curves.md"]["license"] == "CC-BY-4.0"
    assert rows["open/tables/parts.parquet"]["license"] == "CC-BY-4.0 AND CC-BY-SA-4.0 AND CC0-1.0"
    assert rows["vendor/catalogue.jsonl"]["license"] == "LicenseRef-Northwind-Media-Contract"
    assert "unknown-license" in rows["vendor/catalogue.jsonl"]["findings"]  # contract terms: a person reviews
    assert rows["research/forum-threads.txt"]["license"] == "CC-BY-NC-4.0"
    assert rows["code/render_turntable.py"]["license"] == "Apache-2.0"
    assert rows["reserved/review-2024.txt"]["use_class"] == "no-grant"
    assert rows["conflict/sketches.txt"]["license"] == "GPL-3.0-only"
    assert "license-conflict" in rows["conflict/sketches.txt"]["findings"]
    assert "unlicensed" in rows["notes-unlicensed.txt"]["findings"]
    assert not any(p.startswith("logs/") for p in rows)  # .provenanceignore


def test_lawful_and_necessary_checks_on_the_example(result) -> None:
    rows = {r["path"]: r for r in result.assets()}
    # the medical note does not serve a product-design service
    assert "off-purpose" in rows["open/articles/clinic.txt"]["findings"]
    # a mobile number inside a crawled record, masked in every output
    pages = rows["crawl/pages.jsonl"]
    assert "personal-info" in pages["findings"]
    assert "13812345678" not in pages["findings_json"] and "13812345678" not in pages["facts_json"]
    # the studio photo's EXIF reserves its rights
    assert "rights-reserved" in rows["open/images/lamp-studio.jpg"]["findings"]
    crawl = next(s for s in result.sources if s["name"] == "crawl")
    assert crawl["declared"]["collection_log"] == "logs/crawl.jsonl"
    assert crawl["totals"]["pii"]["mobile"] == 1
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    assert "13812345678" not in text


def test_research_use_clears_the_research_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    research = provenance.scan(corpus, tmp_path / "out", use="research")
    rows = {r["path"]: r for r in research.assets()}
    assert "use-restricted" not in rows["research/forum-threads.txt"]["findings"]
    assert research.exit_code == 1  # the conflict and the unlicensed notes remain


def test_examples_readme_lists_every_finding_the_scan_gives(result) -> None:
    text = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- findings:start", 1)[1].split("<!-- findings:end -->", 1)[0]
    documented = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            documented[cells[0].strip("`")] = sorted(c.strip().strip("`") for c in cells[1].split(","))
    found = {r["path"]: sorted(r["findings"]) for r in result.assets(columns=["path", "findings"]) if r["findings"]}
    assert documented == found

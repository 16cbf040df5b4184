"""`provenance explain`: the evidence chain of one asset, in English and Chinese."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from provenance.cli import main
from provenance.explain import explain


def _text(out: Path, path: str, *extra: str) -> str:
    result = CliRunner().invoke(main, ["explain", str(out), path, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_conflict_names_both_sides_and_the_rule(example_scan: Path) -> None:
    text = _text(example_scan / "out", "conflict/sketches.txt")
    assert text.startswith("Why conflict/sketches.txt is GPL-3.0-only")
    assert 'conflict/README.md:2 (dataset card metadata, folder level) says "mit": read as MIT' in text
    assert "conflict/LICENSE:3 (license file, folder level)" in text
    assert "Decided at the folder level by conflict/LICENSE:3." in text
    assert "the more restrictive (GPL-3.0-only) applies" in text
    assert "license-conflict (error; fails the gate in this scan)" in text
    assert "The scan checked for commercial use: allowed." in text


def test_more_specific_evidence_overrides_the_folder(example_scan: Path) -> None:
    text = _text(example_scan / "out", "open/images/lamp-studio.jpg")
    assert "All rights reserved.\": a reservation of rights, no grant" in text
    assert "Decided at the file level by open/images/lamp-studio.jpg." in text
    assert "Overridden by the more specific level: open/README.md:2 (folder level) says CC-BY-4.0." in text
    assert "not allowed (use-restricted)" in text


def test_records_and_what_they_inherit(example_scan: Path) -> None:
    text = _text(example_scan / "out", "open/tables/parts.parquet")
    assert "3 × CC-BY-4.0" in text and "1 × CC0-1.0" in text
    assert "1 record(s) have no value of their own and inherit CC-BY-4.0 from open/README.md:2." in text
    assert "Overridden" not in text  # the card is inherited by a record, not overridden
    orphan = _text(example_scan / "out", "crawl/pages.jsonl")
    assert "1 record(s) have no value of their own and nothing else covers them." in orphan


def test_declared_and_unlicensed(example_scan: Path) -> None:
    vendor = _text(example_scan / "out", "vendor/catalogue.jsonl")
    assert "Decided at the declared level by provenance.yaml#sources[1].license." in vendor
    assert "classified by nothing: the knowledge base does not know this license" in vendor
    loose = _text(example_scan / "out", "notes-unlicensed.txt")
    assert loose.startswith("Why notes-unlicensed.txt has no license")
    assert "With no evidence at any level the asset is unlicensed." in loose


def test_chinese_and_json(example_scan: Path) -> None:
    zh = _text(example_scan / "out", "conflict/sketches.txt", "--lang", "zh")
    assert "为什么 conflict/sketches.txt 的许可证是 GPL-3.0-only" in zh
    assert "由文件夹层级的 conflict/LICENSE:3 决定" in zh
    assert "许可证文件" in zh and "冲突：" in zh
    data = json.loads(_text(example_scan / "out", "conflict/sketches.txt", "--json"))
    assert data[0]["license"] == "GPL-3.0-only" and {e["location"] for e in data[0]["evidence"]} == {
        "conflict/LICENSE:3", "conflict/README.md:2"}
    assert [s["heading"] for s in data[0]["sections"]] == [
        "What the scan saw", "How the license was decided", "What the license allows", "Findings"]


def test_paths_as_files_and_unknown_paths(example_scan: Path, monkeypatch) -> None:
    monkeypatch.chdir(example_scan)
    by_file = explain(example_scan / "out", "corpus/code/render_turntable.py")
    assert [e.path for e in by_file] == ["code/render_turntable.py"]
    missing = CliRunner().invoke(main, ["explain", str(example_scan / "out"), "sketches"])
    assert missing.exit_code == 2 and "did you mean conflict/sketches.txt?" in missing.stderr


def test_terms_nobody_identified_are_quoted_and_not_called_allowed(tree, tmp_path: Path) -> None:
    """PAWS's LICENSE is Google's own sentence ("may be freely used for any purpose"): unknown terms.
    The explanation quotes them instead of 0.08-similar SPDX texts, and does not call the use allowed."""
    root = tree({"LICENSE": "The dataset may be freely used for any purpose, although acknowledgement of the\n"
                            "makers as the data source would be appreciated. It is provided AS IS.\n",
                 "d/pairs.tsv": "id\tsentence1\n1\ta\n"})
    assert CliRunner().invoke(main, ["scan", str(root), "-o", str(tmp_path / "out"), "--no-reports"]).exit_code == 0
    text = _text(tmp_path / "out", "d/pairs.tsv")
    assert "license evidence not identified: 'The dataset may be freely used for any purpose" in text
    assert "closest:" not in text  # no candidate is near
    assert "commercial use: cannot tell" in text and "use: allowed" not in text
    assert "无法判断" in _text(tmp_path / "out", "d/pairs.tsv", "--lang", "zh")

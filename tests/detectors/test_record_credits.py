"""Licenses credited inside record text are evidence about those records, counted like a field."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import provenance
from provenance.detectors.record_credits import credit_of
from provenance.detectors.records import CREDITED, RecordLicenseDetector
from tests.detectors.test_license_detectors import content_of


@pytest.mark.parametrize(("text", "expected"), [
    ("A cat on a sofa. Photo by Jane Doe, CC BY-NC 3.0", "CC-BY-NC-3.0"),
    ("The Eiffel tower at night (CC BY-SA 4.0)", "CC-BY-SA-4.0"),
    ("Source: Wikipedia. License: CC BY-SA 3.0", "CC-BY-SA-3.0"),
    ("图片来源：张三，采用 CC BY-NC 4.0 许可协议", "CC-BY-NC-4.0"),
    ("Body of the post.\nReleased under the MIT License.", "MIT"),
    ("Licensed under either the MIT license or the Apache License 2.0, at your option.", "MIT OR Apache-2.0"),
    # talk about licenses is not a credit
    ("What is the difference between the MIT license and CC BY-NC 3.0?", None),
    ("The MIT License is a permissive license.", None),
    ("CC BY-NC 3.0 was chosen by the authors. The rest of the story follows here.", None),
    ("I released my code under GPL v3 last year", None),
])
def test_what_reads_as_a_credit(text: str, expected: str | None) -> None:
    assert credit_of(text) == expected


def _records(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def test_jsonl_credits_count_per_record_and_a_license_field_wins() -> None:
    rows = [{"caption": f"A photo of a tree, number {i}. Photo: Jane Doe, CC BY-NC 3.0"} for i in range(3)]
    rows += [{"caption": "A river at dawn (CC BY 4.0)"}]
    rows += [{"caption": "What is the MIT license?"}, {"caption": "a plain caption"}]
    rows += [{"caption": "Cat. CC BY-NC 3.0", "license": "cc0-1.0"}]
    out = RecordLicenseDetector().detect(content_of("captions.jsonl", _records(rows)))
    counts = {(r.license, r.field): r.count for r in out.record_licenses}
    assert counts == {("CC-BY-NC-3.0", CREDITED): 3, ("CC-BY-4.0", CREDITED): 1, ("CC0-1.0", "license"): 1,
                      (None, "license"): 2}
    assert out.facts["license_credits"] == "4 record(s) credit a license in their text: CC-BY-NC-3.0 (3), CC-BY-4.0 (1)"
    credit = next(e for e in out.evidence if e.license == "CC-BY-NC-3.0")
    assert credit.matcher == "record-credit" and credit.records == 3


def test_tables_without_a_license_column_credit_too(tmp_path: Path) -> None:
    text = ["A bridge. Photo: A. Author, CC BY-SA 4.0", "a plain row", "Another plain row"]
    table = pa.table({"id": [1, 2, 3], "text": text})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    out = RecordLicenseDetector().detect(content_of("t.parquet", path.read_bytes(), local=path))
    assert {(r.license, r.count) for r in out.record_licenses} == {("CC-BY-SA-4.0", 1), (None, 2)}
    csv = "id,text\n" + "\n".join(f'{i},"{t}"' for i, t in enumerate(text)) + "\n"
    out = RecordLicenseDetector().detect(content_of("t.csv", csv.encode()))
    assert {(r.license, r.count) for r in out.record_licenses} == {("CC-BY-SA-4.0", 1), (None, 2)}
    # a license column with gaps: only the rows without a value are read for credits
    with_column = pa.table({"text": text, "license": [None, "mit", ""]})
    pq.write_table(with_column, path)
    out = RecordLicenseDetector().detect(content_of("t.parquet", path.read_bytes(), local=path))
    assert {(r.license, r.field, r.count) for r in out.record_licenses} == {
        ("CC-BY-SA-4.0", CREDITED, 1), ("MIT", "license", 1), (None, "license", 1)}


def test_a_scan_reports_credited_records(tree, tmp_path: Path) -> None:
    rows = [{"text": f"Story {i}. Licensed under CC BY-NC 3.0."} for i in range(2)] + [{"text": "an essay"}]
    root = tree({"LICENSE": "MIT License\n\nPermission is hereby granted, free of charge, to any person",
                 "data/stories.jsonl": _records(rows).decode()})
    result = provenance.scan(root, tmp_path / "out", reports=False)
    row = next(r for r in result.assets() if r["path"] == "data/stories.jsonl")
    assert "CC-BY-NC-3.0" in row["license"]
    restricted = [f for f in row["findings"] if f == "use-restricted"]
    assert restricted and result.exit_code == 1

"""File shapes found in real dataset repositories: Git LFS pointers, JSON Lines under other names,
huge JSON arrays, ragged CSV and TSV."""

from __future__ import annotations

import json
from pathlib import Path

import provenance

MIT = "Released under the MIT License.\n"


def _pointer(size: int, digest: str) -> str:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{digest}\nsize {size}\n"


def _rows(result) -> dict[str, dict]:
    return {r["path"]: r for r in result.assets(columns=["path", "kind", "license", "findings", "error", "records"])}


def test_git_lfs_pointers_say_what_they_are(tree, tmp_path: Path) -> None:
    root = tree({
        "LICENSE": MIT,
        "data/train.parquet": _pointer(123_456_789, "a" * 64),
        "data/shard-0000.tar": _pointer(5_000_000, "b" * 64),
        "data/images.zip": _pointer(77, "c" * 64),
        "data/train.jsonl": _pointer(42, "d" * 64),
        "data/real.jsonl": '{"text": "a"}\n',
    })
    result = provenance.scan(root, tmp_path / "out", reports=False)
    rows = _rows(result)
    for path in ("data/train.parquet", "data/shard-0000.tar", "data/images.zip", "data/train.jsonl"):
        error = rows[path]["error"]
        assert error.startswith("Git LFS pointer: content not downloaded"), error
        assert "not a zip" not in error and "cannot read table" not in error
        assert rows[path]["license"] == "MIT"  # what is known of its license still holds
    assert "123,456,789 bytes" in rows["data/train.parquet"]["error"]
    assert rows["data/real.jsonl"]["error"] is None
    assert result.exit_code == 3  # the data itself was not there to check: the gate does not pass


def test_json_lines_under_other_names_are_read_as_records(tree, tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": f"t{i}", "license": "cc-by-nc-4.0"}) + "\n" for i in range(5))
    root = tree({"a.json": lines, "b.jsonlines": lines, "c.ndjson": lines, "d.jsonl": lines})
    result = provenance.scan(root, tmp_path / "out", reports=False)
    rows = _rows(result)
    for path in ("a.json", "b.jsonlines", "c.ndjson", "d.jsonl"):
        assert rows[path]["kind"] == "table" and rows[path]["records"] == 5, (path, rows[path])
        assert rows[path]["license"] == "CC-BY-NC-4.0" and rows[path]["error"] is None
    assert not result.errors


def test_a_json_array_larger_than_the_document_limit_is_streamed(tree, tmp_path: Path, monkeypatch) -> None:
    from provenance.detectors import json_records

    monkeypatch.setattr(json_records, "MAX_JSON_DOCUMENT", 1000)
    records = [{"instruction": f"say {i}", "output": "ok", "license": "cc-by-4.0"} for i in range(200)]
    root = tree({"alpaca_like.json": json.dumps(records, indent=2)})
    result = provenance.scan(root, tmp_path / "out", reports=False, jobs=1)
    row = _rows(result)["alpaca_like.json"]
    assert row["records"] == 200 and row["license"] == "CC-BY-4.0" and row["error"] is None


def test_ragged_csv_and_tsv_keep_what_parses_and_count_the_rest(tree, tmp_path: Path) -> None:
    root = tree({
        "LICENSE": MIT,
        "good_and_bad.csv": "text,label\nhello,1\nbroken row with, too, many, fields\nworld,0\nonly\n",
        "t.tsv": "text\tlabel\nhello\t1\nbad\t1\t2\t3\nworld\t0\n",
        "hopeless.csv": "a,b\n1,2,3\n4,5,6\n",
    })
    result = provenance.scan(root, tmp_path / "out", reports=False)
    rows = _rows(result)
    assert rows["good_and_bad.csv"]["records"] == 2 and rows["good_and_bad.csv"]["error"] is None
    assert "partially-checked" in rows["good_and_bad.csv"]["findings"]
    assert rows["t.tsv"]["records"] == 2 and rows["t.tsv"]["error"] is None
    group = next(g for g in result.findings if g.rule == "partially-checked")
    assert group.severity.value == "warning"
    # nothing in the file parses: that is a read error
    assert rows["hopeless.csv"]["error"] and "scan-error" in rows["hopeless.csv"]["findings"]
    assert [e.path for e in result.errors] == ["hopeless.csv"]

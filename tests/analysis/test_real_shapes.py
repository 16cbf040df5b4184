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


def test_comment_lines_between_csv_rows_are_not_malformed_rows(tree, tmp_path: Path) -> None:
    """numpy's validation tables put "## +ve denormals ##" between their rows: comments, not rows
    that failed to parse (they were a partially-checked warning)."""
    root = tree({
        "LICENSE": MIT,
        "cases.csv": "dtype,input,output\n## positive ##\nf32,0x1,0x2\n  # negative\nf32,0x3,0x4\n",
        "hashed.csv": "#id,name\n#1,a\n2,b,extra\n",  # a "#" header: "#" lines are rows here
    })
    rows = _rows(provenance.scan(root, tmp_path / "out", reports=False))
    assert rows["cases.csv"]["records"] == 2 and "partially-checked" not in rows["cases.csv"]["findings"]
    assert rows["hashed.csv"]["records"] == 1 and "partially-checked" in rows["hashed.csv"]["findings"]


def test_csv_in_gb18030_or_utf8_with_a_stray_byte_is_read(tree, tmp_path: Path) -> None:
    # A Chinese CSV written by a legacy tool (GB18030 throughout), and a UTF-8 CSV with one cp1252
    # curly quote pasted into a text cell: both read in full, the second with a warning.
    gb_rows = "".join(f"{i},患者咨询第{i}号问题：头痛三天，联系电话 1381234{i:04d},cc-by-4.0\n" for i in range(50))
    gb = ("编号,问题,license\n" + gb_rows).encode("gb18030")
    stray = (b"id,text,license\n1,plain words,mit\n"
             + b"2,he said \x93yes\x94 twice,mit\n" + "3,中文也在,mit\n".encode())
    root = tree({"gb.csv": gb, "stray.csv": stray})
    result = provenance.scan(root, tmp_path / "out", reports=False)
    rows = _rows(result)
    assert rows["gb.csv"]["error"] is None and rows["gb.csv"]["records"] == 50
    assert rows["gb.csv"]["license"] == "CC-BY-4.0"
    assert "personal-info" in rows["gb.csv"]["findings"]  # the text was decoded, not garbled
    assert "partially-checked" not in rows["gb.csv"]["findings"]
    assert rows["stray.csv"]["error"] is None and rows["stray.csv"]["records"] == 3
    assert rows["stray.csv"]["license"] == "MIT"
    assert "partially-checked" in rows["stray.csv"]["findings"]
    assert not result.errors and result.exit_code == 0
    messages = [f["message"] for r in result.assets(columns=["path", "findings_json"]) if r["path"] == "stray.csv"
                for f in json.loads(r["findings_json"]) if f["rule"] == "partially-checked"]
    assert messages == ["2 byte sequence(s) are not valid UTF-8 and were read as U+FFFD (replacement characters)"]


def test_csv_encoding_is_sniffed_from_the_head_and_bad_bytes_past_it_are_replaced() -> None:
    import io

    from provenance.detectors.csv_records import CsvRecords
    from provenance.detectors.interface import AssetContent
    from provenance.model import Asset, AssetKind

    body = b"text,license\n" + b"".join(b"row %d,mit\n" % i for i in range(2000)) + b"late \xff byte,mit\n"
    head = body[:1000]  # the scan hands over only the head of a large file: the bad byte is past it
    content = AssetContent(Asset("big.csv", AssetKind.TABLE, len(body), "s"), head, False,
                           lambda: io.BytesIO(body))
    reader = CsvRecords(content)
    assert reader.encoding == "utf-8-sig"
    rows = sum(batch.num_rows for batch in reader.reader())
    assert rows == 2001 and reader.replaced() == 1
    binary = AssetContent(Asset("b.csv", AssetKind.TABLE, 8, "s"), b"a,b\n\x00\x01", True,
                          lambda: io.BytesIO(b"a,b\n\x00\x01"))
    assert CsvRecords(binary).encoding is None


def test_json_with_comments_is_configuration_not_a_broken_table(tree, tmp_path: Path) -> None:
    launch = ('{\n    // Editor hints: see the documentation for the attributes.\n    "version": "0.2.0",\n'
              '    "configurations": [\n        {\n            "name": "run current file",\n'
              '            "type": "python", /* launched in the terminal */\n'
              '            "args": ["--date", "20230901"],\n        },\n    ]\n}\n')
    root = tree({
        "LICENSE": MIT,
        ".vscode/launch.json": launch,
        ".devcontainer/devcontainer.json": '{"name": "dev", "features": {},}\n',  # trailing comma only
        "web/tsconfig.json": '{"compilerOptions": {"strict": true,},}\n',
        "data/with_comment.json": '// exported by the labelling tool\n{"data": [{"text": "a", "license": "mit"}]}\n',
        "data/cut_short.json": '{"data": [{"text": "a"}, {"text": "b"',
        "data/stray_comma.json": '{"data": [{"text": "a"},], "version": 2,}\n',
    })
    result = provenance.scan(root, tmp_path / "out", reports=False)
    rows = _rows(result)
    for path in (".vscode/launch.json", ".devcontainer/devcontainer.json", "web/tsconfig.json",
                 "data/with_comment.json"):
        assert rows[path]["error"] is None, (path, rows[path]["error"])
        assert rows[path]["license"] == "MIT"
    # genuinely broken data files stay errors: cut short, or a stray comma in a file without comments
    assert rows["data/cut_short.json"]["error"].startswith("invalid JSON")
    assert rows["data/stray_comma.json"]["error"].startswith("invalid JSON")
    assert sorted(e.path for e in result.errors) == ["data/cut_short.json", "data/stray_comma.json"]


def test_an_svg_saved_as_png_does_not_make_the_scan_incomplete(tree, tmp_path: Path) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>\n'
    root = tree({"LICENSE": MIT, "assets/logo.png": svg, "assets/broken.png": b"\x89PNG\r\n\x1a\n" + bytes(300)})
    result = provenance.scan(root, tmp_path / "out", reports=False)
    rows = _rows(result)
    assert rows["assets/logo.png"]["error"] is None and rows["assets/logo.png"]["license"] == "MIT"
    assert "partially-checked" in rows["assets/logo.png"]["findings"]
    assert [e.path for e in result.errors] == ["assets/broken.png"]  # damaged image bytes stay an error

"""Broken and hostile input: every problem is an error entry with its reason; the scan finishes;
the corpus is unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import provenance


def _errors(out: Path) -> dict[str, str]:
    data = json.loads((out / "scan.json").read_text())
    return {e["path"]: e["reason"] for e in data["errors"]}


def test_bad_files_become_error_entries(tree, digest, tmp_path: Path) -> None:
    parquet = tmp_path / "p.parquet"
    pq.write_table(pa.table({"license": ["mit"] * 1000}), parquet)
    root = tree({
        "LICENSE": "Released under the MIT License.\n",
        "ok.txt": "fine",
        "binary.txt": bytes(range(256)) * 4,
        "latin1.txt": "café naïve".encode("latin-1"),
        "gbk.txt": "本数据集用于产品外观设计".encode("gb18030"),
        "empty.txt": b"",
        "cut.parquet": parquet.read_bytes()[: parquet.stat().st_size // 2],
        "ragged.csv": "a,license\n1,mit\n2\n",
        "bad.jsonl": '{"license": "mit"}\n{broken\n',
        "card/README.md": "---\nlicense: [mit\n---\n",
    })
    os.mkfifo(root / "fifo")
    os.symlink("nowhere", root / "dangling")
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")
    with open(os.path.join(os.fsencode(root), b"name-\xff.txt"), "wb") as f:
        f.write(b"x")
    with open(root / "sparse.bin", "wb") as f:  # 2 GiB apparent, nothing allocated
        f.truncate(2 * 2**30)
    before = digest(root)
    out = tmp_path / "out"
    result = provenance.scan(root, out)
    errors = _errors(out)
    assert "NUL bytes" in errors["binary.txt"] or "control characters" in errors["binary.txt"]
    assert "UTF-8" in errors["latin1.txt"]
    assert "gbk.txt" not in errors  # legacy Chinese encoding is text
    assert "empty.txt" not in errors  # an empty file is not a read error: it is an empty-file warning
    assert errors["cut.parquet"].startswith("cannot read table")
    assert "ragged.csv" not in errors  # the row that parses is checked; the bad one is a warning
    assert "bad.jsonl" not in errors  # one good record: the bad line is a partially-checked warning
    assert "malformed YAML" in errors["card/README.md"]
    assert "FIFO" in errors["fifo"]
    assert "broken symlink" in errors["dangling"]
    assert "loop" in errors["loop-a"] and "loop" in errors["loop-b"]
    assert "not valid UTF-8" in errors["name-\\xff.txt"]
    assert errors["sparse.bin"].startswith("sparse file")
    assert "ok.txt" not in errors
    assert result.verdict.status.value == "incomplete" and result.exit_code == 3
    data = json.loads((out / "scan.json").read_text())
    severities = {e["path"]: e["severity"] for e in data["errors"]}
    assert severities["fifo"] == "error" and "empty.txt" not in severities
    assert result.summary["errors"] == len(errors)
    rows = {r["path"]: r for r in result.assets(["path", "error", "license", "findings"])}
    assert rows["fifo"]["error"] and rows["ok.txt"]["license"] == "MIT"
    assert "empty-file" in rows["empty.txt"]["findings"] and "scan-error" not in rows["empty.txt"]["findings"]
    assert rows["empty.txt"]["error"] is None
    assert digest(root) == before


def test_huge_single_line_jsonl_is_bounded(tree, tmp_path: Path) -> None:
    line = b'{"license": "mit", "text": "' + b"a" * (20 * 2**20) + b'"}\n'
    root = tree({"big.jsonl": line + b'{"license": "cc0-1.0"}\n'})
    result = provenance.scan(root, tmp_path / "out")
    errors = _errors(tmp_path / "out")
    assert "longer than 16 MiB" in errors["big.jsonl"]
    row = next(result.assets(["records", "license"]))
    assert row["records"] == 1 and row["license"] == "CC0-1.0"


def test_detector_crash_is_contained(tree, tmp_path: Path) -> None:
    from provenance.detectors import default_detectors
    from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
    from provenance.scanner import Scanner, ScanOptions
    from provenance.sources.local import LocalSource

    class Exploding(Detector):
        id = "exploding"

        def applies(self, asset) -> bool:
            return True

        def detect(self, content: AssetContent) -> DetectorOutput:
            raise RuntimeError("boom")

    root = tree({"a.txt": "a", "LICENSE": "Released under the MIT License.\n"})
    opts = ScanOptions(detectors=(*default_detectors(), Exploding()))
    result = Scanner(LocalSource(root), opts).run(tmp_path / "out")
    reasons = _errors(tmp_path / "out")
    assert reasons["a.txt"] == "detector exploding failed: RuntimeError: boom"
    assert result.summary["assets"] == 2


def test_empty_files_are_listed_but_do_not_make_the_scan_incomplete(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "pkg/__init__.py": "", "pkg/a.py": "x = 1\n"})
    result = provenance.scan(root, tmp_path / "out", reports=False)
    assert result.verdict.status.value == "pass" and result.errors == ()
    rows = {r["path"]: r for r in result.assets(["path", "findings"])}
    # assets.parquet, scan.json and the verdict say the same: a warning of its own, not a scan error
    assert rows["pkg/__init__.py"]["findings"] == ["attribution-required", "empty-file"]
    assert result.summary["findings_by_rule"] == {"attribution-required": 2, "empty-file": 1}
    assert not any("could not be read" in r for r in result.verdict.reasons)


def test_files_that_vanish_or_change_between_listing_and_reading(tree) -> None:
    from provenance.analysis.analyze import analyze
    from provenance.analysis.context import Limits, WorkContext
    from provenance.detectors import default_detectors
    from provenance.sources.interface import Entry
    from provenance.sources.local import LocalSource

    root = tree({"gone.txt": "soon deleted", "grows.txt": "short", "swapped.txt": "regular"})
    source = LocalSource(root)
    listed = {e.asset.path: e for e in source.entries() if isinstance(e, Entry)}
    ctx = WorkContext(source, tuple(default_detectors()), Limits())
    (root / "gone.txt").unlink()
    (root / "grows.txt").write_text("much longer than before")
    (root / "swapped.txt").unlink()
    os.symlink("/etc/hostname", root / "swapped.txt")  # a link swapped in after listing is not followed
    assert [p.message for p in analyze(ctx, listed["gone.txt"]).problems] == ["file vanished during the scan"]
    assert "changed during the scan" in analyze(ctx, listed["grows.txt"]).problems[0].message
    assert analyze(ctx, listed["swapped.txt"]).problems[0].message.startswith("cannot open")

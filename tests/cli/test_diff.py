"""`provenance diff`: what changed between two scans, per source; exit 1 when something got worse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
from click.testing import CliRunner

import provenance
from provenance.cli import main
from provenance.diff import _buckets, diff_scans


def _variant(example_scan: Path, name: str, change) -> Path:
    corpus = example_scan / f"corpus-{name}"
    shutil.copytree(example_scan / "corpus", corpus)
    change(corpus)
    out = example_scan / f"out-{name}"
    provenance.scan(corpus, out, reports=False)
    return out


def _stricter(corpus: Path) -> None:
    (corpus / "notes-unlicensed.txt").unlink()
    (corpus / "open" / "articles" / "new.txt").write_text("a new essay\n")
    (corpus / "open" / "README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\n# Open\n")


def test_diff_names_what_got_worse(example_scan: Path) -> None:
    new = _variant(example_scan, "stricter", _stricter)
    result = CliRunner().invoke(main, ["diff", str(example_scan / "out"), str(new)])
    assert result.exit_code == 1, result.output
    md = result.output
    assert "**Worse:**" in md and "asset(s) gained use-restricted" in md
    assert "moved to a more restrictive use class" in md
    assert "| `open/articles/curves.md` | CC-BY-4.0 | CC-BY-NC-4.0 |" in md
    assert "Added: 1 asset(s), 12 bytes: `open/articles/new.txt`" in md
    assert "Removed: 1 asset(s), 93 bytes: `notes-unlicensed.txt`" in md
    data = json.loads(CliRunner().invoke(main, ["diff", str(example_scan / "out"), str(new), "--format",
                                                "json"]).output)
    by_source = {s["source"]: s for s in data["sources"]}
    assert by_source["open"]["added"]["n"] == 1 and by_source["open"]["use_worse"] == 7
    # The only file at the root went: the root's source has no assets left (and no new name).
    assert data["renamed"] == [] and by_source["corpus"]["new_assets"] == 0
    assert by_source["corpus"]["resolved_findings"]["unlicensed"]["examples"] == ["notes-unlicensed.txt"]
    assert by_source["code"] == {**by_source["code"], "license_changed": 0, "new_findings": {}}


def test_scanned_folders_of_different_names(example_scan: Path) -> None:
    """corpus/ and corpus-v2/: the files at their roots are compared as one source, not as all
    removed and all added."""
    new = _variant(example_scan, "v2", lambda c: (c / "notes-unlicensed.txt").write_text("still no license.\n"))
    found = diff_scans(example_scan / "out", new)
    assert found.renamed == (("corpus", "corpus-v2"),)
    root = next(s for s in found.sources if s.source == "corpus-v2")
    assert (root.old_assets, root.new_assets, root.added.n, root.removed.n) == (1, 1, 0, 0)
    assert not found.worse and [s.source for s in found.sources if s.changed] == []


def test_diff_without_regressions_exits_0(example_scan: Path, tmp_path: Path) -> None:
    same = CliRunner().invoke(main, ["diff", str(example_scan / "out"), str(example_scan / "out" / "scan.json")])
    assert same.exit_code == 0 and "Nothing got worse." in same.output
    better = _variant(example_scan, "better", lambda c: (c / "notes-unlicensed.txt").unlink())
    result = CliRunner().invoke(main, ["diff", str(example_scan / "out"), str(better), "-o", str(tmp_path / "d.md")])
    assert result.exit_code == 0 and result.output == ""
    text = (tmp_path / "d.md").read_text()
    assert "Nothing got worse." in text and "| unlicensed | 1 | `notes-unlicensed.txt` |" in text
    # The reverse direction brings the unlicensed file back: worse.
    assert CliRunner().invoke(main, ["diff", str(better), str(example_scan / "out")]).exit_code == 1


def test_buckets_give_the_same_answer(example_scan: Path) -> None:
    new = _variant(example_scan, "buckets", _stricter)
    whole = diff_scans(example_scan / "out", new)
    assert diff_scans(example_scan / "out", new, bucket_rows=3).to_dict() == whole.to_dict()


def test_bucket_hash_is_stable_and_spread() -> None:
    paths = [f"crawl/site-{i % 97}/page-{i:07d}.jsonl" for i in range(20_000)]
    ids = _buckets(pa.array(paths), 8)
    assert np.array_equal(ids, _buckets(pa.array(list(reversed(paths))), 8)[::-1])  # per path, not per position
    counts = np.bincount(ids, minlength=8)
    assert counts.min() > 0.8 * len(paths) / 8 and counts.max() < 1.2 * len(paths) / 8
    sliced = pa.array(["x", *paths[:10]]).slice(1)  # an offset into the buffers
    assert np.array_equal(_buckets(sliced, 8), ids[:10])


def test_diff_of_a_missing_scan_is_a_usage_error(tmp_path: Path, example_scan: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["diff", str(example_scan / "out"), str(tmp_path / "empty")])
    assert result.exit_code == 2 and "cannot read scan result" in result.stderr

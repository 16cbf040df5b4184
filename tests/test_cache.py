"""Incremental rescans and resumable scans through the analysis cache."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from provenance.api import ScanRequest, scan_options
from provenance.scanner import Scanner
from provenance.sources.local import LocalSource


def _scan(root: Path, out: Path, **options):
    opts = scan_options(ScanRequest(root, **options), out)
    scanner = Scanner(LocalSource(root, skip_dirs=[out]), opts)
    result = scanner.run(out)
    return scanner.stats, result


def _rows(result) -> dict[str, dict]:
    return {r["path"]: r for r in result.assets()}


def test_unchanged_rescan_reuses_everything_and_gives_the_same_rows(tree, tmp_path: Path) -> None:
    root = tree({f"d{i}/f{j}.txt": f"text {i} {j}" for i in range(4) for j in range(5)}
                | {"LICENSE": "Released under the MIT License.\n", "t.jsonl": '{"license": "mit"}\n'})
    out = tmp_path / "out"
    first_stats, first = _scan(root, out)
    assert first_stats["analysed"] == 22 and first_stats["cached"] == 0
    again_stats, again = _scan(root, out)
    # LICENSE from the per-file cache (pass 1); every data folder from the folder memo
    assert again_stats["cached"] == 1 and again_stats["reused"] == 21 and again_stats["analysed"] == 0
    assert again_stats["reused_folders"] == 5
    assert _rows(first) == _rows(again)
    assert first.to_dict()["summary"] == again.to_dict()["summary"]


def test_only_what_changed_is_analysed_again(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a", "b.txt": "b", "c.txt": "c"})
    out = tmp_path / "out"
    _scan(root, out)
    os.utime(root / "a.txt", ns=(1, 1))  # new mtime, same bytes: re-hashed, not analysed
    (root / "b.txt").write_text("b changed, SPDX-License-Identifier: Apache-2.0 is not a header here")
    (root / "c.txt").write_text("# SPDX-License-Identifier: Apache-2.0\nc")
    stats, result = _scan(root, out)
    assert stats["rehashed"] == 1 and stats["analysed"] == 2 and stats["cached"] == 1
    assert _rows(result)["c.txt"]["license"] == "Apache-2.0"


def test_changed_license_file_is_seen_although_data_files_are_cached(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    out = tmp_path / "out"
    _scan(root, out)
    (root / "LICENSE").write_text("Released under CC BY-NC 4.0.\n")
    stats, result = _scan(root, out)
    assert stats["cached"] == 1  # a.txt
    row = _rows(result)["a.txt"]
    assert row["license"] == "CC-BY-NC-4.0" and "use-restricted" in row["findings"]


def test_detector_configuration_is_part_of_the_cache_key(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "forbidden word here"})
    out = tmp_path / "out"
    _scan(root, out)
    listing = tmp_path / "block.txt"
    listing.write_text("forbidden\n")
    stats, result = _scan(root, out, blocklist=[listing])
    assert stats["cached"] == 0 and stats["analysed"] == 2
    assert "blocked-content" in result.summary["findings_by_rule"]


def test_a_killed_scan_resumes_without_redoing_finished_work(tree, tmp_path: Path) -> None:
    root = tree({f"d{i:02d}/f{j:03d}.txt": f"payload {i} {j} " * 40 for i in range(30) for j in range(100)}
                | {"LICENSE": "Released under the MIT License.\n"})
    out = tmp_path / "out"
    db = out / ".cache" / "analyses.sqlite"
    cmd = [sys.executable, "-m", "provenance", "scan", str(root), "-o", str(out), "-q", "--jobs", "1"]
    proc = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    done = conn.execute("SELECT count(*) FROM analyses_v2").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
            if done >= 512:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "the scan finished before it could be killed; make the corpus bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "scan.json").exists()  # no half-written result
    stats, result = _scan(root, out)
    # finished folders come back whole from the folder memo, the rest file by file from the cache
    assert stats["cached"] + stats["reused"] >= done >= 512 and stats["analysed"] <= 3001 - done
    assert result.summary["assets"] == 3001
    assert not list(out.glob(".assets.parquet.*.tmp"))


def test_a_rewrite_with_the_old_mtime_put_back_is_seen(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "a.py": "# SPDX-License-Identifier: MIT\n"})
    out = tmp_path / "out"
    _scan(root, out)
    before = os.stat(root / "a.py")
    (root / "a.py").write_text("# SPDX-License-Identifier: 0BSD\n")  # same size, as cp -p or rsync -a leave it
    os.utime(root / "a.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    stats, result = _scan(root, out)
    assert stats["cached"] == 1 and stats["analysed"] == 1  # LICENSE from the cache, a.py analysed again
    assert _rows(result)["a.py"]["license"] == "0BSD"


def test_a_corrupt_cache_file_is_started_afresh(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    out = tmp_path / "out"
    (out / ".cache").mkdir(parents=True)
    (out / ".cache" / "analyses.sqlite").write_bytes(b"not a database" * 100)
    stats, result = _scan(root, out)
    assert stats["analysed"] == 2 and result.verdict.status.value == "pass"


def test_namespaces_unused_for_a_month_are_pruned_per_root(tree, tmp_path: Path) -> None:
    import datetime as dt

    from provenance.cache import AnalysisCache, CacheRow

    db = tmp_path / "shared" / "analyses.sqlite"
    old, new = AnalysisCache(db, "kb-2026.10"), AnalysisCache(db, "kb-2026.11")
    old.create()
    row = CacheRow("a.txt", 1, 2, 3, "0" * 64, "0" * 40, "{}")
    for cache in (old, new):
        cache.put_many("/corpus", [row])
        cache.put_many("/other", [row])
        cache.put_folder("/corpus", "unit", "key", "{}", b"")
    day = dt.date(2026, 11, 1)
    assert old.prune("/corpus", day) == 0  # first prune: both namespaces start their clock
    assert new.prune("/corpus", day + dt.timedelta(days=20)) == 0  # the old one is 20 days idle
    assert new.prune("/corpus", day + dt.timedelta(days=31)) == 2  # 31 days: its row and its folder go
    with sqlite3.connect(db) as conn:
        left = conn.execute("SELECT namespace, root FROM analyses_v2 ORDER BY 1, 2").fetchall()
    assert left == [("kb-2026.10", "/other"), ("kb-2026.11", "/corpus"), ("kb-2026.11", "/other")]
    for cache in (old, new):
        cache.close()
    # A scan registers its namespace as used.
    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    out = tmp_path / "out"
    _scan(root, out)
    with sqlite3.connect(out / ".cache" / "analyses.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM namespaces_v1").fetchone()[0] == 1
